from odoo import api
from odoo import fields
from odoo import models
from odoo.exceptions import UserError
from odoo.tools.sql import SQL


class ResCompany(models.Model):
    _inherit = "res.company"

    storq_serial_unique_per_company = fields.Boolean(
        "Serials unique across products",
        help="Refuse a serial already used by a unit of any other product of the company "
        "(by default a serial only has to be unique per product).",
    )
    storq_repair_location_id = fields.Many2one(
        "stock.location",
        "Repair location",
        check_company=True,
        domain="[('usage', '=', 'internal'), ('company_id', 'in', [id, False])]",
        help="Where returned units sent to repair are moved. Units there are in repair.",
    )

    @api.model_create_multi
    def create(self, vals_list):
        companies = super().create(vals_list)
        if any(vals.get("storq_serial_unique_per_company") for vals in vals_list):
            turned_on = companies.filtered("storq_serial_unique_per_company")
            turned_on._storq_check_unique_across_products()  # units without a company concern them
            turned_on._storq_sync_units_unique_flag()
        return companies

    def write(self, vals):
        if "storq_serial_unique_per_company" not in vals:
            return super().write(vals)
        turned_on = self.filtered(lambda c: not c.storq_serial_unique_per_company)
        if vals["storq_serial_unique_per_company"] and turned_on:
            turned_on._storq_check_unique_across_products()
        result = super().write(vals)
        self._storq_sync_units_unique_flag()
        return result

    def _storq_sync_units_unique_flag(self):
        """The units carry a copy of the option for the database constraint (stock_lot_unique.py):
        those of these companies, and those without a company (concerned while any company is)."""
        Lot = self.env["stock.lot"]
        Lot.flush_model(["company_id"])
        self.flush_recordset(["storq_serial_unique_per_company"])
        for company in self:
            self.env.cr.execute(
                SQL(
                    """
                    UPDATE stock_lot SET storq_serial_unique_company_wide = %(on)s
                     WHERE company_id = %(id)s AND storq_serial_unique_company_wide IS DISTINCT FROM %(on)s
                    """,
                    on=company.storq_serial_unique_per_company,
                    id=company.id,
                )
            )
        self.env.cr.execute(
            SQL(
                """
                UPDATE stock_lot SET storq_serial_unique_company_wide = %(on)s
                 WHERE company_id IS NULL AND storq_serial_unique_company_wide IS DISTINCT FROM %(on)s
                """,
                on=self._storq_any_unique_across_products(),
            )
        )
        Lot.invalidate_model(["storq_serial_unique_company_wide"])

    @api.model
    def _storq_any_unique_across_products(self):
        """Whether any company has "Serials unique across products" on (units without a company
        are seen by all of them)."""
        return bool(
            self.sudo()
            .with_context(active_test=False)
            .search_count([("storq_serial_unique_per_company", "=", True)], limit=1)
        )

    def _storq_check_unique_across_products(self):
        """Refuse "Serials unique across products" while units of two products share a serial."""
        Lot = self.env["stock.lot"].sudo()
        pairs = Lot._storq_unique_conflicts(limit=21, company_wide_ids=self.ids)
        if pairs:
            raise UserError(
                self.env._(
                    "Serials cannot be made unique across products yet: these units share a serial.\n"
                    "%(lines)s\n\nCorrect the serial of one unit of each pair, then turn the option on "
                    "again.",
                    lines=Lot._storq_describe_conflicts(pairs),
                )
            )

    def _storq_get_repair_location(self):
        """The company's repair location, created under its first warehouse when missing."""
        self.ensure_one()
        if self.storq_repair_location_id:
            return self.storq_repair_location_id
        warehouse = self.env["stock.warehouse"].sudo().search([("company_id", "=", self.id)], limit=1)
        if not warehouse:
            return self.env["stock.location"]
        location = (
            self.env["stock.location"]
            .sudo()
            .create(
                {
                    "name": self.env._("Repair"),
                    "usage": "internal",
                    "location_id": warehouse.view_location_id.id,
                    "company_id": self.id,
                }
            )
        )
        self.sudo().storq_repair_location_id = location
        return location
