from odoo import Command
from odoo.exceptions import AccessError
from odoo.exceptions import UserError
from odoo.tests import Form
from odoo.tests import tagged

from ..tools.warranty import add_months
from .common_warranty import WarrantyCase


@tagged("post_install", "-at_install")
class TestWarrantyTriggers(WarrantyCase):
    """What starts the clock: delivery (default), the invoice, registration, manufacture + grace;
    and the vendor's warranty from our receipt."""

    def _set_trigger(self, trigger, **extra):
        self.laptop.product_tmpl_id.write({"storq_warranty_trigger": trigger, **extra})

    def _invoice(self, order, invoice_date):
        invoice = order._create_invoices()
        invoice.invoice_date = invoice_date
        invoice.action_post()
        return invoice

    def test_invoice_starts_the_warranty_when_posted(self):
        self._set_trigger("invoice")
        units = self._stock_units(self.laptop, ["INV0001", "INV0002"])
        order, _delivery = self._deliver(self.customer, units)
        self.assertEqual(set(units.mapped("storq_warranty_state")), {"none"}, "waits for the invoice")
        self.assertEqual(units[0]._storq_warranty_coverage(self.customer)["verdict"], "no_warranty")
        invoice_date = self.today - self._days(3)
        invoice = self._invoice(order, invoice_date)
        for unit in units:
            self.assertEqual(unit.storq_warranty_date_start, invoice_date)
            self.assertEqual(unit.storq_warranty_date_end, add_months(invoice_date, 12))
            self.assertEqual(unit.storq_warranty_state, "active")
        self.assertEqual(set(self._events(units, "warranty_started").mapped("document_ref")), {invoice})

    def test_invoice_posted_before_the_delivery_starts_it_at_the_delivery(self):
        self._set_trigger("invoice")
        units = self._stock_units(self.laptop, ["INVB001"])
        order = self._sale(self.customer, self.laptop, 1)
        self.laptop.invoice_policy = "order"
        invoice_date = self.today - self._days(10)
        self._invoice(order, invoice_date)
        self._deliver(self.customer, units, order=order)
        self.assertEqual(units.storq_warranty_date_start, invoice_date)
        self.assertEqual(units.storq_warranty_date_end, add_months(invoice_date, 12))

    def test_resold_unit_waits_for_the_new_customers_invoice(self):
        self._set_trigger("invoice")
        unit = self._stock_units(self.laptop, ["INVR001"])
        first, delivery = self._deliver(self.customer, unit)
        self._invoice(first, self.today)
        self.assertEqual(unit.storq_warranty_state, "active")
        self._return_from_customer(delivery, unit)
        second, _delivery = self._deliver(self.other_customer, unit)
        self.assertEqual(
            unit.storq_warranty_state, "none", "the first customer's warranty is not the second's"
        )
        self.assertIn("invoice or registration", self._events(unit, "warranty_started")[0].note)
        self.assertEqual(unit._storq_warranty_coverage(self.other_customer)["verdict"], "no_warranty")
        self._invoice(second, self.today)
        self.assertEqual(unit._storq_warranty_coverage(self.other_customer)["verdict"], "covered")

    def test_registration_by_the_customer(self):
        self._set_trigger("registration")
        units = self._stock_units(self.laptop, ["REG0001", "REG0002"])
        self._deliver(self.customer_contact, units)
        self.assertEqual(set(units.mapped("storq_warranty_state")), {"none"})
        with self.assertRaisesRegex(UserError, "not theirs"):
            units._storq_register_warranty(self.other_customer)
        registered = units[0]._storq_register_warranty(self.customer_contact)
        self.assertEqual(registered, units[0])
        self.assertEqual(units[0].storq_warranty_date_start, self.today)
        self.assertEqual(units[0].storq_warranty_date_end, add_months(self.today, 12))
        self.assertFalse(units[1].storq_warranty_date_start)
        self.assertFalse(units[0]._storq_register_warranty(self.customer), "registered once")
        # Staff register for the customer holding the unit, with the button.
        units[1].action_storq_register_warranty()
        self.assertEqual(units[1].storq_warranty_state, "active")
        with self.assertRaisesRegex(UserError, "nothing to register"):
            units[1].action_storq_register_warranty()
        self.assertEqual(len(self._events(units, "warranty_started")), 2)

    def test_manufacture_date_plus_grace(self):
        self._set_trigger("manufacture", storq_warranty_grace_days=90)
        units = self._stock_units(self.laptop, ["MFG0001", "MFG0002"])
        made = self.today - self._days(200)
        stock_user = self._make_user("warranty_stock_user", "stock.group_stock_user")
        with self.assertRaises(AccessError):
            units[0].with_user(stock_user).write({"storq_manufacture_date": made})
        manager = self._make_user("warranty_serial_manager", "stock.group_stock_manager")
        units[0].with_user(manager).write({"storq_manufacture_date": made})
        event = self._events(units[0], "manufacture_dated")
        self.assertEqual(len(event), 1)
        self.assertIn(str(made), event.note)
        self._deliver(self.customer, units)
        start = made + self._days(90)
        self.assertEqual(units[0].storq_warranty_date_start, start)
        self.assertEqual(units[0].storq_warranty_date_end, add_months(start, 12))
        # Without a manufacture date the clock starts at the delivery.
        self.assertEqual(units[1].storq_warranty_date_start, self.today)

    def test_vendor_warranty_from_our_receipt(self):
        vendor = self.env["res.partner"].create({"name": "Warranty Vendor", "is_company": True})
        vendor_contact = self.env["res.partner"].create({"name": "Vendor desk", "parent_id": vendor.id})
        silent_vendor = self.env["res.partner"].create({"name": "Vendor without warranty"})
        self.laptop.product_tmpl_id.write(
            {
                "seller_ids": [
                    Command.create(
                        {
                            "partner_id": vendor_contact.id,
                            "storq_warranty_duration": 2,
                            "storq_warranty_unit": "years",
                        }
                    ),
                    Command.create({"partner_id": silent_vendor.id}),
                ]
            }
        )
        covered = self._purchase(vendor, ["VEND001"])
        self.assertEqual(covered.storq_supplier_warranty_date_end, add_months(self.today, 24))
        uncovered = self._purchase(silent_vendor, ["VEND002"])
        self.assertFalse(uncovered.storq_supplier_warranty_date_end)
        # It is the vendor's: the customer's warranty starts at our delivery, apart from it.
        self.assertEqual(covered.storq_warranty_state, "none")

    def test_vendor_warranty_set_in_the_vendor_line_form(self):
        vendor = self.env["res.partner"].create({"name": "Form Vendor"})
        Info = self.env["product.supplierinfo"].with_context(
            default_product_tmpl_id=self.laptop.product_tmpl_id.id
        )
        with Form(Info) as info:
            info.partner_id = vendor
            info.storq_warranty_duration = 6
        self.assertEqual(
            self._purchase(vendor, ["VEND003"]).storq_supplier_warranty_date_end, add_months(self.today, 6)
        )

    def test_vendor_warranty_in_constant_queries(self):
        vendor = self.env["res.partner"].create({"name": "Bulk Vendor"})
        self.laptop.product_tmpl_id.write(
            {"seller_ids": [Command.create({"partner_id": vendor.id, "storq_warranty_duration": 18})]}
        )
        counts = []
        for size, prefix in ((3, "VQA"), (40, "VQB")):
            lots = self._purchase(vendor, [f"{prefix}{i:04d}" for i in range(size)])
            lines = lots.storq_receipt_picking_id.move_line_ids
            # Replay the receipt as a first one (the unit records are rebuilt the same way).
            lots.sudo().write({"storq_received_date": False, "storq_supplier_warranty_date_end": False})
            self.env.flush_all()
            self.env.invalidate_all()
            _ = self.env.user.company_id
            before = self.cr.sql_log_count
            self.env["stock.lot"]._storq_record_moves(lines)
            self.env.flush_all()
            counts.append(self.cr.sql_log_count - before)
            self.assertEqual(
                set(lots.mapped("storq_supplier_warranty_date_end")), {add_months(self.today, 18)}
            )
        self.assertEqual(counts[0], counts[1], f"queries for 3 and 40 units: {counts}")

    def test_product_form_shows_the_terms(self):
        arch = self.env["product.template"].get_views([(False, "form")])["views"]["form"]["arch"]
        for name in ("storq_warranty_duration", "storq_warranty_trigger", "storq_warranty_grace_days"):
            self.assertIn(name, arch)
        arch = self.env["product.category"].get_views([(False, "form")])["views"]["form"]["arch"]
        self.assertIn("storq_warranty_trigger", arch)
        arch = self.env.ref("purchase.product_supplierinfo_tree_view2")
        views = self.env["product.supplierinfo"].get_views([(arch.id, "list")])
        self.assertIn("storq_warranty_duration", views["views"]["list"]["arch"])

    def _purchase(self, vendor, serials):
        order = self.env["purchase.order"].create(
            {
                "partner_id": vendor.id,
                "order_line": [
                    Command.create(
                        {"product_id": self.laptop.id, "product_qty": len(serials), "price_unit": 100}
                    )
                ],
            }
        )
        order.button_confirm()
        picking = order.picking_ids
        self._set_unit_lines(picking.move_ids, [{"lot_name": serial} for serial in serials])
        picking.button_validate()
        return self.Lot.search([("product_id", "=", self.laptop.id), ("name", "in", serials)])
