from odoo import Command
from odoo.tests import TransactionCase
from odoo.tests import new_test_user

from ..tools.check_digits import compute_check_digit


class StorqSerialsCase(TransactionCase):
    """Fixtures shared by the storq_serials tests: rules, a serial-controlled category and products."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env = cls.env(context=dict(cls.env.context, tracking_disable=True))
        cls.company = cls.env.company
        cls.stock_location = cls.env.ref("stock.warehouse0").lot_stock_id
        cls.supplier_location = cls.env.ref("stock.stock_location_suppliers")
        cls.customer_location = cls.env.ref("stock.stock_location_customers")
        cls.receipt_type = cls.env.ref("stock.picking_type_in")
        cls.Format = cls.env["storq.serial.format"]
        cls.Lot = cls.env["stock.lot"]
        cls.imei_rule = cls.Format.create(
            {
                "name": "Test IMEI",
                "charset": "digits",
                "min_length": 15,
                "max_length": 15,
                "check_digit": "luhn",
                "strip_prefixes": "IMEI:, IMEI",
                "example": "490154203237518",
            }
        )
        cls.tag_rule = cls.Format.create(
            {
                "name": "Test service tag",
                "charset": "upper_alnum",
                "min_length": 7,
                "max_length": 7,
                "uppercase": True,
                "strip_prefixes": "S/N:, SN",
                "example": "7XK2M93",
            }
        )
        cls.controlled_category = cls.env["product.category"].create(
            {"name": "Test phones", "storq_serial_control": True, "storq_serial_format_id": cls.imei_rule.id}
        )
        cls.phone = cls.env["product.product"].create(
            {
                "name": "Test phone",
                "type": "consu",
                "categ_id": cls.controlled_category.id,
                "barcode": "PHX-128-BOX",
                "default_code": "PHONE-1",
            }
        )
        cls.laptop = cls.env["product.product"].create(
            {
                "name": "Test laptop",
                "type": "consu",
                "storq_serial_control": True,
                "storq_serial_format_id": cls.tag_rule.id,
                "default_code": "LAPTOP-1",
            }
        )
        # Under serial control without a format rule: only the default guards apply.
        cls.gadget = cls.env["product.product"].create(
            {"name": "Test gadget", "type": "consu", "storq_serial_control": True}
        )
        cls.plain_serial_product = cls.env["product.product"].create(
            {"name": "Plain serial product", "type": "consu", "is_storable": True, "tracking": "serial"}
        )

    @classmethod
    def _make_user(cls, login, groups, company=None):
        company = company or cls.company
        return new_test_user(
            cls.env,
            login=login,
            groups=groups,
            company_id=company.id,
            company_ids=[Command.set(company.ids)],
        )

    # The first 8 digits of the IMEIs `_imeis` makes; a test class sets its own to keep its
    # serials apart from the other classes'.
    imei_prefix = "35875407"

    @classmethod
    def _imeis(cls, count, start=0):
        """`count` valid IMEIs (Luhn check digit) from number `start` on."""
        bodies = [f"{cls.imei_prefix}{n:06d}" for n in range(start, start + count)]
        return [body + compute_check_digit("luhn", body) for body in bodies]

    @classmethod
    def _create_lots(cls, product, names):
        return cls.Lot.create([{"product_id": product.id, "name": name} for name in names])

    def _receipt(self, product, serials, quantity=None):
        """A confirmed receipt of `product` with one move line per serial name."""
        picking = self.env["stock.picking"].create(
            {
                "picking_type_id": self.receipt_type.id,
                "location_id": self.supplier_location.id,
                "location_dest_id": self.stock_location.id,
                "move_ids": [
                    Command.create(
                        {
                            "name": product.name,
                            "product_id": product.id,
                            "product_uom_qty": quantity or len(serials) or 1,
                            "location_id": self.supplier_location.id,
                            "location_dest_id": self.stock_location.id,
                        }
                    )
                ],
            }
        )
        picking.action_confirm()
        if serials:
            self._set_unit_lines(picking.move_ids, [{"lot_name": serial} for serial in serials])
        return picking

    @classmethod
    def _serial_dialog_context(cls, product):
        """The context Odoo's Generate/Import Serials dialog sends for a receipt of `product`."""
        return {
            "default_product_id": product.id,
            "default_tracking": "serial",
            "default_location_dest_id": cls.stock_location.id,
            "default_picking_type_id": cls.receipt_type.id,
            "default_company_id": cls.company.id,
        }

    def _confirmed_transfer(self, product, count, source, destination, picking_type):
        """A confirmed transfer of `count` units of `product` from `source` to `destination`."""
        picking = self.env["stock.picking"].create(
            {
                "picking_type_id": picking_type.id,
                "location_id": source.id,
                "location_dest_id": destination.id,
                "move_ids": [
                    Command.create(
                        {
                            "name": product.name,
                            "product_id": product.id,
                            "product_uom_qty": count,
                            "location_id": source.id,
                            "location_dest_id": destination.id,
                        }
                    )
                ],
            }
        )
        picking.action_confirm()
        return picking

    def _to_vendor(self, product, count):
        """A confirmed transfer of `count` units of `product` from WH/Stock back to the vendor."""
        out_type = self.env.ref("stock.picking_type_out")
        return self._confirmed_transfer(product, count, self.stock_location, self.supplier_location, out_type)

    def _vendor_to_customer(self, product, count):
        """A dropship without Odoo's Dropship app: `count` units from the vendor straight to the
        customer on a receipt type, confirmed."""
        return self._confirmed_transfer(
            product, count, self.supplier_location, self.customer_location, self.receipt_type
        )

    def _return_to_vendor(self, units):
        """Send `units`, in WH/Stock, back to their vendor."""
        picking = self._to_vendor(units.product_id, len(units))
        self._set_unit_lines(picking.move_ids, [{"lot_id": unit.id, "picked": True} for unit in units])
        picking.button_validate()
        self.assertEqual(set(units.mapped("storq_state")), {"returned_to_vendor"})
        return picking

    @classmethod
    def _stock_units(cls, product, names, location=None):
        """Units `names` of `product` put in stock by an inventory adjustment (a real move, so
        each unit gets its record)."""
        lots = cls._create_lots(product, names)
        quants = (
            cls.env["stock.quant"]
            .with_context(inventory_mode=True)
            .create(
                [
                    {
                        "product_id": product.id,
                        "location_id": (location or cls.stock_location).id,
                        "lot_id": lot.id,
                        "inventory_quantity": 1,
                    }
                    for lot in lots
                ]
            )
        )
        quants.action_apply_inventory()
        return lots

    @classmethod
    def _sale(cls, partner, product, quantity):
        """A confirmed sale order of `quantity` units of `product`: its delivery is reserved."""
        order = cls.env["sale.order"].create(
            {
                "partner_id": partner.id,
                "order_line": [Command.create({"product_id": product.id, "product_uom_qty": quantity})],
            }
        )
        order.action_confirm()
        return order

    def _set_unit_lines(self, move, unit_vals):
        """Replace the move's lines with one line of quantity 1 per unit (lot_name or lot_id)."""
        move.move_line_ids.unlink()
        return self.env["stock.move.line"].create(
            [
                {
                    "move_id": move.id,
                    "picking_id": move.picking_id.id,
                    "product_id": move.product_id.id,
                    "quantity": 1,
                    "location_id": move.location_id.id,
                    "location_dest_id": move.location_dest_id.id,
                    **vals,
                }
                for vals in unit_vals
            ]
        )
