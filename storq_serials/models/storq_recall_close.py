from odoo import fields
from odoo import models
from odoo.exceptions import UserError
from odoo.tools.misc import split_every

# How many units one unblocking statement releases when a recall closes.
UNBLOCK_BATCH = 1000


class StorqRecall(models.Model):
    """Closing a recall: the recovery against the target, the manager's justification, and the
    blocks lifted or kept."""

    _inherit = "storq.recall"

    # ------------------------------------------------------------------
    # Fields
    # ------------------------------------------------------------------
    date_closed = fields.Datetime("Closed on", readonly=True, copy=False)
    closed_by_id = fields.Many2one("res.users", "Closed by", readonly=True, copy=False)
    close_justification = fields.Text("Closing justification", readonly=True, copy=False)
    close_rate = fields.Float("Recovery at closing (%)", readonly=True, copy=False, digits=(5, 1))

    # ------------------------------------------------------------------
    # Actions
    # ------------------------------------------------------------------
    def action_close_recall(self):
        """Open the closing wizard (serial managers)."""
        self.ensure_one()
        self._check_recall_manager()
        if self.state != "confirmed":
            raise UserError(
                self.env._("Only a confirmed recall can be closed; %(recall)s is not.", recall=self.name)
            )
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Close %(recall)s", recall=self.name),
            "res_model": "storq.recall.close",
            "view_mode": "form",
            "target": "new",
            "context": {"default_recall_id": self.id},
        }

    # ------------------------------------------------------------------
    # Business methods
    # ------------------------------------------------------------------
    def _storq_close(self, justification=None, lift_blocks=True):
        """Close the recall; below its target the justification is required. With `lift_blocks`,
        the units it blocked are released in batches, except those another open recall holds."""
        self.ensure_one()
        self._check_recall_manager()
        if self.state != "confirmed":
            raise UserError(
                self.env._("Only a confirmed recall can be closed; %(recall)s is not.", recall=self.name)
            )
        rate, target = self.recovery_rate, self.target_rate
        justification = (justification or "").strip()
        if rate < target and not justification:
            raise UserError(
                self.env._(
                    "%(recall)s recovered %(rate).1f %% of the units at customers, below its target of "
                    "%(target).1f %%: a justification is required to close it.",
                    recall=self.name,
                    rate=rate,
                    target=target,
                )
            )
        self.write(
            {
                "state": "closed",
                "date_closed": fields.Datetime.now(),
                "closed_by_id": self.env.uid,
                "close_justification": justification or False,
                "close_rate": rate,
            }
        )
        released = self._storq_lift_blocks() if lift_blocks else 0
        if rate < target:
            body = self.env._(
                "Closed below target by %(user)s: %(rate).1f %% recovered for a target of %(target).1f %%. "
                "Justification: %(justification)s",
                user=self.env.user.name,
                rate=rate,
                target=target,
                justification=justification,
            )
        else:
            body = self.env._(
                "Closed by %(user)s: %(rate).1f %% recovered (target %(target).1f %%).",
                user=self.env.user.name,
                rate=rate,
                target=target,
            )
        if lift_blocks:
            body += " " + self.env._("%(count)s unit(s) released from their block.", count=released)
        else:
            body += " " + self.env._("The units stay blocked.")
        self.message_post(body=body)
        return released

    def _storq_lift_blocks(self):
        """Unblock this recall's blocked units that no other confirmed recall still holds; one
        unblocking per batch of units. Returns how many were released."""
        lines = self.env["storq.recall.line"].sudo().search_fetch([("recall_id", "=", self.id)], ["lot_id"])
        lots = lines.lot_id.filtered("storq_blocked")
        held = (
            self.env["storq.recall.line"]
            .sudo()
            .search_fetch(
                [
                    ("lot_id", "in", lots.ids),
                    ("recall_id", "!=", self.id),
                    ("recall_id.state", "in", ("confirming", "confirmed")),
                ],
                ["lot_id"],
            )
            .lot_id
        )
        to_release = (lots - held).with_env(self.env)
        note = self.env._("Recall %(recall)s closed.", recall=self.name)
        for lot_ids in split_every(UNBLOCK_BATCH, to_release.ids):
            to_release.browse(lot_ids)._storq_unblock(document=self, note=note)
        return len(to_release)
