from odoo import api
from odoo import fields
from odoo import models
from odoo.exceptions import UserError
from odoo.exceptions import ValidationError

OPEN_MOVE_STATES = ("waiting", "confirmed", "partially_available", "assigned")


class ProductTemplate(models.Model):
    _inherit = "product.template"

    # ------------------------------------------------------------------
    # Fields
    # ------------------------------------------------------------------
    storq_serial_control = fields.Boolean(
        "Serial control",
        compute="_compute_storq_serial_control",
        store=True,
        readonly=False,
        precompute=True,
        tracking=True,
        help="Every unit must carry its own serial number in every operation that moves it "
        "(receipts, transfers, deliveries, returns, scrap, inventory adjustments), and serials "
        "are checked against the format rule. Defaults to the product category's setting.",
    )
    storq_serial_format_id = fields.Many2one(
        "storq.serial.format",
        "Serial format",
        check_company=True,
        help="Format rule of this product's serials; when empty, the category's rule applies.",
    )
    storq_effective_format_id = fields.Many2one(
        "storq.serial.format",
        "Applied serial format",
        compute="_compute_storq_effective_format_id",
    )

    # ------------------------------------------------------------------
    # Compute
    # ------------------------------------------------------------------
    @api.depends("categ_id", "type")
    def _compute_storq_serial_control(self):
        # The category gives the default when goods are created or change category, but a
        # category never takes serial control away from a product with units: their serials
        # would silently stop being checked and their history stop growing. Turning it off
        # stays possible, on the product itself.
        keep = self._storq_controlled_with_units()
        for template in self:
            default = template.categ_id.storq_serial_control and template.type == "consu"
            template.storq_serial_control = default or (
                template._origin.id in keep and template.type == "consu"
            )

    @api.depends("storq_serial_format_id", "categ_id.storq_serial_format_id")
    def _compute_storq_effective_format_id(self):
        for template in self:
            template.storq_effective_format_id = template._storq_effective_format()

    # ------------------------------------------------------------------
    # Constraints and onchange
    # ------------------------------------------------------------------
    @api.constrains("storq_serial_control", "type")
    def _check_storq_serial_control_goods(self):
        for template in self:
            if template.storq_serial_control and template.type != "consu":
                raise ValidationError(
                    self.env._(
                        "%(product)s cannot be under serial control: only goods are tracked per "
                        "unit. Set its type to Goods or turn serial control off.",
                        product=template.display_name,
                    )
                )

    @api.onchange("storq_serial_control")
    def _onchange_storq_serial_control(self):
        if self.storq_serial_control:
            self.is_storable = True
            self.tracking = "serial"

    # ------------------------------------------------------------------
    # CRUD
    # ------------------------------------------------------------------
    @api.model_create_multi
    def create(self, vals_list):
        """1. the test-only switch's defaults (product_template_test_switch.py), 2. Odoo creates,
        3. serial control applied to the new products (their variants and category defaults)."""
        self._storq_test_switch_defaults(vals_list)
        templates = super().create(vals_list)
        templates._storq_apply_serial_control({})
        return templates

    def write(self, vals):
        watched = {"storq_serial_control", "tracking", "is_storable", "categ_id", "type"}
        if not watched & set(vals):
            return super().write(vals)
        before = {t.id: (t.storq_serial_control, t.tracking) for t in self}
        result = super().write(vals)
        self._storq_apply_serial_control(before)
        return result

    # ------------------------------------------------------------------
    # Business methods
    # ------------------------------------------------------------------
    def _storq_effective_format(self):
        self.ensure_one()
        return self.storq_serial_format_id or self.categ_id.storq_serial_format_id

    def _storq_controlled_with_units(self):
        """Ids of these templates that are under serial control, as saved, and have units."""
        # New records (a product being created, a form's onchange) are read as their origin.
        template_ids = [template._origin.id for template in self if template._origin.id]
        if not template_ids:
            return set()
        self.env["stock.lot"].flush_model(["product_id"])
        self.env.cr.execute(
            """
            SELECT t.id FROM product_template t
             WHERE t.id = ANY(%s) AND t.storq_serial_control
               AND EXISTS (SELECT 1 FROM product_product p JOIN stock_lot l ON l.product_id = p.id
                            WHERE p.product_tmpl_id = t.id)
            """,
            [template_ids],
        )
        return {row[0] for row in self.env.cr.fetchall()}

    def _storq_apply_serial_control(self, before):
        """Keep serial-controlled products tracked by serial, refusing what would corrupt data.

        `before` maps template id to its (serial control, tracking) before the change;
        templates absent from it are new.
        """
        controlled = self.filtered("storq_serial_control")
        if not controlled:
            return
        loosened = controlled.filtered(lambda t: before.get(t.id, (False,))[0] and t.tracking != "serial")
        if loosened:
            raise UserError(
                self.env._(
                    "%(products)s are under serial control, so they must stay tracked by unique "
                    "serial number. Turn serial control off first.",
                    products=self.env["storq.serial.input"]._capped_lines(
                        loosened.mapped("display_name"), ", "
                    ),
                )
            )
        newly = controlled.filtered(lambda t: t.id in before and not before[t.id][0])
        if newly:
            previous_tracking = {t.id: before[t.id][1] for t in newly}
            newly._storq_check_serial_control_blockers(previous_tracking)
        to_track = controlled.filtered(lambda t: t.tracking != "serial" or not t.is_storable)
        if to_track:
            to_track.write({"is_storable": True, "tracking": "serial"})
        if newly:
            # Units that existed before serial control get their record and history now.
            lots = self.env["stock.lot"].sudo().search([("product_id.product_tmpl_id", "in", newly.ids)])
            self.env["stock.lot"]._storq_rebuild_unit_records(lots)

    def _storq_check_serial_control_blockers(self, previous_tracking):
        """Refuse serial control while stock without serials or open moves would break it."""
        products = self.with_context(active_test=False).product_variant_ids
        Quant = self.env["stock.quant"].sudo()
        quant_groups = Quant._read_group(
            [
                ("product_id", "in", products.ids),
                ("location_id.usage", "in", ("internal", "transit")),
                ("quantity", "!=", 0),
                "|",
                ("lot_id", "=", False),
                ("quantity", "!=", 1),
            ],
            ["product_id", "location_id"],
            ["quantity:sum"],
        )
        retracked = products.filtered(lambda p: previous_tracking.get(p.product_tmpl_id.id) != "serial")
        move_groups = (
            self.env["stock.move"]
            .sudo()
            ._read_group(
                [("product_id", "in", retracked.ids), ("state", "in", OPEN_MOVE_STATES)],
                ["product_id"],
                ["reference:array_agg"],
            )
        )
        if not quant_groups and not move_groups:
            return
        problems = {}
        for product, location, quantity in quant_groups:
            problems.setdefault(product.product_tmpl_id, []).append(
                self.env._(
                    "%(quantity)s unit(s) on hand without their own serial number in %(location)s",
                    quantity=quantity,
                    location=location.display_name,
                )
            )
        for product, references in move_groups:
            problems.setdefault(product.product_tmpl_id, []).append(
                self.env._(
                    "open transfers: %(references)s",
                    references=", ".join(sorted(set(filter(None, references)))[:10]),
                )
            )
        lines = []
        for template, reasons in problems.items():
            lines.append(f"{template.display_name}:")
            lines.extend(f"  - {reason}" for reason in reasons)
        raise UserError(
            self.env._(
                "Serial control cannot be turned on yet:\n%(lines)s\n\nTo fix it: validate or cancel "
                "the open transfers, bring the stock without serials to zero with an inventory "
                "adjustment, then turn serial control on and receive or count the units again with "
                "their serial numbers.",
                lines=self.env["storq.serial.input"]._capped_lines(lines),
            )
        )
