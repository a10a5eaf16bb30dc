from odoo import fields
from odoo import models


class ResPartner(models.Model):
    _inherit = "res.partner"

    # ------------------------------------------------------------------
    # Fields
    # ------------------------------------------------------------------
    storq_unit_count = fields.Integer("Units", compute="_compute_storq_unit_count")
    storq_claim_count = fields.Integer("Claims", compute="_compute_storq_claim_count")

    # ------------------------------------------------------------------
    # Compute
    # ------------------------------------------------------------------
    def _compute_storq_unit_count(self):
        units = self._storq_unit_ids_by_customer()
        for partner in self:
            partner.storq_unit_count = len(units.get(partner.commercial_partner_id._origin.id, ()))

    def _compute_storq_claim_count(self):
        customers = self.commercial_partner_id._origin.filtered("id")
        counts = {}
        if customers:
            Claim = self.env["storq.warranty.claim"].sudo()
            for partner, count in Claim._read_group(
                [("partner_id", "child_of", customers.ids)], ["partner_id"], ["__count"]
            ):
                customer_id = partner.commercial_partner_id.id
                counts[customer_id] = counts.get(customer_id, 0) + count
        for partner in self:
            partner.storq_claim_count = counts.get(partner.commercial_partner_id._origin.id, 0)

    # ------------------------------------------------------------------
    # Actions
    # ------------------------------------------------------------------
    def action_storq_view_claims(self):
        """The warranty claims of the customer (the company and its contacts)."""
        self.env["storq.serial.input"]._check_one(self)
        customer = self.commercial_partner_id
        return self.env["storq.warranty.claim"]._storq_claims_action(
            self.env._("Claims of %(customer)s", customer=customer.display_name),
            [("partner_id", "child_of", customer.id)],
            {"default_partner_id": self.id},
        )

    def action_storq_new_claim(self):
        """The Warranty Lookup for this customer: only the units they hold are offered."""
        self.env["storq.serial.input"]._check_one(self)
        return self.env["stock.lot"]._storq_lookup_action({"default_customer_id": self.id})

    def action_storq_view_units(self):
        """Every unit the customer (the company and its contacts) holds or held."""
        self.env["storq.serial.input"]._check_one(self)  # a clear error over RPC
        customer = self.commercial_partner_id
        unit_ids = sorted(self._storq_unit_ids_by_customer().get(customer.id, ()))
        return self.env["stock.lot"]._storq_units_action(
            self.env._("Units of %(customer)s", customer=customer.display_name),
            unit_ids,
        )

    # ------------------------------------------------------------------
    # Business methods
    # ------------------------------------------------------------------
    def _storq_held_units_domain(self):
        """The units the customer (its company and contacts) holds now, per the unit record."""
        return [
            ("storq_partner_id", "child_of", self.commercial_partner_id.ids),
            ("storq_state", "=", "delivered"),
        ]

    def _storq_unit_ids_by_customer(self):
        """{commercial partner id: ids of the units it holds or held}: units it holds now, and
        units with a "delivered" event to it or one of its contacts (3 queries)."""
        customers = self.commercial_partner_id._origin.filtered("id")  # not a partner being created
        result = {customer.id: set() for customer in customers}
        if not customers.ids:
            return result
        family = (
            self.sudo()
            .with_context(active_test=False)
            .search_fetch([("commercial_partner_id", "in", customers.ids)], ["commercial_partner_id"])
        )
        customer_of = {partner.id: partner.commercial_partner_id.id for partner in family}
        for partner, unit_ids in (
            self.env["stock.lot"]
            .sudo()
            ._read_group([("storq_partner_id", "in", family.ids)], ["storq_partner_id"], ["id:array_agg"])
        ):
            result[customer_of[partner.id]].update(unit_ids)
        for partner, unit_ids in (
            self.env["storq.serial.event"]
            .sudo()
            ._read_group(
                [("event_type", "=", "delivered"), ("partner_id", "in", family.ids)],
                ["partner_id"],
                ["lot_id:array_agg"],
            )
        ):
            result[customer_of[partner.id]].update(unit_ids)
        return result
