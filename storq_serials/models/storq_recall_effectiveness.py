import random

from odoo import api
from odoo import fields
from odoo import models
from odoo.exceptions import UserError
from odoo.exceptions import ValidationError

from ..tools.recall_effectiveness import CHECK_LEVELS
from ..tools.recall_effectiveness import DEFAULT_LEVEL_B_SHARE
from ..tools.recall_effectiveness import FIXED_SHARES
from ..tools.recall_effectiveness import check_share
from ..tools.recall_effectiveness import customers_to_check
from ..tools.recall_effectiveness import recovery_rate
from .storq_recall_notice import RECOVERED_LINE_STATES


class StorqRecall(models.Model):
    """How well a recall reaches its units: the recovery rate against the target, and how many
    customers to verify at its effectiveness-check level."""

    _inherit = "storq.recall"

    # ------------------------------------------------------------------
    # Fields
    # ------------------------------------------------------------------
    check_level = fields.Selection(
        CHECK_LEVELS,
        "Effectiveness check",
        default="C",
        required=True,
        tracking=True,
        help="The share of customers to verify received and acted on the notice, as the FDA defines the "
        "levels A to E.",
    )
    check_share = fields.Float(
        "Customers to verify (%)",
        compute="_compute_check_share",
        store=True,
        readonly=False,
        digits=(5, 1),
        help="Set by the level; chosen case by case for level B (more than 10 %, less than 100 %).",
    )
    check_customer_count = fields.Integer("Customers to verify", compute="_compute_check_customer_count")
    target_rate = fields.Float(
        "Target recovery (%)",
        default=100.0,
        tracking=True,
        digits=(5, 1),
        help="Closing the recall below this recovery rate needs a serial manager's justification.",
    )
    customer_unit_count = fields.Integer(
        "Units at customers",
        compute="_compute_effectiveness",
        help="At customers when the recall was confirmed.",
    )
    recovered_unit_count = fields.Integer(
        "Units recovered",
        compute="_compute_effectiveness",
        help="Returned or resolved (repaired, replaced, ...).",
    )
    customer_count = fields.Integer("Customers", compute="_compute_effectiveness")
    recovery_rate = fields.Float("Recovery rate (%)", compute="_compute_effectiveness", digits=(5, 1))
    checked_customer_count = fields.Integer("Customers verified", compute="_compute_checked_customer_count")

    # ------------------------------------------------------------------
    # Compute
    # ------------------------------------------------------------------
    @api.depends("check_level")
    def _compute_check_share(self):
        for recall in self:
            if recall.check_level == "B":
                if not FIXED_SHARES["C"] < recall.check_share < 100.0:
                    recall.check_share = DEFAULT_LEVEL_B_SHARE
            else:
                recall.check_share = check_share(recall.check_level)

    def _compute_effectiveness(self):
        """Three grouped reads for all the recalls, whatever their number of lines."""
        Line = self.env["storq.recall.line"]
        domain = [("recall_id", "in", self.ids), ("partner_id", "!=", False)]
        units = dict(Line._read_group(domain, ["recall_id"], ["__count"]))
        recovered = dict(
            Line._read_group(domain + [("state", "in", RECOVERED_LINE_STATES)], ["recall_id"], ["__count"])
        )
        customers = dict(Line._read_group(domain, ["recall_id"], ["partner_id:count_distinct"]))
        for recall in self:
            recall.customer_unit_count = units.get(recall, 0)
            recall.recovered_unit_count = recovered.get(recall, 0)
            recall.customer_count = customers.get(recall, 0)
            recall.recovery_rate = recovery_rate(recall.recovered_unit_count, recall.customer_unit_count)

    @api.depends("check_share")
    def _compute_check_customer_count(self):
        for recall in self:
            recall.check_customer_count = customers_to_check(recall.check_share, recall.customer_count)

    def _compute_checked_customer_count(self):
        verified = dict(
            self.env["storq.recall.notice"]._read_group(
                [("recall_id", "in", self.ids), ("to_verify", "=", True), ("date_verified", "!=", False)],
                ["recall_id"],
                ["__count"],
            )
        )
        for recall in self:
            recall.checked_customer_count = verified.get(recall, 0)

    # ------------------------------------------------------------------
    # Constrains
    # ------------------------------------------------------------------
    @api.constrains("check_level", "check_share", "target_rate")
    def _check_effectiveness_values(self):
        for recall in self:
            if recall.check_level == "B" and not FIXED_SHARES["C"] < recall.check_share < 100.0:
                raise ValidationError(
                    self.env._(
                        "%(recall)s: level B verifies more than 10 %% and less than 100 %% of the customers; "
                        "set the share between them, or choose level A or C.",
                        recall=recall.name,
                    )
                )
            if not 0.0 <= recall.target_rate <= 100.0:
                raise ValidationError(
                    self.env._(
                        "%(recall)s: the target recovery rate is a percentage, from 0 to 100.",
                        recall=recall.name,
                    )
                )

    # ------------------------------------------------------------------
    # Actions
    # ------------------------------------------------------------------
    def action_pick_checks(self):
        """Pick the customers to verify at the check level, at random among the notified ones,
        on top of those picked already; list them."""
        self.ensure_one()
        self._check_recall_manager()
        Notice = self.env["storq.recall.notice"]
        notices = Notice.search([("recall_id", "=", self.id)])
        if not notices:
            raise UserError(
                self.env._(
                    "%(recall)s: notify the customers first, then pick those to verify.", recall=self.name
                )
            )
        picked = notices.filtered("to_verify")
        missing = customers_to_check(self.check_share, len(notices)) - len(picked)
        if missing > 0:
            # Seeded by the recall: the same draw if it is redone, auditable.
            chosen = random.Random(self.id).sample((notices - picked).ids, missing)
            Notice.browse(chosen).write({"to_verify": True})
            self.message_post(
                body=self.env._(
                    "%(count)s customer(s) picked for the effectiveness check "
                    "(level %(level)s, %(share)s %%).",
                    count=missing,
                    level=self.check_level,
                    share=self.check_share,
                )
            )
        action = self.action_view_notices()
        action["name"] = self.env._("Customers to verify for %(recall)s", recall=self.name)
        action["context"] = dict(action["context"], search_default_to_verify=1)
        return action

    def action_view_recovery(self):
        """The recovery by customer and by situation: the recall lines in a pivot."""
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Recovery of %(recall)s", recall=self.name),
            "res_model": "storq.recall.line",
            "view_mode": "pivot,list",
            "views": [
                (self.env.ref("storq_serials.storq_recall_line_view_pivot_recovery").id, "pivot"),
                (False, "list"),
            ],
            "domain": [("recall_id", "=", self.id)],
            "context": {"create": False},
        }
