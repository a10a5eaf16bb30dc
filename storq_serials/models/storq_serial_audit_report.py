from odoo import fields
from odoo import models
from odoo import tools


class StorqSerialAuditReport(models.Model):
    """Audit accuracy per location over time: one row per unit an audit counted (expected, or
    found unexpectedly) in audits submitted or applied. Accuracy is the average of 100 for an
    expected unit found and 0 for one missing (empty for unexpected units, which AVG skips), so
    any grouping gives present / expected."""

    _name = "storq.serial.audit.report"
    _description = "Serial Audit Accuracy"
    _auto = False
    _order = "date desc"

    # ------------------------------------------------------------------
    # Fields
    # ------------------------------------------------------------------
    audit_id = fields.Many2one("storq.serial.audit", readonly=True)
    company_id = fields.Many2one("res.company", readonly=True)
    location_id = fields.Many2one("stock.location", readonly=True)
    product_id = fields.Many2one("product.product", readonly=True)
    date = fields.Datetime("Submitted on", readonly=True)
    audited_count = fields.Integer("Audited units", readonly=True)
    present_count = fields.Integer("Present", readonly=True)
    missing_count = fields.Integer("Missing", readonly=True)
    unexpected_count = fields.Integer("Unexpected", readonly=True)
    accuracy = fields.Float("Accuracy (%)", readonly=True, aggregator="avg", digits=(16, 1))

    def init(self):
        tools.drop_view_if_exists(self.env.cr, self._table)
        self.env.cr.execute(
            f"""
            CREATE VIEW {self._table} AS (
                SELECT line.id AS id,
                       line.audit_id AS audit_id,
                       audit.company_id AS company_id,
                       audit.location_id AS location_id,
                       line.product_id AS product_id,
                       audit.date_done AS date,
                       1 AS audited_count,
                       CASE WHEN line.expected AND line.result IN ('present', 'blocked') THEN 1 ELSE 0 END
                           AS present_count,
                       CASE WHEN line.result = 'missing' THEN 1 ELSE 0 END AS missing_count,
                       CASE WHEN NOT line.expected THEN 1 ELSE 0 END AS unexpected_count,
                       CASE WHEN line.expected AND line.result IN ('present', 'blocked') THEN 100.0
                            WHEN line.expected THEN 0.0 END AS accuracy
                  FROM storq_serial_audit_line line
                  JOIN storq_serial_audit audit ON audit.id = line.audit_id
                 WHERE audit.state IN ('to_review', 'applied')
                   AND (line.expected OR line.result = 'unexpected'
                        OR (line.result = 'blocked' AND line.lot_id IS NOT NULL))
            )
            """
        )
