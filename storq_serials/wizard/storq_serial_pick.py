from odoo import fields
from odoo import models
from odoo.exceptions import UserError

from ..models.storq_serial_validation import MAX_LISTED_ERRORS
from ..tools.errors import SerialValidationError
from ..tools.limits import shorten
from ..tools.serial_input import split_pasted


class StorqSerialPick(models.TransientModel):
    """Pick serials pasted at once (a batch-mode scanner's upload, a pick list) for a delivery
    or an internal transfer: check every line, then take the good units."""

    _name = "storq.serial.pick"
    _inherit = "storq.serial.wizard.mixin"
    _description = "Pick Serials"

    # ------------------------------------------------------------------
    # Fields
    # ------------------------------------------------------------------
    picking_id = fields.Many2one(
        "stock.picking", "Transfer", required=True, readonly=True, ondelete="cascade"
    )
    serial_text = fields.Text(
        "Serials", help="One serial per line, or separated by commas, semicolons or tabs."
    )
    apply_policy = fields.Selection(
        [("all", "All or nothing"), ("good_only", "Keep the good lines only")],
        "When serials are refused",
        default="all",
        required=True,
    )
    state = fields.Selection([("draft", "Draft"), ("checked", "Checked")], default="draft", required=True)
    result = fields.Text("Verdicts", readonly=True)
    error_count = fields.Integer("Refused", readonly=True)

    # ------------------------------------------------------------------
    # Actions
    # ------------------------------------------------------------------
    def action_check(self):
        """Show each serial's verdict; nothing is applied yet."""
        self.env["storq.serial.input"]._check_one(self)
        self._show(self.picking_id.storq_pick_serials(self._read_serials()))
        return self._reopen()

    def action_apply(self):
        """Take the accepted units (all or nothing unless "Keep the good lines only")."""
        self.env["storq.serial.input"]._check_one(self)
        serials = self._read_serials()
        verdicts = self.picking_id.storq_pick_serials(
            serials, apply=True, keep_good=self.apply_policy == "good_only"
        )
        applied = [verdict for verdict in verdicts if verdict["applied"]]
        if not applied:
            self._show(verdicts)
            refused = [verdict for verdict in verdicts if verdict["status"] == "error"]
            if refused:
                raise UserError(
                    self.env._(
                        "%(count)s of %(total)s serials are refused, so nothing was applied. Correct "
                        'them, or choose "Keep the good lines only":\n%(lines)s',
                        count=len(refused),
                        total=len(verdicts),
                        lines=self._describe_refused(refused),
                    )
                )
            raise UserError(self.env._("No serial to pick: paste at least one serial."))
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "type": "warning" if len(applied) < len(verdicts) else "success",
                "message": self.env._(
                    "%(count)s of %(total)s serials picked on %(transfer)s.",
                    count=len(applied),
                    total=len(verdicts),
                    transfer=self.picking_id.display_name,
                ),
                "next": {"type": "ir.actions.act_window_close"},
            },
        }

    # ------------------------------------------------------------------
    # Business methods
    # ------------------------------------------------------------------
    def _read_serials(self):
        """The pasted serials, with the bulk entry's separators (and its limits)."""
        try:
            return [raw.strip() for _number, raw in split_pasted(self.serial_text)]
        except SerialValidationError as error:
            raise self.env["storq.serial.input"]._input_error(error) from None

    def _describe_refused(self, refused):
        """The first MAX_LISTED_ERRORS refusals, one a line, and how many more there are."""
        lines = [verdict["message"] for verdict in refused[:MAX_LISTED_ERRORS]]
        if len(refused) > MAX_LISTED_ERRORS:
            lines.append(
                self.env._("… and %(count)s more refused serials.", count=len(refused) - MAX_LISTED_ERRORS)
            )
        return "\n".join(lines)

    def _show(self, verdicts):
        self.write(
            {
                "state": "checked",
                "error_count": sum(verdict["status"] == "error" for verdict in verdicts),
                "result": "\n".join(
                    "{}  {}: {}".format(
                        "OK" if verdict["status"] == "ok" else "REFUSED",
                        shorten(verdict["serial"]),
                        verdict["message"],
                    )
                    for verdict in verdicts
                ),
            }
        )

    def _storq_wizard_title(self):
        return self.env._("Pick Serials")
