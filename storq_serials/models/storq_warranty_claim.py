from odoo import api
from odoo import fields
from odoo import models
from odoo.exceptions import UserError
from odoo.tools import SQL

COVERAGES = [
    ("covered", "Covered"),
    ("expired", "Warranty expired"),
    ("no_warranty", "No warranty"),
    ("not_sold", "Not sold by us"),
    ("other_customer", "Sold to another customer"),
]
CLAIM_STATES = [
    ("new", "New"),
    ("review", "In review"),
    ("approved", "Approved"),
    ("rejected", "Rejected"),
    ("resolved", "Resolved"),
    ("closed", "Closed"),
]
# A claim in these states no longer holds its unit: another claim may be opened for it.
DONE_STATES = ("rejected", "closed")
# Units in these states are gone from everybody's hands: nothing left to claim.
UNCLAIMABLE_UNIT_STATES = ("scrapped", "written_off")


class StorqWarrantyClaim(models.Model):
    """A customer's warranty claim on one unit: the verdict at claim time, the workflow, the remedy.

    Opened with the customer, the unit and the problem; the rest (product, order, delivery date,
    coverage) is read from the unit record when the claim is created and kept as it was then.
    The workflow is in this file; the remedies in `storq_warranty_claim_resolution.py`, the
    supplier claim in `storq_warranty_claim_supplier.py`.
    """

    _name = "storq.warranty.claim"
    _description = "Warranty Claim"
    _inherit = ["mail.thread", "mail.activity.mixin", "storq.reference.mixin"]
    _storq_sequence_code = "storq.warranty.claim"
    _order = "id desc"
    _check_company_auto = True
    _rec_names_search = ["name", "lot_id.name", "partner_id.name"]

    # ------------------------------------------------------------------
    # Defaults
    # ------------------------------------------------------------------
    def _default_user_id(self):
        # A claim a customer opens from the portal waits for staff to take it.
        return self.env.user if not self.env.user.share else False

    def _default_team_id(self):
        if self.env.user.share:
            return False
        return self.env["crm.team"]._get_default_team_id()

    # ------------------------------------------------------------------
    # Fields
    # ------------------------------------------------------------------
    name = fields.Char("Reference", required=True, readonly=True, copy=False, default="/", index="trigram")
    partner_id = fields.Many2one(
        "res.partner",
        "Customer",
        required=True,
        index=True,
        tracking=True,
        check_company=True,
        help="The customer who reports the problem.",
    )
    lot_id = fields.Many2one(
        "stock.lot",
        "Unit",
        required=True,
        index=True,
        tracking=True,
        check_company=True,
        ondelete="restrict",
        domain="[('storq_serial_control', '=', True)]",
    )
    product_id = fields.Many2one(
        "product.product", compute="_compute_unit_facts", store=True, readonly=True, index=True
    )
    sale_id = fields.Many2one(
        "sale.order",
        "Sale order",
        compute="_compute_unit_facts",
        store=True,
        readonly=True,
        index="btree_not_null",
        help="The order the unit was delivered on, when the claim was opened.",
    )
    sale_line_id = fields.Many2one(
        "sale.order.line", "Sale order line", compute="_compute_unit_facts", store=True, readonly=True
    )
    delivery_picking_id = fields.Many2one(
        "stock.picking", "Delivery", compute="_compute_unit_facts", store=True, readonly=True
    )
    delivery_date = fields.Date("Delivered on", compute="_compute_unit_facts", store=True, readonly=True)
    supplier_id = fields.Many2one(
        "res.partner",
        "Vendor",
        compute="_compute_unit_facts",
        store=True,
        readonly=True,
        help="The vendor the unit was bought from.",
    )
    claim_date = fields.Date(
        "Claimed on", required=True, readonly=True, default=fields.Date.context_today, copy=False
    )
    description = fields.Text("Problem", required=True, help="The problem as the customer reports it.")
    user_id = fields.Many2one(
        "res.users",
        "Responsible",
        default=lambda self: self._default_user_id(),
        tracking=True,
        index=True,
        check_company=True,
        domain="[('share', '=', False)]",
    )
    team_id = fields.Many2one(
        "crm.team",
        "Sales team",
        default=lambda self: self._default_team_id(),
        tracking=True,
        check_company=True,
    )
    company_id = fields.Many2one(
        "res.company", required=True, index=True, readonly=True, default=lambda self: self.env.company
    )
    currency_id = fields.Many2one(related="company_id.currency_id")
    coverage = fields.Selection(
        COVERAGES,
        required=True,
        readonly=True,
        index=True,
        tracking=True,
        copy=False,
        default="no_warranty",
        help="The warranty verdict on the day of the claim, from the unit's own history. It is "
        "kept as it was: a later change of the warranty terms does not change it.",
    )
    warranty_date_end = fields.Date(
        "Warranty until", readonly=True, copy=False, help="The unit's warranty end on the day of the claim."
    )
    state = fields.Selection(
        CLAIM_STATES, required=True, default="new", readonly=True, index=True, tracking=True, copy=False
    )
    resolution = fields.Selection(
        [
            ("repair", "Repair"),
            ("replace", "Replace"),
            ("refund", "Refund"),
            ("goodwill", "Goodwill"),
        ],
        tracking=True,
        help="Repair: the unit comes back, is repaired and sent back to the customer. Replace: the "
        "unit comes back and another one of the same product is delivered. Refund: the unit comes "
        "back and the customer gets a credit note. Goodwill: nothing comes back.",
    )
    reject_reason = fields.Text("Rejection reason", tracking=True, copy=False)
    approved_by_id = fields.Many2one("res.users", "Approved by", readonly=True, copy=False)
    goodwill = fields.Boolean(
        readonly=True,
        copy=False,
        help="Approved by a manager although the unit is not covered.",
    )

    # ------------------------------------------------------------------
    # SQL constraints
    # ------------------------------------------------------------------
    def init(self):
        # One open claim per unit, also under concurrency (two people claiming at once).
        self.env.cr.execute(
            SQL(
                """CREATE UNIQUE INDEX IF NOT EXISTS storq_warranty_claim_one_open_per_unit
                   ON storq_warranty_claim (lot_id) WHERE state NOT IN %s""",
                DONE_STATES,
            )
        )

    # ------------------------------------------------------------------
    # Compute
    # ------------------------------------------------------------------
    @api.depends("lot_id")
    def _compute_unit_facts(self):
        """What the unit record says on the day the claim is opened; not recomputed later (the
        unit cannot be changed on a saved claim)."""
        for claim in self:
            lot = claim.lot_id.sudo()
            delivered = lot.storq_delivered_date
            claim.product_id = lot.product_id
            claim.sale_id = lot.storq_sale_id.sudo(False)
            claim.sale_line_id = lot.storq_sale_line_id.sudo(False)
            claim.delivery_picking_id = lot.storq_delivery_picking_id.sudo(False)
            claim.delivery_date = (
                fields.Datetime.context_timestamp(claim, delivered).date() if delivered else False
            )
            claim.supplier_id = lot.storq_supplier_id.sudo(False)

    # ------------------------------------------------------------------
    # Onchange
    # ------------------------------------------------------------------
    @api.onchange("lot_id")
    def _onchange_lot_id(self):
        if self.lot_id and not self.partner_id:
            self.partner_id = self.lot_id.sudo().storq_partner_id.sudo(False)

    # ------------------------------------------------------------------
    # CRUD
    # ------------------------------------------------------------------
    @api.model_create_multi
    def create(self, vals_list):
        """1. the unit's customer and company as defaults, 2. the unit may be claimed, 3. Odoo
        creates, 4. the coverage frozen, 5. the unit's event, 6. the acknowledgement mail, 7. the
        link to the unit's open recall line (storq_warranty_claim_recall.py)."""
        lots = self.env["stock.lot"].browse([vals.get("lot_id") for vals in vals_list if vals.get("lot_id")])
        lots.check_access("read")
        by_id = {lot.id: lot.sudo() for lot in lots}
        for vals in vals_list:
            lot = by_id.get(vals.get("lot_id"))
            if not lot:
                continue
            if not vals.get("partner_id") and lot.storq_partner_id:
                vals["partner_id"] = lot.storq_partner_id.id
            if lot.company_id and not vals.get("company_id"):
                vals["company_id"] = lot.company_id.id
        self._check_claimable(lots, vals_list)
        claims = super().create(vals_list)
        claims._set_coverage()
        claims._log_unit_events("claim_opened")
        claims._send_acknowledgement()
        claims._storq_link_recall_lines()
        return claims

    def write(self, vals):
        if "lot_id" in vals and any(claim.lot_id.id != vals["lot_id"] for claim in self):
            raise UserError(
                self.env._(
                    "The unit of a claim cannot be changed: reject this claim and open a new one for "
                    "the other unit."
                )
            )
        return super().write(vals)

    @api.ondelete(at_uninstall=False)
    def _unlink_except_handled(self):
        handled = self.filtered(lambda claim: claim.state not in ("new", "rejected"))
        if handled:
            raise UserError(
                self.env._(
                    "%(claims)s went beyond review and are part of the units' history: close them "
                    "instead of deleting them.",
                    claims=", ".join(handled.mapped("name")),
                )
            )

    # ------------------------------------------------------------------
    # Actions: workflow
    # ------------------------------------------------------------------
    def action_review(self):
        self._check_state(("new",))
        self.write({"state": "review"})

    def action_approve(self):
        self._check_state(("new", "review"))
        missing = self.filtered(lambda claim: not claim.resolution)
        if missing:
            raise UserError(
                self.env._(
                    "%(claims)s: choose the resolution (repair, replace, refund or goodwill) before "
                    "approving.",
                    claims=", ".join(missing.mapped("name")),
                )
            )
        goodwill = self.filtered(lambda claim: claim.coverage != "covered")
        if goodwill and not self._can_approve_goodwill():
            raise UserError(
                self.env._(
                    "%(claims)s: the unit is not covered (%(coverage)s). Only a serial manager or a "
                    "sales manager can approve it as goodwill: ask one of them, or reject the claim "
                    "with the reason.",
                    claims=", ".join(goodwill.mapped("name")),
                    coverage=", ".join(sorted({dict(COVERAGES)[claim.coverage] for claim in goodwill})),
                )
            )
        self.write({"state": "approved", "approved_by_id": self.env.uid})
        goodwill.write({"goodwill": True})
        self._log_unit_events("claim_approved")

    def action_reject(self):
        self._check_state(("new", "review", "approved"))
        started = self.filtered(lambda claim: claim._has_started_resolution())
        if started:
            raise UserError(
                self.env._(
                    "%(claims)s: the resolution has started (units moved or documents made) and "
                    "cannot be rejected any more. Finish it, then close the claim.",
                    claims=", ".join(started.mapped("name")),
                )
            )
        missing = self.filtered(lambda claim: not (claim.reject_reason or "").strip())
        if missing:
            raise UserError(
                self.env._(
                    "%(claims)s: write the rejection reason first (it is sent to nobody, but kept on "
                    "the claim and the unit's history).",
                    claims=", ".join(missing.mapped("name")),
                )
            )
        self.write({"state": "rejected"})
        for claim in self:
            claim._log_unit_events("claim_rejected", note=claim.reject_reason)

    def action_close(self):
        self._check_state(("resolved", "rejected"))
        self.write({"state": "closed"})
        self._log_unit_events("claim_closed")

    def action_view_unit(self):
        self.ensure_one()
        return self.env["stock.lot"]._storq_units_action(self.lot_id.display_name, self.lot_id.ids)

    # ------------------------------------------------------------------
    # Business methods
    # ------------------------------------------------------------------
    @api.model
    def _check_claimable(self, lots, vals_list):
        """Refuse units that cannot be claimed, and units with an open claim (naming it).

        One query for the open claims of the whole batch."""
        problems = []
        for lot in lots:
            if not lot.storq_serial_control:
                problems.append(
                    self.env._(
                        "%(serial)s: %(product)s is not under serial control, so its units have no "
                        "warranty record. Put the product under serial control first, or handle the "
                        "request as an ordinary return.",
                        serial=lot.name,
                        product=lot.product_id.display_name,
                    )
                )
            elif lot.storq_state in UNCLAIMABLE_UNIT_STATES:
                problems.append(
                    self.env._(
                        "%(situation)s: a unit no longer in anybody's hands cannot be claimed. Check "
                        "the serial on the customer's unit.",
                        situation=lot._storq_situation(),
                    )
                )
        open_claims = self.sudo().search_fetch(
            [("lot_id", "in", lots.ids), ("state", "not in", DONE_STATES)], ["name", "lot_id"]
        )
        for claim in open_claims:
            problems.append(
                self.env._(
                    "%(serial)s already has an open claim, %(claim)s: add to that claim, or close it "
                    "before opening another one.",
                    serial=claim.lot_id.name,
                    claim=claim.name,
                )
            )
        claimed = [vals.get("lot_id") for vals in vals_list if vals.get("lot_id")]
        twice = {lot_id for lot_id in claimed if claimed.count(lot_id) > 1}
        problems.extend(
            self.env._("%(serial)s is claimed twice at once.", serial=lot.name)
            for lot in lots.browse(sorted(twice))
        )
        if problems:
            raise UserError("\n".join(problems))

    def _set_coverage(self):
        """The warranty verdict of each unit for its customer on the claim day (frozen), and the
        vendor's warranty end then: one coverage call per customer and day, not per claim."""
        groups = self.grouped(lambda claim: (claim.partner_id, claim.claim_date))
        for (partner, claim_date), claims in groups.items():
            lots = claims.lot_id.sudo()
            verdicts = lots._storq_warranty_coverages(partner, claim_date)
            for claim in claims:
                lot = claim.lot_id.sudo()
                verdict = verdicts[lot]
                claim.write(
                    {
                        "coverage": verdict["verdict"],
                        "warranty_date_end": verdict["date_end"] or False,
                        "supplier_warranty_date_end": lot.storq_supplier_warranty_date_end,
                    }
                )

    def _can_approve_goodwill(self):
        user = self.env.user
        return (
            self.env.su
            or user.has_group("storq_serials.group_storq_manager")
            or user.has_group("sales_team.group_sale_manager")
        )

    def _check_state(self, allowed):
        wrong = self.filtered(lambda claim: claim.state not in allowed)
        if wrong:
            states = dict(CLAIM_STATES)
            raise UserError(
                self.env._(
                    "%(claims)s is %(state)s: this step needs a claim that is %(allowed)s. Reload "
                    "the claim to see where it stands.",
                    claims=", ".join(wrong.mapped("name")),
                    state=states[wrong[0].state],
                    allowed=", ".join(states[state] for state in allowed),
                )
            )

    def _has_started_resolution(self):
        """Overridden by the resolutions: True once units moved or documents were made."""
        self.ensure_one()
        return False

    def _log_unit_events(self, event_type, note=None):
        """One event on each claim's unit, with the claim as document, in one statement (as
        `stock.lot._storq_log_events`, with a document per unit)."""
        now = fields.Datetime.now()
        self.env["storq.serial.event"].sudo()._bulk_create(
            [
                {
                    "lot_id": lot.id,
                    "product_id": lot.product_id.id,
                    "company_id": lot.company_id.id or claim.company_id.id,
                    "event_type": event_type,
                    "date": now,
                    "user_id": self.env.uid,
                    "partner_id": lot.storq_partner_id.id or claim.partner_id.id,
                    "location_id": lot.storq_location_id.id,
                    "document_ref": f"{claim._name},{claim.id}",
                    "note": note or claim.name,
                }
                for claim in self
                for lot in claim.lot_id.sudo()
            ]
        )

    def _send_acknowledgement(self):
        """Tell each customer their claim is registered, with its reference (editable template)."""
        template = self.env.ref("storq_serials.mail_template_warranty_claim_ack", raise_if_not_found=False)
        if not template:
            return
        for claim in self.filtered(lambda claim: claim.partner_id.email):
            claim.with_context(mail_post_autofollow=False).message_post_with_source(
                template, subtype_xmlid="mail.mt_comment"
            )
