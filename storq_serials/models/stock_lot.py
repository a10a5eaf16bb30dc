from odoo import api
from odoo import fields
from odoo import models
from odoo.exceptions import UserError

from ..tools.errors import SerialValidationError
from ..tools.serial_range import generate_serial_range
from .company_check_batch import companies_consistent


class StockLot(models.Model):
    _inherit = "stock.lot"

    # ------------------------------------------------------------------
    # Fields
    # ------------------------------------------------------------------
    storq_serial_control = fields.Boolean(
        related="product_id.storq_serial_control", store=True, string="Under serial control"
    )

    # ------------------------------------------------------------------
    # Onchange
    # ------------------------------------------------------------------
    @api.onchange("name", "product_id")
    def _onchange_storq_serial(self):
        """Show the verdict while typing: the normalised serial, a refusal or a typo warning."""
        if not self.name or not self.product_id.storq_serial_control:
            return None
        verdict = self.env["storq.serial.validation"]._check_serials(
            [(self.product_id, self.name, self.company_id or self.env.company)],
            exclude_lot_ids=self._origin.ids,
            warn_similar=True,
        )[0]
        if verdict.error:
            return {"warning": {"title": self.env._("Serial refused"), "message": verdict.error}}
        self.name = verdict.serial
        if verdict.warning:
            return {
                "warning": {
                    "title": self.env._("Possible typo"),
                    "message": verdict.warning,
                    "type": "notification",
                }
            }
        return None

    # ------------------------------------------------------------------
    # CRUD
    # ------------------------------------------------------------------
    @api.model_create_multi
    def create(self, vals_list):
        """The module's one override of `stock.lot.create`, in this order:

        1. the unit record is closed to clients (`_storq_check_record_create`, stock_lot_unit.py);
        2. only serial managers date a unit's manufacture (stock_lot_warranty.py);
        3. the company-wide uniqueness flag follows the company (`_storq_drop_unique_flag`,
           stock_lot_unique.py);
        4. the serials are normalised and checked in one batch (here), then Odoo creates the
           units, and the likely typos accepted are posted on them.
        """
        self._storq_check_record_create(vals_list)
        self._storq_check_manufacture_date_create(vals_list)
        vals_list = [self._storq_drop_unique_flag(vals) for vals in vals_list]
        vals_list, warnings = self._storq_validate_vals_list(vals_list)
        lots = super().create(vals_list)
        for lot, warning in zip(lots, warnings):
            if warning:
                lot.message_post(body=warning)
        return lots

    def write(self, vals):
        """The module's one override of `stock.lot.write`, in this order:

        1. the unit record is closed to clients (`_storq_check_record_write`, stock_lot_unit.py);
        2. only serial managers change a manufacture date (stock_lot_warranty.py);
        3. the company-wide uniqueness flag follows the company (stock_lot_unique.py);
        4. a controlled unit is renamed only by Correct Serial, and a new serial or product is
           checked like a new unit (here);
        5. Odoo writes, then each manufacture date changed gets its history event.
        """
        self._storq_check_record_write(vals)
        manufacture_dates = self._storq_manufacture_dates_before(vals)
        vals = self._storq_drop_unique_flag(vals)
        vals = self._storq_check_serial_write(vals)
        result = super().write(vals)
        self._storq_log_manufacture_dates(manufacture_dates)
        return result

    def _check_company(self, fnames=None):
        # The ORM checks each new lot on its own: a batch that passes is checked at once
        # (company_check_batch.py); one that fails gets Odoo's check and its message.
        if len(self) > 1 and companies_consistent(self, fnames):
            return
        super()._check_company(fnames)

    def _storq_check_serial_write(self, vals):
        """`vals` with the new serial normalised; refuses a rename outside Correct Serial, and a
        new serial or product that breaks the serial checks."""
        if "name" in vals and not self.env.su:
            self._storq_refuse_rename(vals["name"])
        if {"name", "product_id"} & set(vals) and self:
            entries = []
            for lot in self:
                product = (
                    self.env["product.product"].browse(vals["product_id"])
                    if vals.get("product_id")
                    else lot.product_id
                )
                entries.append((product, vals.get("name", lot.name), lot.company_id))
            verdicts = self.env["storq.serial.validation"]._check_serials(entries, exclude_lot_ids=self.ids)
            self._storq_raise_for_errors(verdicts)
            serials = {verdict.serial for verdict in verdicts}
            if "name" in vals and len(serials) == 1:
                vals = dict(vals, name=serials.pop())
        return vals

    # ------------------------------------------------------------------
    # Business methods
    # ------------------------------------------------------------------
    def _storq_refuse_rename(self, name):
        """A unit's serial is its identity: it changes only through Correct Serial, which asks
        for the reason and keeps the old serial in the history (`storq.unit.rename`, which
        writes in superuser mode). Lots of products outside serial control keep Odoo's rules."""
        renamed = self.filtered(lambda lot: lot.product_id.storq_serial_control and lot.name != name)
        if renamed:
            raise UserError(
                self.env._(
                    "The serial of %(serial)s cannot be changed here: use the Correct Serial button "
                    "of the unit, which asks for the reason and keeps the old serial in its history.",
                    serial=renamed[0].name,
                )
            )

    @api.model
    def _storq_validate_vals_list(self, vals_list):
        """Normalise and check the serials about to be created; refuse the batch if any is bad."""
        entries = []
        default_product = self.env.context.get("default_product_id")
        default_company = self.env.context.get("default_company_id")
        products = self.env["product.product"].browse(
            {vals.get("product_id") or default_product for vals in vals_list} - {None, False}
        )
        products.mapped("storq_serial_control")  # prefetch the whole batch at once
        for vals in vals_list:
            product = self.env["product.product"].browse(vals.get("product_id") or default_product)
            company = self.env["res.company"].browse(
                vals.get("company_id") or default_company or product.company_id.id or self.env.company.id
            )
            name = vals.get("name")
            if name is None:
                name = self.default_get(["name"]).get("name", "")
            entries.append((product, name, company))
        verdicts = self.env["storq.serial.validation"]._check_serials(entries, warn_similar=True)
        self._storq_raise_for_errors(verdicts)
        new_vals_list = []
        for vals, verdict in zip(vals_list, verdicts):
            if verdict.product.storq_serial_control:
                vals = dict(vals, name=verdict.serial)
            new_vals_list.append(vals)
        return new_vals_list, [verdict.warning for verdict in verdicts]

    def _storq_raise_for_errors(self, verdicts):
        self.env["storq.serial.validation"]._raise_for_errors(
            verdicts,
            line_label=lambda verdict: self.env._(
                "%(product)s, serial %(serial)s",
                product=verdict.product.display_name,
                serial=verdict.serial or "-",
            ),
        )

    @api.model
    def generate_lot_names(self, first_lot=None, count=None):
        """Serial ranges of serial-controlled products follow their format (padding, check digit)."""
        checks = self.env["storq.serial.input"]
        first_lot, count = checks._check_text(first_lot, "first_lot"), checks._check_count(count, "count")
        product = self.env["product.product"].browse(self.env.context.get("storq_serial_product_id"))
        if not product.storq_serial_control:
            return super().generate_lot_names(first_lot, count)
        validation = self.env["storq.serial.validation"]
        rule, label = validation._get_rule(product)
        try:
            names = generate_serial_range(rule.normalize(first_lot), count, rule)
        except SerialValidationError as error:
            raise UserError(validation._error_message(error, serial=first_lot, rule_name=label)) from error
        return [{"lot_name": name} for name in names]
