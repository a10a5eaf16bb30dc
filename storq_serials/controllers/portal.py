from werkzeug.exceptions import NotFound

from odoo import http
from odoo.addons.portal.controllers.portal import CustomerPortal
from odoo.addons.portal.controllers.portal import pager as portal_pager
from odoo.http import request


class StorqWarrantyPortal(CustomerPortal):
    """A customer's units, their coverage and warranty claims on the portal.

    Units and claims are read in superuser mode, always filtered on the user's commercial
    partner (the company and its contacts): a unit or claim of anyone else answers 404, as one
    that does not exist.
    """

    # ------------------------------------------------------------------
    # Domains
    # ------------------------------------------------------------------
    def _storq_customer(self):
        return request.env.user.partner_id.commercial_partner_id

    def _storq_units_domain(self):
        return self._storq_customer()._storq_held_units_domain()

    def _storq_claims_domain(self):
        return [("partner_id", "child_of", self._storq_customer().id)]

    def _storq_own_unit(self, lot_id):
        """The user's customer's unit `lot_id` (superuser), or 404."""
        unit = request.env["stock.lot"].sudo().search([("id", "=", lot_id), *self._storq_units_domain()])
        if not unit:
            raise NotFound()
        return unit

    # ------------------------------------------------------------------
    # Home
    # ------------------------------------------------------------------
    def _prepare_home_portal_values(self, counters):
        values = super()._prepare_home_portal_values(counters)
        if "storq_unit_count" in counters:
            values["storq_unit_count"] = (
                request.env["stock.lot"].sudo().search_count(self._storq_units_domain())
            )
        if "storq_claim_count" in counters:
            values["storq_claim_count"] = (
                request.env["storq.warranty.claim"].sudo().search_count(self._storq_claims_domain())
            )
        return values

    # ------------------------------------------------------------------
    # Units
    # ------------------------------------------------------------------
    @http.route(["/my/units", "/my/units/page/<int:page>"], type="http", auth="user", website=True)
    def portal_my_storq_units(self, page=1, **kwargs):
        Lot = request.env["stock.lot"].sudo()
        domain = self._storq_units_domain()
        pager = portal_pager(
            url="/my/units", total=Lot.search_count(domain), page=page, step=self._items_per_page
        )
        units = Lot.search(
            domain,
            order="storq_delivered_date desc, id desc",
            limit=self._items_per_page,
            offset=pager["offset"],
        )
        customer = self._storq_customer()
        coverages = units._storq_warranty_coverages(partner=customer)
        claims = (
            request.env["storq.warranty.claim"]
            .sudo()
            .search([("lot_id", "in", units.ids), *self._storq_claims_domain()], order="id desc")
        )
        claims_by_unit = {}
        for claim in claims:
            claims_by_unit.setdefault(claim.lot_id.id, []).append(claim)
        values = self._prepare_portal_layout_values()
        values.update(
            {
                "page_name": "storq_units",
                "units": units,
                "coverages": coverages,
                "claims_by_unit": claims_by_unit,
                "pager": pager,
                "default_url": "/my/units",
                "registrable_ids": self._storq_registrable_ids(units),
            }
        )
        return request.render("storq_serials.portal_my_storq_units", values)

    def _storq_registrable_ids(self, units):
        """The units whose warranty starts when the customer registers them, not registered yet."""
        terms = units._storq_warranty_terms()
        return {
            unit.id
            for unit in units
            if not unit.storq_warranty_date_start
            and terms.get(unit)
            and terms[unit].trigger == "registration"
        }

    @http.route("/my/units/<int:lot_id>/register", type="http", auth="user", website=True, methods=["POST"])
    def portal_storq_register(self, lot_id, **kwargs):
        unit = self._storq_own_unit(lot_id)
        unit._storq_register_warranty(unit.storq_partner_id)
        return request.redirect("/my/units")

    @http.route("/my/units/<int:lot_id>/claim", type="http", auth="user", website=True, methods=["GET"])
    def portal_storq_claim_form(self, lot_id, **kwargs):
        unit = self._storq_own_unit(lot_id)
        values = self._prepare_portal_layout_values()
        values.update(
            {
                "page_name": "storq_claim_new",
                "unit": unit,
                "coverage": unit._storq_warranty_coverage(self._storq_customer(), None),
                "error": kwargs.get("error"),
            }
        )
        return request.render("storq_serials.portal_storq_claim_new", values)

    @http.route("/my/units/<int:lot_id>/claim", type="http", auth="user", website=True, methods=["POST"])
    def portal_storq_claim_submit(self, lot_id, description="", **kwargs):
        unit = self._storq_own_unit(lot_id)
        description = (description or "").strip()
        if not description:
            return request.redirect(f"/my/units/{unit.id}/claim?error=description")
        Claim = request.env["storq.warranty.claim"].sudo()
        claim = Claim.create(Claim._storq_portal_claim_vals(request.env.user.partner_id, unit, description))
        claim._storq_notify_portal_claim()
        return request.redirect(f"/my/claims/{claim.id}")

    # ------------------------------------------------------------------
    # Claims
    # ------------------------------------------------------------------
    @http.route(["/my/claims", "/my/claims/page/<int:page>"], type="http", auth="user", website=True)
    def portal_my_storq_claims(self, page=1, **kwargs):
        Claim = request.env["storq.warranty.claim"].sudo()
        domain = self._storq_claims_domain()
        pager = portal_pager(
            url="/my/claims", total=Claim.search_count(domain), page=page, step=self._items_per_page
        )
        claims = Claim.search(domain, order="id desc", limit=self._items_per_page, offset=pager["offset"])
        values = self._prepare_portal_layout_values()
        values.update(
            {"page_name": "storq_claims", "claims": claims, "pager": pager, "default_url": "/my/claims"}
        )
        return request.render("storq_serials.portal_my_storq_claims", values)

    @http.route("/my/claims/<int:claim_id>", type="http", auth="user", website=True)
    def portal_my_storq_claim(self, claim_id, **kwargs):
        claim = (
            request.env["storq.warranty.claim"]
            .sudo()
            .search([("id", "=", claim_id), *self._storq_claims_domain()])
        )
        if not claim:
            raise NotFound()
        values = self._prepare_portal_layout_values()
        values.update({"page_name": "storq_claim", "claim": claim})
        return request.render("storq_serials.portal_my_storq_claim", values)
