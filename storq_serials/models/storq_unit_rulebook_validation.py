from collections import defaultdict

from odoo import api
from odoo import models
from odoo.exceptions import UserError
from odoo.tools.float_utils import float_is_zero

from .storq_unit_rulebook import UnitMovement

# How many refused lines a validation error lists.
MAX_LISTED_LINES = 20


class StorqUnitRulebook(models.AbstractModel):
    """The rulebook at validation: the move lines' movements, and one error listing every
    refused line, grouped by rule (`stock.move.line._action_done` calls it)."""

    _inherit = "storq.unit.rulebook"

    # ------------------------------------------------------------------
    # Business methods: validation
    # ------------------------------------------------------------------
    @api.model
    def _storq_line_movements(self, lines):
        """(the lines the rulebook judges, their `UnitMovement`s): lines of serial-controlled
        units that move (a quantity), whatever their documents."""
        lines = lines.filtered(
            lambda line: line.product_id.storq_serial_control
            and (line.lot_id or line.lot_name)
            and not float_is_zero(line.quantity, precision_rounding=line.product_uom_id.rounding)
        )
        movements = [
            UnitMovement(
                product=line.product_id,
                source=line.location_id,
                destination=line.location_dest_id,
                unit=line.lot_id,
                serial=line.lot_name if not line.lot_id else False,
                move=line.move_id,
                line=line,
            )
            for line in lines
        ]
        return lines, movements

    @api.model
    def _storq_check_move_lines(self, lines):
        """Refuse, with one UserError listing every refused line by rule, the move lines whose
        unit may not make its move; log refused customer returns as suspicious."""
        lines, movements = self._storq_line_movements(lines)
        if not movements:
            return
        verdicts = self._storq_verdicts(movements)
        refused = defaultdict(list)
        for line, verdict in zip(lines, verdicts):
            if verdict:
                refused[verdict.rule].append((line, verdict))
        if not refused:
            return
        suspicious = [verdict.suspicious for verdict in verdicts if verdict and verdict.suspicious]
        self.env["stock.lot"]._storq_log_suspicious_returns(suspicious, after_transaction=True)
        raise UserError(
            "\n\n".join(self._storq_refusal_section(rule, pairs) for rule, pairs in refused.items())
        )

    @api.model
    def _storq_refusal_section(self, rule, refusals):
        """The paragraph of a validation error for the lines refused by `rule`."""
        lines = self._storq_list_refusals(refusals)
        if rule == "arrive":
            return self.env._(
                "These units cannot be received: they are in stock already.\n%(lines)s\nCheck the "
                "serials against the labels, correct or remove these lines, then validate again.",
                lines=lines,
            )
        if rule == "ship":
            return self.env._(
                "These units cannot be shipped:\n%(lines)s\nScan units that are in stock at the "
                "transfer's source location and not blocked, then validate again.",
                lines=lines,
            )
        if rule == "return":
            return self.env._(
                "These units cannot be taken back from the customer: a unit comes back only when "
                "it is the one that was delivered to this customer, on this order, and not "
                "returned since.\n%(lines)s\nCheck the serials of the units received; the "
                "attempt is recorded in their history.",
                lines=lines,
            )
        if rule == "product":
            return self.env._(
                "These lines carry a unit of a product that is not theirs:\n%(lines)s\nPut each "
                "unit on a line of its own product, then validate again.",
                lines=lines,
            )
        if rule == "status":
            return self.env._(
                "These units cannot make this move:\n%(lines)s\nCheck the serials against the "
                "labels, correct or remove these lines, then validate again.",
                lines=lines,
            )
        return self.env._(
            "These units are not where the lines take them from:\n%(lines)s\nTake each unit "
            "from the location that holds it, then validate again.",
            lines=lines,
        )

    @api.model
    def _storq_list_refusals(self, refusals):
        """The text listing refused lines, `refusals` being (line, reason) pairs: one bullet per
        line, the first MAX_LISTED_LINES of them."""
        listed = [
            self.env._(
                "- %(document)s: %(product)s: %(reason)s",
                document=line.reference or line.move_id.display_name,
                product=line.product_id.display_name,
                reason=reason,
            )
            for line, reason in refusals[:MAX_LISTED_LINES]
        ]
        if len(refusals) > MAX_LISTED_LINES:
            listed.append(self.env._("… and %(count)s more.", count=len(refusals) - MAX_LISTED_LINES))
        return "\n".join(listed)
