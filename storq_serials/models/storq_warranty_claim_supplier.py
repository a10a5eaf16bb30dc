from odoo import api
from odoo import fields
from odoo import models
from odoo.exceptions import UserError

SUPPLIER_CLAIM_STATES = [
    ("sent", "Sent to the vendor"),
    ("credited", "Credited"),
    ("refused", "Refused"),
]


class StorqWarrantyClaim(models.Model):
    """Passing an approved claim back to the vendor while the unit is inside the vendor's
    warranty: the unit goes back to them by a real transfer, and what they credit is tracked."""

    _inherit = "storq.warranty.claim"

    # ------------------------------------------------------------------
    # Fields
    # ------------------------------------------------------------------
    supplier_warranty_date_end = fields.Date(
        "Vendor warranty until",
        readonly=True,
        copy=False,
        help="The vendor's warranty end of the unit on the day of the claim.",
    )
    supplier_claimable = fields.Boolean(
        "Can be claimed from the vendor",
        compute="_compute_supplier_claimable",
        help="Approved, inside the vendor's warranty, not yet claimed from them.",
    )
    supplier_claim_state = fields.Selection(
        SUPPLIER_CLAIM_STATES,
        "Vendor claim",
        readonly=True,
        copy=False,
        tracking=True,
        index="btree_not_null",
    )
    supplier_picking_id = fields.Many2one("stock.picking", "Return to the vendor", readonly=True, copy=False)
    supplier_credit_amount = fields.Monetary(
        "Credited by the vendor", currency_field="currency_id", copy=False, tracking=True
    )
    supplier_credit_ref = fields.Char(
        "Vendor credit reference", copy=False, help="The vendor's credit note or RMA reference."
    )

    # ------------------------------------------------------------------
    # Compute
    # ------------------------------------------------------------------
    @api.depends("state", "supplier_claim_state", "supplier_warranty_date_end", "claim_date")
    def _compute_supplier_claimable(self):
        for claim in self:
            claim.supplier_claimable = bool(
                claim.state in ("approved", "resolved")
                and not claim.supplier_claim_state
                and claim.supplier_warranty_date_end
                and claim.supplier_warranty_date_end >= claim.claim_date
            )

    # ------------------------------------------------------------------
    # Actions
    # ------------------------------------------------------------------
    def action_claim_supplier(self):
        """Send the unit back to its vendor by a return transfer, validated like any other."""
        self.ensure_one()
        if not self.supplier_claimable:
            raise UserError(
                self.env._(
                    "%(claim)s cannot be claimed from the vendor: only an approved claim on a unit "
                    "inside its vendor's warranty (until %(date)s), not claimed from them yet, can be.",
                    claim=self.name,
                    date=self.supplier_warranty_date_end or "-",
                )
            )
        lot = self.lot_id.sudo()
        if lot.storq_state not in ("in_stock", "in_repair") or lot.storq_partner_id:
            raise UserError(
                self.env._(
                    "%(situation)s: the unit goes back to the vendor once it is back in our stock "
                    "and no longer kept for the customer (a replacement or a refund takes it back).",
                    situation=lot._storq_situation(),
                )
            )
        self.supplier_picking_id = self._send_to_supplier(lot)
        self.supplier_claim_state = "sent"
        self._log_unit_events(
            "claim_supplier",
            self.env._(
                "Claimed from %(vendor)s (%(claim)s)", vendor=self.supplier_id.display_name, claim=self.name
            ),
        )

    def action_supplier_credited(self):
        self.ensure_one()
        if self.supplier_claim_state != "sent":
            raise UserError(self.env._("%(claim)s was not sent to the vendor.", claim=self.name))
        if self.supplier_credit_amount <= 0:
            raise UserError(
                self.env._(
                    "%(claim)s: write what the vendor credited (the amount, and their reference) first.",
                    claim=self.name,
                )
            )
        self.supplier_claim_state = "credited"

    def action_supplier_refused(self):
        self.ensure_one()
        if self.supplier_claim_state != "sent":
            raise UserError(self.env._("%(claim)s was not sent to the vendor.", claim=self.name))
        self.supplier_claim_state = "refused"

    def action_view_supplier_picking(self):
        self.ensure_one()
        return self._open_record(self.supplier_picking_id)

    # ------------------------------------------------------------------
    # Business methods
    # ------------------------------------------------------------------
    def _send_to_supplier(self, lot):
        """An outgoing transfer of the warehouse from the unit's location to the vendor, on the
        purchase order line it was bought on (the order counts it returned, to be refunded)."""
        Record = self.env["storq.serial.return.record"]
        Record._check_can_take_back()
        vendor = self.supplier_id or lot.storq_supplier_id
        source = lot.storq_location_id
        warehouse = source.warehouse_id or Record._get_warehouse(self.company_id)
        destination = vendor.property_stock_supplier
        purchase_line = lot.storq_purchase_id.order_line.filtered(
            lambda line: line.product_id == lot.product_id
        )[:1]
        return self._storq_send_unit(
            lot,
            warehouse.out_type_id,
            vendor,
            destination,
            {},
            {"purchase_line_id": purchase_line.id, "to_refund": bool(purchase_line)},
        )

    def _pickings(self):
        return super()._pickings() | self.supplier_picking_id
