import random

from odoo import api
from odoo import fields
from odoo import models
from odoo.exceptions import AccessError
from odoo.exceptions import UserError
from odoo.tools import SQL

from .storq_recall_line import CLOSED_STATES

AUDIT_STATES = [
    ("draft", "Draft"),
    ("in_progress", "In progress"),
    ("to_review", "To review"),
    ("applied", "Applied"),
    ("cancelled", "Cancelled"),
]
# States in which the expected list stays hidden from serial users in blind mode.
BLIND_STATES = ("draft", "in_progress")


class StorqSerialAudit(models.Model):
    """A count of serial-controlled units: staff scan every unit they find in a scope (a
    location and its children, a product, a random sample), each scan is classified against
    the units the records expected there, and a serial manager applies the outcome (moves of
    units found elsewhere, missing units adjusted out). Nothing changes before that.

    Scans: `storq_audit_scan` (this model, `storq_serial_audit_scan.py`); applying:
    `action_apply` (`storq_serial_audit_apply.py`).
    """

    _name = "storq.serial.audit"
    _description = "Serial Audit"
    _inherit = ["mail.thread", "mail.activity.mixin", "storq.reference.mixin"]
    _storq_sequence_code = "storq.serial.audit"
    _order = "id desc"
    _check_company_auto = True

    # ------------------------------------------------------------------
    # Fields
    # ------------------------------------------------------------------
    name = fields.Char("Reference", required=True, readonly=True, copy=False, default="/", index="trigram")
    company_id = fields.Many2one(
        "res.company", required=True, index=True, readonly=True, default=lambda self: self.env.company
    )
    user_id = fields.Many2one("res.users", "Responsible", default=lambda self: self.env.user, tracking=True)
    state = fields.Selection(
        AUDIT_STATES, default="draft", required=True, readonly=True, tracking=True, index=True
    )
    location_id = fields.Many2one(
        "stock.location",
        required=True,
        check_company=True,
        domain="[('usage', '=', 'internal')]",
        tracking=True,
        help="The units recorded in this location and its children are expected.",
    )
    product_id = fields.Many2one(
        "product.product",
        check_company=True,
        domain="[('tracking', '=', 'serial')]",
        tracking=True,
        help="Only units of this product are expected; a unit of another product is a wrong product.",
    )
    recall_id = fields.Many2one(
        "storq.recall",
        check_company=True,
        domain="[('state', '!=', 'draft')]",
        tracking=True,
        help="Only this recall's units (its open lines) recorded in the location and its children "
        "are expected: a count sees what is on the shelves it covers.",
    )
    sample_size = fields.Integer(
        "Random sample",
        help="When set, only this many units of the scope, drawn at random when the audit starts, "
        "are expected.",
    )
    blind = fields.Boolean(
        "Blind count",
        help="Serial users do not see the expected units until the audit is submitted.",
    )
    date_start = fields.Datetime("Started on", readonly=True, copy=False)
    date_done = fields.Datetime("Submitted on", readonly=True, copy=False)
    date_applied = fields.Datetime("Applied on", readonly=True, copy=False)
    applied_by_id = fields.Many2one("res.users", "Applied by", readonly=True, copy=False)
    line_ids = fields.One2many("storq.serial.audit.line", "audit_id", "Lines", readonly=True)
    picking_ids = fields.Many2many(
        "stock.picking",
        string="Transfers",
        readonly=True,
        copy=False,
        help="The moves of units found elsewhere.",
    )
    scan_input = fields.Char("Scan", copy=False, help="Type or scan a serial or a GS1 code, then press Scan.")
    last_scan_status = fields.Char("Last scan status", readonly=True, copy=False)
    last_scan_message = fields.Char("Last scan", readonly=True, copy=False)
    expected_count = fields.Integer("Expected", compute="_compute_counts")
    present_count = fields.Integer("Present", compute="_compute_counts")
    missing_count = fields.Integer("Missing", compute="_compute_counts")
    unexpected_count = fields.Integer("Unexpected", compute="_compute_counts")
    unknown_count = fields.Integer("Unknown", compute="_compute_counts")
    duplicate_count = fields.Integer("Duplicates", compute="_compute_counts")
    wrong_product_count = fields.Integer("Wrong product", compute="_compute_counts")
    blocked_count = fields.Integer("Blocked found", compute="_compute_counts")
    scanned_count = fields.Integer("Scans", compute="_compute_counts")
    show_expected = fields.Boolean(compute="_compute_show_expected")

    # ------------------------------------------------------------------
    # SQL constraints
    # ------------------------------------------------------------------
    _sql_constraints = [
        ("sample_size_positive", "CHECK(sample_size >= 0)", "The random sample cannot be negative."),
    ]

    # ------------------------------------------------------------------
    # Compute
    # ------------------------------------------------------------------
    @api.depends_context("uid")
    def _compute_counts(self):
        counts = self._storq_counts()
        for audit in self:
            values = counts.get(audit.id, {})
            # Blind count: the number expected is not told either (read over RPC as well).
            audit.expected_count = values.get("expected", 0) if audit.show_expected else 0
            audit.present_count = values.get("present", 0)
            audit.missing_count = values.get("missing", 0)
            audit.unexpected_count = values.get("unexpected", 0)
            audit.unknown_count = values.get("unknown", 0)
            audit.duplicate_count = values.get("duplicate", 0)
            audit.wrong_product_count = values.get("wrong_product", 0)
            audit.blocked_count = values.get("blocked", 0)
            audit.scanned_count = values.get("scanned", 0)

    @api.depends_context("uid")
    def _compute_show_expected(self):
        manager = self.env.user.has_group("storq_serials.group_storq_manager")
        for audit in self:
            audit.show_expected = manager or not audit.blind or audit.state not in BLIND_STATES

    # ------------------------------------------------------------------
    # CRUD
    # ------------------------------------------------------------------
    @api.ondelete(at_uninstall=False)
    def _unlink_except_started(self):
        started = self.filtered(lambda audit: audit.state != "draft")
        if started:
            raise UserError(
                self.env._(
                    "%(audits)s have started: an audit is kept with its lines. Cancel it instead.",
                    audits=", ".join(started.mapped("name")),
                )
            )

    # ------------------------------------------------------------------
    # Actions
    # ------------------------------------------------------------------
    def action_start(self):
        """Snapshot the expected units from the unit records (1 query for the scope) and open
        the audit to scans."""
        for audit in self:
            if audit.state != "draft":
                raise UserError(self.env._("%(audit)s has started already: keep scanning.", audit=audit.name))
            units = audit._storq_expected_units()
            audit.write({"state": "in_progress", "date_start": fields.Datetime.now()})
            self.env["storq.serial.audit.line"].sudo().create(
                [audit._storq_expected_line_vals(unit) for unit in units]
            )
        return True

    def action_submit(self):
        """Close the count: expected units not scanned become missing; a manager reviews."""
        for audit in self:
            audit._storq_check_state("in_progress")
            pending = audit.line_ids.sudo().filtered(lambda line: line.result == "pending")
            pending.write({"result": "missing"})
            audit.write({"state": "to_review", "date_done": fields.Datetime.now()})
        return True

    def action_cancel(self):
        for audit in self:
            if audit.state == "applied":
                raise UserError(
                    self.env._(
                        "%(audit)s is applied: its moves are done. Start a new audit to correct them.",
                        audit=audit.name,
                    )
                )
            if audit.state == "to_review":
                self._storq_check_manager()
        self.write({"state": "cancelled"})
        return True

    def action_scan_input(self):
        """The form's manual scan field: scan what was typed, keep the answer on the audit."""
        self.env["storq.serial.input"]._check_one(self)
        barcode = self.scan_input
        self.scan_input = False
        self.storq_audit_scan(barcode)
        return True

    # ------------------------------------------------------------------
    # Business methods
    # ------------------------------------------------------------------
    def _storq_check_state(self, state):
        labels = dict(self._fields["state"]._description_selection(self.env))
        if self.state != state:
            raise UserError(
                self.env._(
                    "%(audit)s is %(current)s; this is done on an audit that is %(expected)s.",
                    audit=self.name,
                    current=labels[self.state],
                    expected=labels[state],
                )
            )

    @api.model
    def _storq_check_manager(self):
        if not self.env.user.has_group("storq_serials.group_storq_manager"):
            raise AccessError(
                self.env._("Only serial managers review and apply audits: ask one to check this audit.")
            )

    def _get_expected_domain(self):
        """The units the records hold in the audit's scope (override point)."""
        self.ensure_one()
        domain = [
            ("storq_state", "=", "in_stock"),
            ("storq_location_id", "child_of", self.location_id.id),
            ("company_id", "in", [False, self.company_id.id]),
        ]
        if self.product_id:
            domain.append(("product_id", "=", self.product_id.id))
        if self.recall_id:
            # The recall's open lines, as a sub-query: a recall may hold a million units.
            lines = (
                self.env["storq.recall.line"]
                .sudo()
                ._search([("recall_id", "=", self.recall_id.id), ("state", "not in", CLOSED_STATES)])
            )
            domain.append(("id", "in", lines.subselect(SQL.identifier(lines.table, "lot_id"))))
        return domain

    def _storq_expected_units(self):
        units = (
            self.env["stock.lot"]
            .sudo()
            .search_fetch(self._get_expected_domain(), ["product_id", "storq_location_id"], order="id")
        )
        if self.sample_size and self.sample_size < len(units):
            units = units.browse(sorted(random.sample(units.ids, self.sample_size)))
        return units

    def _storq_expected_line_vals(self, unit):
        return {
            "audit_id": self.id,
            "lot_id": unit.id,
            "serial": unit.name,
            "product_id": unit.product_id.id,
            "expected": True,
            "expected_location_id": unit.storq_location_id.id,
            "result": "pending",
        }

    def _storq_counts(self):
        """{audit id: {result: count, "expected": n, "scanned": n}} in one query (as superuser:
        blind mode hides the lines, not the figures the form needs)."""
        result = {audit.id: {} for audit in self}
        if not self.ids:
            return result
        groups = (
            self.env["storq.serial.audit.line"]
            .sudo()
            ._read_group(
                [("audit_id", "in", self.ids)],
                ["audit_id", "result", "expected"],
                ["__count"],
            )
        )
        for audit, line_result, expected, count in groups:
            values = result[audit.id]
            values[line_result] = values.get(line_result, 0) + count
            if expected and line_result == "blocked":
                values["present"] = values.get("present", 0) + count  # found where expected
            if expected and line_result != "duplicate":
                values["expected"] = values.get("expected", 0) + count
            if line_result not in ("pending", "missing"):
                values["scanned"] = values.get("scanned", 0) + count
        return result
