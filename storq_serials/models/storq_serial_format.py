from odoo import api
from odoo import fields
from odoo import models
from odoo import tools
from odoo.exceptions import ValidationError

from ..tools.check_digits import CHECK_DIGIT_ALGORITHMS
from ..tools.errors import SerialValidationError
from ..tools.format_rule import CHARSETS
from ..tools.format_rule import UnusableRule
from ..tools.format_rule import build_rule
from ..tools.limits import MAX_PATTERN_LENGTH
from ..tools.limits import shorten
from ..tools.limits import without_nul


class StorqSerialFormat(models.Model):
    _name = "storq.serial.format"
    _description = "Serial Number Format Rule"
    _order = "sequence, name, id"
    _check_company_auto = True

    # ------------------------------------------------------------------
    # Fields
    # ------------------------------------------------------------------
    name = fields.Char(required=True, translate=True)
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True)
    company_id = fields.Many2one(
        "res.company", index=True, help="Leave empty to share the rule between companies."
    )
    description = fields.Text(help="Where the serial is found on the unit, what it looks like.")
    pattern = fields.Char(
        "Regular expression",
        help="The whole serial (after normalisation) must match this regular expression, "
        r"e.g. ^[0-9]{15}$ for an IMEI. RE2 syntax (as Python's, without backreferences or "
        f"look-around), at most {MAX_PATTERN_LENGTH} characters.",
    )
    min_length = fields.Integer("Minimum length", help="0 means no minimum.")
    max_length = fields.Integer("Maximum length", help="0 means no maximum (128 characters at most).")
    prefix = fields.Char("Fixed prefix", help="The serial must start with this text, e.g. SN-.")
    charset = fields.Selection(
        selection=list(CHARSETS.items()), string="Allowed characters", default="any", required=True
    )
    allowed_chars = fields.Char("Custom characters", help="Every character a serial may contain.")
    uppercase = fields.Boolean(
        "Upper-case", help="Serials are upper-cased before they are checked and stored."
    )
    strip_prefixes = fields.Char(
        "Label prefixes to remove",
        help="Comma-separated label prefixes a scanner or a person may add before the serial, "
        "removed before checking and storing, e.g. S/N:, SN.",
    )
    check_digit = fields.Selection(
        selection=list(CHECK_DIGIT_ALGORITHMS.items()),
        string="Check digit",
        help="The last character of the serial is a check digit computed with this algorithm.",
    )
    accept_gtin_shape = fields.Boolean(
        "Accept GTIN-shaped serials",
        help="By default a serial that looks like a product barcode (8, 12, 13 or 14 digits with a "
        "valid GS1 check digit) is refused. Tick this if this product's real serials have that shape.",
    )
    example = fields.Char(required=True, help="A real serial of this format. It must pass the rule itself.")
    try_serial = fields.Char(
        "Try a serial",
        compute="_compute_try_serial",
        readonly=False,
        help="Type or scan a serial to see whether this rule accepts it.",
    )
    try_verdict = fields.Char(compute="_compute_try_verdict")
    try_ok = fields.Boolean(compute="_compute_try_verdict")
    product_tmpl_ids = fields.One2many("product.template", "storq_serial_format_id", "Products")
    category_ids = fields.One2many("product.category", "storq_serial_format_id", "Categories")
    product_count = fields.Integer(compute="_compute_product_count")

    # ------------------------------------------------------------------
    # Compute
    # ------------------------------------------------------------------
    def _compute_try_serial(self):
        # An input box only: nothing is stored, the form keeps what the user types.
        self.try_serial = False

    @api.depends(
        "try_serial",
        "pattern",
        "min_length",
        "max_length",
        "prefix",
        "charset",
        "allowed_chars",
        "uppercase",
        "strip_prefixes",
        "check_digit",
        "accept_gtin_shape",
    )
    def _compute_try_verdict(self):
        for rule in self:
            rule.try_ok = False
            if not rule.try_serial:
                rule.try_verdict = False
                continue
            try:
                serial = rule._build_rule().validate(rule.try_serial)
            except SerialValidationError as error:
                rule.try_verdict = self.env["storq.serial.validation"]._error_message(
                    error, serial=shorten(rule.try_serial.strip()), rule_name=rule.name
                )
            else:
                rule.try_ok = True
                rule.try_verdict = self.env._("Accepted, stored as %(serial)s", serial=serial)

    @api.depends("product_tmpl_ids", "category_ids")
    def _compute_product_count(self):
        counts = dict(
            self.env["product.template"]._read_group(
                [("storq_serial_format_id", "in", self.ids)], ["storq_serial_format_id"], ["__count"]
            )
        )
        for rule in self:
            rule.product_count = counts.get(rule, 0)

    # ------------------------------------------------------------------
    # Constraints
    # ------------------------------------------------------------------
    @api.constrains(
        "pattern",
        "min_length",
        "max_length",
        "charset",
        "allowed_chars",
        "check_digit",
        "example",
        "uppercase",
        "strip_prefixes",
        "prefix",
        "accept_gtin_shape",
    )
    def _check_rule_and_example(self):
        validation = self.env["storq.serial.validation"]
        for rule in self:
            try:
                compiled = rule._build_rule()
            except SerialValidationError as error:
                raise ValidationError(
                    self.env._(
                        "The format rule %(rule)s is not valid: %(reason)s",
                        rule=rule.name,
                        reason=validation._error_message(error),
                    )
                ) from error
            try:
                compiled.validate(rule.example)
            except SerialValidationError as error:
                raise ValidationError(
                    self.env._(
                        "The example %(example)s does not pass the rule %(rule)s: %(reason)s "
                        "Enter a real serial of this format as the example, or correct the rule.",
                        example=shorten(rule.example),
                        rule=rule.name,
                        reason=validation._error_message(
                            error, serial=shorten(rule.example), rule_name=rule.name
                        ),
                    )
                ) from error

    # ------------------------------------------------------------------
    # CRUD
    # ------------------------------------------------------------------
    @api.model_create_multi
    def create(self, vals_list):
        # A NUL character cannot be stored: removed rather than a traceback.
        records = super().create([without_nul(vals) for vals in vals_list])
        self.env.registry.clear_cache()
        return records

    def write(self, vals):
        vals = without_nul(vals)
        result = super().write(vals)
        # Compiled rules are cached per worker; clearing signals every worker to drop them.
        if set(vals) - {"try_serial", "sequence", "description", "name"}:
            self.env.registry.clear_cache()
        return result

    def unlink(self):
        result = super().unlink()
        self.env.registry.clear_cache()
        return result

    # ------------------------------------------------------------------
    # Business methods
    # ------------------------------------------------------------------
    def _prepare_rule_vals(self):
        self.ensure_one()
        prefixes = tuple(p.strip() for p in (self.strip_prefixes or "").split(",") if p.strip())
        return {
            "name": self.name or "",
            "pattern": self.pattern or "",
            "min_length": self.min_length or 0,
            "max_length": self.max_length or 0,
            "prefix": self.prefix or "",
            "charset": self.charset or "any",
            "allowed_chars": self.allowed_chars or "",
            "uppercase": self.uppercase,
            "strip_prefixes": prefixes,
            "check_digit": self.check_digit or "",
            "accept_gtin_shape": self.accept_gtin_shape,
        }

    def _build_rule(self):
        """The tools rule for the current (possibly unsaved) values."""
        self.ensure_one()
        return build_rule(**self._prepare_rule_vals())

    @api.model
    @tools.ormcache("format_id")
    def _get_compiled_rule(self, format_id):
        """The compiled rule of a saved format, cached per worker until a format changes.

        A saved rule that no longer builds (a pattern saved before patterns ran on RE2, which
        refuses backreferences and look-around) refuses every serial with the reason."""
        rule = self.browse(format_id).sudo()
        try:
            return rule._build_rule()
        except SerialValidationError as error:
            reason = self.env["storq.serial.validation"]._error_message(error)
            return UnusableRule(name=rule.name or "", reason=reason)

    def action_open_products(self):
        self.env["storq.serial.input"]._check_one(self)
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Products using %(rule)s", rule=self.name),
            "res_model": "product.template",
            "view_mode": "list,form",
            "domain": [("storq_serial_format_id", "=", self.id)],
            "context": {"default_storq_serial_format_id": self.id},
        }
