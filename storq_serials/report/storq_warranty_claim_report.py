from odoo import fields
from odoo import models
from odoo import tools
from odoo.tools import SQL

from ..models.storq_warranty_claim import CLAIM_STATES
from ..models.storq_warranty_claim import COVERAGES
from ..models.storq_warranty_claim_supplier import SUPPLIER_CLAIM_STATES
from .storq_return_report import rate_select


class StorqWarrantyClaimReport(models.Model):
    """Warranty claims against units delivered, for failure rates.

    One row per delivery of a unit (its `delivered` events) and one per claim. The failure rate
    of a group is its claims over the units delivered in the same group, by product, supplier,
    receipt month or supplier lot (the receipt the unit came in with). Time to resolution runs
    from the claim to its `claim_resolved` event in the unit's history; supplier recoveries are
    the claims passed back to the vendor and what the vendor credited (company currency).
    """

    _name = "storq.warranty.claim.report"
    _description = "Warranty Claims Analysis"
    _auto = False
    _order = "date desc"
    _rec_name = "product_id"
    # Flushed before the view is read, so that claims and deliveries just made are counted.
    _depends = {
        "storq.serial.event": ["lot_id", "product_id", "partner_id", "company_id", "event_type", "date"],
        "storq.warranty.claim": [
            "lot_id",
            "product_id",
            "partner_id",
            "coverage",
            "state",
            "resolution",
            "company_id",
            "supplier_claim_state",
            "supplier_credit_amount",
        ],
        "stock.lot": [
            "storq_supplier_id",
            "storq_purchase_id",
            "storq_receipt_picking_id",
            "storq_received_date",
        ],
        "product.product": ["product_tmpl_id"],
        "product.template": ["categ_id"],
    }

    # ------------------------------------------------------------------
    # Fields
    # ------------------------------------------------------------------
    date = fields.Datetime(readonly=True, help="The delivery, or the opening of the claim.")
    kind = fields.Selection([("delivered", "Delivered"), ("claim", "Claim")], readonly=True)
    lot_id = fields.Many2one("stock.lot", "Unit", readonly=True)
    product_id = fields.Many2one("product.product", readonly=True)
    categ_id = fields.Many2one("product.category", "Product category", readonly=True)
    supplier_id = fields.Many2one("res.partner", readonly=True)
    purchase_id = fields.Many2one("purchase.order", "Purchase order", readonly=True)
    receipt_id = fields.Many2one(
        "stock.picking", "Supplier lot", readonly=True, help="The receipt the unit came in with."
    )
    received_date = fields.Datetime("Received on", readonly=True)
    partner_id = fields.Many2one("res.partner", "Customer", readonly=True)
    claim_id = fields.Many2one("storq.warranty.claim", readonly=True)
    coverage = fields.Selection(COVERAGES, readonly=True)
    state = fields.Selection(CLAIM_STATES, "Claim status", readonly=True)
    resolution = fields.Selection(
        [("repair", "Repair"), ("replace", "Replace"), ("refund", "Refund"), ("goodwill", "Goodwill")],
        readonly=True,
    )
    supplier_claim_state = fields.Selection(SUPPLIER_CLAIM_STATES, "Vendor claim", readonly=True)
    company_id = fields.Many2one("res.company", readonly=True)
    delivered_count = fields.Integer("Units delivered", readonly=True, aggregator="sum")
    claim_count = fields.Integer("Claims", readonly=True, aggregator="sum")
    failure_rate = fields.Float("Failure rate (%)", readonly=True, aggregator="avg", digits=(16, 2))
    resolution_days = fields.Float("Days to resolution", readonly=True, aggregator="avg", digits=(16, 1))
    supplier_claim_count = fields.Integer("Claimed from vendors", readonly=True, aggregator="sum")
    supplier_credit_amount = fields.Float(
        "Credited by vendors", readonly=True, aggregator="sum", help="In the company's currency."
    )

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
                           lot.storq_purchase_id AS purchase_id,
                           lot.storq_receipt_picking_id AS receipt_id,
                           lot.storq_received_date AS received_date,
                           event.partner_id AS partner_id,
                           NULL::integer AS claim_id,
                           NULL::varchar AS coverage,
                           NULL::varchar AS state,
                           NULL::varchar AS resolution,
                           NULL::varchar AS supplier_claim_state,
                           event.company_id AS company_id,
                           1 AS delivered_count,
                           0 AS claim_count,
                           0.0 AS failure_rate,
                           NULL::float AS resolution_days,
                           0 AS supplier_claim_count,
                           0.0 AS supplier_credit_amount
                      FROM storq_serial_event event
                      JOIN stock_lot lot ON lot.id = event.lot_id
                      JOIN product_product product ON product.id = event.product_id
                      JOIN product_template template ON template.id = product.product_tmpl_id
                     WHERE event.event_type = 'delivered'
                    UNION ALL
                    SELECT claim.id * 2 + 1,
                           claim.create_date,
                           'claim',
                           claim.lot_id,
                           claim.product_id,
                           template.categ_id,
                           lot.storq_supplier_id,
                           lot.storq_purchase_id,
                           lot.storq_receipt_picking_id,
                           lot.storq_received_date,
                           claim.partner_id,
                           claim.id,
                           claim.coverage,
                           claim.state,
                           claim.resolution,
                           claim.supplier_claim_state,
                           claim.company_id,
                           0,
                           1,
                           100.0,
                           EXTRACT(EPOCH FROM resolved.date - claim.create_date) / 86400.0,
                           CASE WHEN claim.supplier_claim_state IS NULL THEN 0 ELSE 1 END,
                           COALESCE(claim.supplier_credit_amount, 0.0)
                      FROM storq_warranty_claim claim
                      JOIN stock_lot lot ON lot.id = claim.lot_id
                      JOIN product_product product ON product.id = claim.product_id
                      JOIN product_template template ON template.id = product.product_tmpl_id
                      LEFT JOIN LATERAL (
                            SELECT MIN(event.date) AS date
                              FROM storq_serial_event event
                             WHERE event.lot_id = claim.lot_id
                               AND event.event_type = 'claim_resolved'
                               AND event.document_ref = 'storq.warranty.claim,' || claim.id
                      ) resolved ON TRUE
                )
                """,
                table=SQL.identifier(self._table),
            )
        )

    # ------------------------------------------------------------------
    # Read
    # ------------------------------------------------------------------
    def _read_group_select(self, aggregate_spec, query):
        """The failure rate of a group: its claims over its units delivered, not an average."""
        if aggregate_spec != "failure_rate:avg":
            return super()._read_group_select(aggregate_spec, query)
        return rate_select(self, query, "claim_count", "delivered_count")
