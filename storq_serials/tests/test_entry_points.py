from odoo import Command
from odoo.exceptions import UserError
from odoo.exceptions import ValidationError
from odoo.tests import Form
from odoo.tests import tagged

from ..models.storq_serial_validation import CheckedSerials
from .common import StorqSerialsCase


@tagged("post_install", "-at_install")
class TestSerialEntryPoints(StorqSerialsCase):
    """Every way a serial enters Odoo goes through the same checks."""

    def test_typed_serial_on_move_line_is_normalised(self):
        picking = self._receipt(self.laptop, [" sn:7xk2m93 ", "9bq4tz1\r"])
        self.assertEqual(sorted(picking.move_line_ids.mapped("lot_name")), ["7XK2M93", "9BQ4TZ1"])
        picking.button_validate()
        self.assertEqual(picking.state, "done")
        self.assertEqual(sorted(picking.move_line_ids.lot_id.mapped("name")), ["7XK2M93", "9BQ4TZ1"])

    def test_bad_serials_on_move_lines_are_refused_all_at_once(self):
        with self.assertRaises(ValidationError) as caught:
            self._receipt(self.phone, ["358754061234563", "PHONE-1", "3587540612", "358754061234563"])
        message = str(caught.exception)
        self.assertIn("3 serial number(s) refused", message)
        self.assertIn("PHONE-1", message)
        self.assertIn("3587540612", message)
        self.assertIn("entered twice", message)

    def test_editing_a_move_line_serial_is_checked(self):
        picking = self._receipt(self.phone, ["358754061234563"])
        with self.assertRaisesRegex(ValidationError, "check digit"):
            picking.move_line_ids.lot_name = "358754061234564"

    def test_checked_serials_cannot_come_from_a_client(self):
        """Only server code that has just checked serials can spare the lines a second check:
        the same context key sent over RPC (JSON values) changes nothing."""
        move = self._receipt(self.phone, [], quantity=1).move_ids
        move.move_line_ids.unlink()
        good, bad = "358754061234563", "358754061234564"  # the second has a wrong check digit

        def line_vals(serial):
            return {
                "move_id": move.id,
                "picking_id": move.picking_id.id,
                "product_id": self.phone.id,
                "quantity": 1,
                "location_id": move.location_id.id,
                "location_dest_id": move.location_dest_id.id,
                "lot_name": serial,
            }

        Line = self.env["stock.move.line"]
        forged = Line.with_context(storq_checked_serials=[[self.phone.id, self.company.id, bad]])
        with self.assertRaisesRegex(ValidationError, "check digit"):
            forged.create(line_vals(bad))
        # A token made by server code covers the serials it lists, no other.
        token = CheckedSerials([(self.phone.id, self.company.id, good)])
        other = Line.with_context(storq_checked_serials=token)
        with self.assertRaisesRegex(ValidationError, "check digit"):
            other.create(line_vals(bad))
        line = other.create(line_vals(good))
        with self.assertRaisesRegex(ValidationError, "check digit"):
            line.with_env(forged.env).lot_name = bad

    def test_receipt_without_serials_cannot_be_validated(self):
        picking = self._receipt(self.laptop, [], quantity=2)
        picking.move_ids.quantity = 2
        with self.assertRaises(UserError):
            picking.button_validate()
        self.assertNotEqual(picking.state, "done")

    def test_operation_type_without_lot_options_still_needs_serials(self):
        """Odoo lets such types move tracked products without lots; serial control does not."""
        self.receipt_type.write({"use_create_lots": False, "use_existing_lots": False})
        picking = self._receipt(self.laptop, [], quantity=1)
        picking.move_ids.quantity = 1
        with self.assertRaisesRegex(UserError, "has no serial number"):
            picking.button_validate()

    def test_serial_less_lines_are_listed_up_to_a_cap(self):
        """A refusal of 25 lines lists 20 of them and counts the rest."""
        self.receipt_type.write({"use_create_lots": False, "use_existing_lots": False})
        picking = self._receipt(self.laptop, [], quantity=25)
        move = picking.move_ids
        move.move_line_ids.unlink()
        self.env["stock.move.line"].create([move._prepare_move_line_vals(quantity=1) for _i in range(25)])
        with self.assertRaisesRegex(UserError, "has no serial number") as caught:
            picking.button_validate()
        message = str(caught.exception)
        self.assertEqual(message.count("has no serial number"), 20)
        self.assertIn("… and 5 more.", message)

    def test_quantity_above_one_per_serial_is_refused(self):
        lot = self._create_lots(self.gadget, ["G-0001"])
        quant = self.env["stock.quant"].create(
            {
                "product_id": self.gadget.id,
                "location_id": self.stock_location.id,
                "lot_id": lot.id,
                "inventory_quantity": 3,
            }
        )
        with self.assertRaisesRegex(UserError, "counted 3.0 times"):
            quant.action_apply_inventory()
        # The same count applied without the check still cannot move 3 units under one serial.
        with self.assertRaisesRegex(UserError, "moves 3.0 units"):
            quant._apply_inventory()

    def test_inventory_adjustment_needs_serials(self):
        quant = self.env["stock.quant"].create(
            {"product_id": self.gadget.id, "location_id": self.stock_location.id, "inventory_quantity": 1}
        )
        with self.assertRaisesRegex(UserError, "counted without a serial number"):
            quant.action_apply_inventory()
        # Odoo's "apply anyway" confirmation goes straight to the moves: refused there too.
        with self.assertRaisesRegex(UserError, "has no serial number"):
            quant._apply_inventory()
        # With a serial per unit it goes through.
        lot = self._create_lots(self.gadget, ["G-0002"])
        counted = self.env["stock.quant"].create(
            {
                "product_id": self.gadget.id,
                "location_id": self.stock_location.id,
                "lot_id": lot.id,
                "inventory_quantity": 1,
            }
        )
        counted.action_apply_inventory()
        self.assertEqual(lot.product_qty, 1)

    def test_scrap_needs_a_serial(self):
        lot = self._create_lots(self.gadget, ["G-0003"])
        self.env["stock.quant"]._update_available_quantity(self.gadget, self.stock_location, 1, lot_id=lot)
        scrap = self.env["stock.scrap"].create(
            {"product_id": self.gadget.id, "scrap_qty": 1, "location_id": self.stock_location.id}
        )
        with self.assertRaisesRegex(UserError, "choose the serial number of the unit"):
            scrap.action_validate()
        # Past Odoo's "scrap anyway" confirmation, the move itself still needs the serial.
        with self.assertRaisesRegex(UserError, "has no serial number"):
            scrap.do_scrap()
        scrap.lot_id = lot
        scrap.action_validate()
        self.assertEqual(scrap.state, "done")

    def test_lot_form_normalises_and_refuses(self):
        self._create_lots(self.laptop, ["7XK2M93"])
        with Form(self.env["stock.lot"]) as form:
            form.product_id = self.laptop
            form.name = " s/n: 9bq4tz1 "
            self.assertEqual(form.name, "9BQ4TZ1", "the form shows the serial as it will be stored")
        self.assertEqual(form.record.name, "9BQ4TZ1")
        form = Form(self.env["stock.lot"])
        form.product_id = self.laptop
        with self.assertLogs("odoo.tests.form.onchange", "WARNING") as logs:
            form.name = "LAPTOP-1"
        self.assertIn("allows at most 7", "\n".join(logs.output))
        with self.assertRaises(ValidationError):
            form.save()
        with self.assertLogs("odoo.tests.form.onchange", "WARNING") as logs:
            form.name = "7XK2N93"
        self.assertIn("one character away", "\n".join(logs.output))

    def test_import_of_lots_goes_through_the_rules(self):
        result = self.Lot.load(
            ["name", "product_id/.id"],
            [["imei 358754061234563", str(self.phone.id)], ["358754061234564", str(self.phone.id)]],
        )
        self.assertFalse(result["ids"])
        self.assertTrue(any("check digit" in message["message"] for message in result["messages"]))
        result = self.Lot.load(["name", "product_id/.id"], [["imei 358754061234563", str(self.phone.id)]])
        self.assertEqual(self.Lot.browse(result["ids"]).name, "358754061234563")

    def test_generated_serials_follow_the_format(self):
        move_context = {
            "default_product_id": self.phone.id,
            "default_tracking": "serial",
            "default_quantity": 3,
            "default_location_dest_id": self.stock_location.id,
            "default_picking_type_id": self.receipt_type.id,
            "default_company_id": self.company.id,
        }
        vals_list = self.env["stock.move"].action_generate_lot_line_vals(
            move_context, "generate", "358754061234563", 3, False
        )
        names = [vals["lot_name"] for vals in vals_list]
        # The check digit is recomputed for each serial, not counted up with the body.
        self.assertEqual(names, ["358754061234563", "358754061234571", "358754061234589"])

    def test_pasted_serials_are_checked_line_by_line(self):
        move_context = {
            "default_product_id": self.laptop.id,
            "default_tracking": "serial",
            "default_location_dest_id": self.stock_location.id,
            "default_picking_type_id": self.receipt_type.id,
            "default_company_id": self.company.id,
        }
        vals_list = self.env["stock.move"].action_generate_lot_line_vals(
            move_context, "import", False, 0, "7xk2m93\nS/N: 9bq4tz1\n"
        )
        self.assertEqual([vals["lot_name"] for vals in vals_list], ["7XK2M93", "9BQ4TZ1"])
        with self.assertRaises(ValidationError) as caught:
            self.env["stock.move"].action_generate_lot_line_vals(
                move_context, "import", False, 0, "7XK2M93\nTOO-LONG-1\nLAPTOP-1\n"
            )
        self.assertIn("2 serial number(s) refused", str(caught.exception))

    def test_generate_on_a_receipt_move(self):
        picking = self.env["stock.picking"].create(
            {
                "picking_type_id": self.receipt_type.id,
                "location_id": self.supplier_location.id,
                "location_dest_id": self.stock_location.id,
                "move_ids": [
                    Command.create(
                        {
                            "name": self.laptop.name,
                            "product_id": self.laptop.id,
                            "product_uom_qty": 3,
                            "location_id": self.supplier_location.id,
                            "location_dest_id": self.stock_location.id,
                        }
                    )
                ],
            }
        )
        picking.action_confirm()
        picking.move_ids._generate_serial_numbers("ab00098", next_serial_count=3)
        self.assertEqual(sorted(picking.move_line_ids.mapped("lot_name")), ["AB00098", "AB00099", "AB00100"])

    def test_non_controlled_products_keep_odoo_behaviour(self):
        picking = self._receipt(self.plain_serial_product, [" free text "])
        self.assertEqual(picking.move_line_ids.lot_name, " free text ")
