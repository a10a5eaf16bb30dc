from odoo import api
from odoo import fields
from odoo import models
from odoo.exceptions import UserError

RISK_CLASSES = [
    ("1", "Class I: serious harm"),
    ("2", "Class II: temporary or reversible harm"),
    ("3", "Class III: unlikely to harm"),
]
SOURCES = [
    ("own", "Our own decision"),
    ("supplier", "Supplier's recall"),
    ("authority", "Authority's order"),
]
STATES = [
    ("draft", "Draft"),
    ("confirming", "Confirming"),
    ("confirmed", "Confirmed"),
    ("closed", "Closed"),
]


class StorqRecall(models.Model):
    """A recall campaign: which units are affected, and stopping them (preview, confirm,
    quarantine). Selection, preview, confirmation and quarantine live in
    `storq_recall_selection.py`, `_preview.py`, `_confirm.py` and `_quarantine.py`."""

    _name = "storq.recall"
    _description = "Recall Campaign"
    _inherit = ["mail.thread", "mail.activity.mixin", "storq.reference.mixin"]
    _storq_sequence_code = "storq.recall"
    _order = "id desc"
    _check_company_auto = True

    # ------------------------------------------------------------------
    # Fields
    # ------------------------------------------------------------------
    name = fields.Char("Reference", required=True, readonly=True, copy=False, default="/", index="trigram")
    title = fields.Char(required=True, tracking=True)
    reason = fields.Text(help="The hazard: what is wrong with the affected units.")
    risk_class = fields.Selection(RISK_CLASSES, "Risk class", required=True, default="2", tracking=True)
    source = fields.Selection(SOURCES, required=True, default="own", tracking=True)
    external_ref = fields.Char(
        "External reference", tracking=True, help="The supplier's or the authority's reference of the recall."
    )
    user_id = fields.Many2one(
        "res.users", "Responsible", default=lambda self: self.env.user, tracking=True, check_company=True
    )
    company_id = fields.Many2one(
        "res.company", required=True, index=True, default=lambda self: self.env.company, readonly=True
    )
    state = fields.Selection(STATES, required=True, default="draft", copy=False, tracking=True, index=True)
    date_confirmed = fields.Datetime("Confirmed on", readonly=True, copy=False)

    # Selection: the affected units are those matching every criterion given.
    product_ids = fields.Many2many("product.product", string="Products", check_company=True)
    range_ids = fields.One2many("storq.recall.range", "recall_id", "Serial ranges", copy=True)
    serial_list = fields.Text(
        "Serial list", help="Serials to recall, one per line (a supplier's recall file, pasted)."
    )
    receipt_date_from = fields.Date("Received from")
    receipt_date_to = fields.Date("Received until")
    supplier_id = fields.Many2one("res.partner", check_company=True)
    purchase_id = fields.Many2one("purchase.order", "Purchase order", check_company=True)
    delivery_date_from = fields.Date("Delivered from")
    delivery_date_to = fields.Date("Delivered until")
    include_in_stock = fields.Boolean("In stock", default=True)
    include_delivered = fields.Boolean("At customers", default=True)
    include_in_repair = fields.Boolean("In repair", default=True)
    include_returned_to_vendor = fields.Boolean("Returned to vendor", default=True)
    include_scrapped = fields.Boolean("Scrapped or written off", default=True)

    # Preview, filled by `action_preview` (a snapshot: the draft changes nothing).
    preview_data = fields.Json(readonly=True, copy=False)
    preview_html = fields.Html("Preview", compute="_compute_preview_html", sanitize=False)
    preview_count = fields.Integer("Affected units", readonly=True, copy=False)
    preview_date = fields.Datetime("Previewed on", readonly=True, copy=False)
    gap_count = fields.Integer(
        "Never received", readonly=True, copy=False, help="Serials inside the ranges that we never received."
    )

    # Confirmation, in batches for large recalls.
    line_ids = fields.One2many("storq.recall.line", "recall_id", "Recalled units", readonly=True)
    line_count = fields.Integer("Units", compute="_compute_line_count")
    unit_total = fields.Integer("Units to confirm", readonly=True, copy=False)
    unit_done = fields.Integer("Units confirmed", readonly=True, copy=False)
    confirm_progress = fields.Float("Confirmed (%)", compute="_compute_confirm_progress")
    confirm_cursor = fields.Integer(readonly=True, copy=False, help="Last unit id confirmed.")

    # ------------------------------------------------------------------
    # Compute
    # ------------------------------------------------------------------
    def _compute_line_count(self):
        counts = dict(
            self.env["storq.recall.line"]._read_group(
                [("recall_id", "in", self.ids)], ["recall_id"], ["__count"]
            )
        )
        for recall in self:
            recall.line_count = counts.get(recall, 0)

    @api.depends("unit_total", "unit_done")
    def _compute_confirm_progress(self):
        for recall in self:
            recall.confirm_progress = (
                100.0 * recall.unit_done / recall.unit_total if recall.unit_total else 0.0
            )

    # ------------------------------------------------------------------
    # CRUD
    # ------------------------------------------------------------------
    @api.ondelete(at_uninstall=False)
    def _unlink_only_drafts(self):
        """A confirmed recall blocked units and wrote their history: it is closed, not deleted."""
        confirmed = self.filtered(lambda recall: recall.state != "draft")
        if confirmed:
            raise UserError(
                self.env._(
                    "%(recalls)s blocked units and is part of their history: it cannot be deleted. "
                    "Close it instead.",
                    recalls=", ".join(confirmed.mapped("name")),
                )
            )
