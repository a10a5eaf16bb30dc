from odoo import api
from odoo import fields
from odoo import models
from odoo import tools
from odoo.tools import SQL

from ..models.storq_serial_return_record import DISPOSITIONS


def rate_select(report, query, part, whole):
    """The SQL of a group's rate in %: the sum of `part` over the sum of `whole` (units returned
    or claimed over units delivered), not an average of the rows' rates."""
    return SQL(
        "SUM(%(part)s) * 100.0 / NULLIF(SUM(%(whole)s), 0)",
        part=report._field_to_sql(report._table, part, query),
        whole=report._field_to_sql(report._table, whole, query),
    )


class StorqReturnReport(models.Model):
    """Units delivered and units returned, side by side, for return rates.

    One row per delivery of a serial-controlled unit (from its `delivered` events) and one per
    returned unit (from the return records). The return rate of a group is its returned units
    over the units delivered in the same group; grouped by reason, over the units delivered in
    the same group without the reason (deliveries have no reason).
    """

    _name = "storq.return.report"
    _description = "Returns Analysis"
    _auto = False
    _order = "date desc"
    _rec_name = "product_id"

    # ------------------------------------------------------------------
    # Fields
    # ------------------------------------------------------------------
    date = fields.Datetime(readonly=True)
    kind = fields.Selection([("delivered", "Delivered"), ("returned", "Returned")], readonly=True)
    lot_id = fields.Many2one("stock.lot", "Unit", readonly=True)
    product_id = fields.Many2one("product.product", readonly=True)
    categ_id = fields.Many2one("product.category", "Product category", readonly=True)
    supplier_id = fields.Many2one("res.partner", readonly=True)
    partner_id = fields.Many2one("res.partner", "Customer", readonly=True)
    reason_id = fields.Many2one("storq.return.reason", readonly=True)
    disposition = fields.Selection(DISPOSITIONS, readonly=True)
    company_id = fields.Many2one("res.company", readonly=True)
    delivered_count = fields.Integer("Units delivered", readonly=True, aggregator="sum")
    returned_count = fields.Integer("Units returned", readonly=True, aggregator="sum")
    return_rate = fields.Float("Return rate (%)", readonly=True, aggregator="avg", digits=(16, 2))

    # ------------------------------------------------------------------
    # SQL view
    # ------------------------------------------------------------------
    def init(self):
        tools.drop_view_if_exists(self.env.cr, self._table)
        self.env.cr.execute(
            SQL(
                """
                CREATE VIEW %(table)s AS (
                    SELECT event.id * 2 AS id,
                           event.date AS date,
                           'delivered' AS kind,
                           event.lot_id AS lot_id,
                           event.product_id AS product_id,
                           template.categ_id AS categ_id,
                           lot.storq_supplier_id AS supplier_id,
                           event.partner_id AS partner_id,
                           NULL::integer AS reason_id,
                           NULL::varchar AS disposition,
                           event.company_id AS company_id,
                           1 AS delivered_count,
                           0 AS returned_count,
                           0.0 AS return_rate
                      FROM storq_serial_event event
                      JOIN stock_lot lot ON lot.id = event.lot_id
                      JOIN product_product product ON product.id = event.product_id
                      JOIN product_template template ON template.id = product.product_tmpl_id
                     WHERE event.event_type = 'delivered'
                    UNION ALL
                    SELECT record.id * 2 + 1,
                           record.date,
                           'returned',
                           record.lot_id,
                           record.product_id,
                           template.categ_id,
                           record.supplier_id,
                           record.partner_id,
                           record.reason_id,
                           record.disposition,
                           record.company_id,
                           0,
                           1,
                           100.0
                      FROM storq_serial_return_record record
                      JOIN product_product product ON product.id = record.product_id
                      JOIN product_template template ON template.id = product.product_tmpl_id
                )
                """,
                table=SQL.identifier(self._table),
            )
        )

    # ------------------------------------------------------------------
    # Read
    # ------------------------------------------------------------------
    def _read_group_select(self, aggregate_spec, query):
        if aggregate_spec != "return_rate:avg":
            return super()._read_group_select(aggregate_spec, query)
        return rate_select(self, query, "returned_count", "delivered_count")

    @api.model
    def read_group(self, domain, fields, groupby, offset=0, limit=None, orderby=False, lazy=True):
        """Grouped by reason, rates are over the units delivered in the group without the reason."""
        groupby = [groupby] if isinstance(groupby, str) else list(groupby)
        groups = super().read_group(domain, fields, groupby, offset, limit, orderby, lazy)
        used = groupby[:1] if lazy else groupby
        if "reason_id" not in [spec.split(":")[0] for spec in used] or not groups:
            return groups
        others = [spec for spec in used if spec.split(":")[0] != "reason_id"]
        totals = (
            super().read_group(domain, ["delivered_count:sum"], others, lazy=False)
            if others
            else (super().read_group(domain, ["delivered_count:sum"], [], lazy=False))
        )
        delivered = {self._group_key(total, others): total["delivered_count"] or 0 for total in totals}
        for group in groups:
            units = delivered.get(self._group_key(group, others), 0)
            if "delivered_count" in group:
                group["delivered_count"] = units
            if "return_rate" in group:
                group["return_rate"] = (group.get("returned_count") or 0) * 100.0 / units if units else False
        return groups

    @api.model
    def _group_key(self, group, specs):
        key = []
        for spec in specs:
            value = group.get(spec)
            key.append(value[0] if isinstance(value, tuple) else value)
        return tuple(key)

    def _return_rates(self, domain, groupby):
        """{group value: (delivered, returned, rate %)} for one grouping, e.g. "product_id"."""
        groups = self.read_group(
            domain, ["delivered_count:sum", "returned_count:sum", "return_rate:avg"], [groupby], lazy=False
        )
        return {
            self._group_key(group, [groupby])[0]: (
                group["delivered_count"],
                group["returned_count"],
                group["return_rate"],
            )
            for group in groups
        }
