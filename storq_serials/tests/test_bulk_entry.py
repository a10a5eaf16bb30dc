import base64
from types import SimpleNamespace
from unittest.mock import patch

from lxml import etree

from odoo import Command
from odoo.exceptions import AccessError
from odoo.exceptions import UserError
from odoo.tests import Form
from odoo.tests import tagged
from odoo.tools.safe_eval import safe_eval

from ..tools.check_digits import compute_check_digit
from .common import StorqSerialsCase
from .common_dropship import DropshipMixin


def imei(number):
    """A valid IMEI (Luhn check digit) numbered `number`."""
    body = f"35875407{number:06d}"
    return body + compute_check_digit("luhn", body)


@tagged("post_install", "-at_install")
class TestBulkEntry(StorqSerialsCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Entry = cls.env["storq.serial.bulk.entry"]
        cls.entry_action = cls.env["ir.actions.act_window"]._for_xml_id(
            "storq_serials.storq_serial_bulk_entry_action"
        )

    # Helpers -----------------------------------------------------------
    def _open(self, move, user=None):
        """The wizard as the button on the receipt line opens it."""
        env = self.env(user=user) if user else self.env
        context = {"active_model": "stock.move", "active_id": move.id, "active_ids": move.ids}
        return Form(env[self.entry_action["res_model"]].with_context(**context))

    def _entry(self, move, **values):
        form = self._open(move)
        for name, value in values.items():
            setattr(form, name, value)
        return form.save()

    def _checked(self, move, **values):
        entry = self._entry(move, **values)
        entry.action_check()
        return entry

    def _verdicts(self, entry):
        return [(line.line_number, line.serial, line.status) for line in entry.line_ids]

    def _lot_lines(self, move):
        return move.move_line_ids.filtered("lot_name").sorted("id")

    # Paste ---------------------------------------------------------------
    def test_paste_with_mixed_separators(self):
        picking = self._receipt(self.phone, [], quantity=6)
        move = picking.move_ids
        self.assertTrue(move.move_line_ids, "the receipt starts with lines without serial")
        text = f"{imei(1)}\n{imei(2)}, {imei(3)}\t{imei(4)};IMEI:{imei(5)}\n\n ;, \r\n{imei(6)}"
        entry = self._checked(move, serial_text=text)
        self.assertEqual(
            self._verdicts(entry),
            [
                (1, imei(1), "ok"),
                (2, imei(2), "ok"),
                (2, imei(3), "ok"),
                (2, imei(4), "ok"),
                (2, imei(5), "ok"),  # normalised: the "IMEI:" label prefix is dropped
                (5, imei(6), "ok"),
            ],
        )
        self.assertEqual((entry.good_count, entry.error_count), (6, 0))
        self.assertEqual(entry.summary, "6 good, 0 refused")
        entry.action_apply()
        self.assertEqual(self._lot_lines(move).mapped("lot_name"), [imei(n) for n in range(1, 7)])
        self.assertEqual(len(move.move_line_ids), 6, "the lines without serial were replaced")
        self.assertEqual(set(move.move_line_ids.mapped("quantity")), {1.0})

    def test_every_kind_of_refusal(self):
        code_owner = self.env["product.product"].create(
            {"name": "Coded thing", "type": "consu", "default_code": imei(900)}
        )
        in_stock = self._create_lots(self.phone, [imei(800)])
        self.env["stock.quant"]._update_available_quantity(
            self.phone, self.stock_location, 1, lot_id=in_stock
        )
        picking = self._receipt(self.phone, [imei(700)], quantity=8)
        move = picking.move_ids
        text = "\n".join(
            [
                imei(1),  # 1 good
                "490154203237519",  # 2 wrong check digit
                imei(900),  # 3 a product's internal reference
                imei(2),  # 4 good
                imei(2),  # 5 twice
                imei(700),  # 6 already on this receipt
                imei(800),  # 7 already in stock
                "1234",  # 8 too short
            ]
        )
        entry = self._checked(move, serial_text=text)
        reasons = {line.line_number: line.reason for line in entry.line_ids}
        statuses = {line.line_number: line.status for line in entry.line_ids}
        self.assertEqual([n for n, status in statuses.items() if status == "ok"], [1, 4])
        self.assertIn("check digit", reasons[2])
        self.assertIn("looks like a product or location code", reasons[3])
        self.assertIn(code_owner.display_name, reasons[3])
        self.assertIn("entered twice (lines 4 and 5)", reasons[5])
        self.assertIn(f"already on {picking.display_name}", reasons[6])
        self.assertIn(
            f"{imei(800)} is at {self.stock_location.display_name}: the unit of {self.phone.display_name} "
            "is already in stock",
            reasons[7],
        )
        self.assertIn("1234 has 4 characters", reasons[8])
        self.assertEqual(entry.summary, "2 good, 6 refused")

    def test_twice_on_one_line(self):
        move = self._receipt(self.phone, [], quantity=2).move_ids
        entry = self._checked(move, serial_text=f"{imei(1)}, {imei(1)}")
        self.assertIn("entered twice on line 1", entry.line_ids[1].reason)

    def test_all_or_nothing_lists_every_bad_line(self):
        move = self._receipt(self.phone, [], quantity=4).move_ids
        lines_before = move.move_line_ids
        entry = self._checked(move, serial_text=f"{imei(1)}\n123\n{imei(2)}\n490154203237519")
        self.assertEqual(entry.apply_policy, "all_or_nothing", "keeping good lines only is never the default")
        with self.assertRaises(UserError) as refusal:
            entry.action_apply()
        message = str(refusal.exception)
        self.assertIn("2 of 4 serials are refused, so nothing was applied", message)
        self.assertIn("Line 2 (123): 123 has 3 characters", message)
        self.assertIn("Line 4 (490154203237519): The check digit", message)
        self.assertNotIn("Line 1 ", message)
        self.assertEqual(move.move_line_ids, lines_before, "nothing was applied")

    def test_keep_good_lines_only_when_chosen(self):
        move = self._receipt(self.phone, [], quantity=4).move_ids
        entry = self._checked(move, serial_text=f"{imei(1)}\n123\n{imei(2)}")
        with Form(entry) as form:
            form.apply_policy = "good_only"
        action = entry.action_apply()
        self.assertEqual(self._lot_lines(move).mapped("lot_name"), [imei(1), imei(2)])
        self.assertIn("1 refused lines were left out", action["params"]["message"])

    def test_nothing_good_to_apply(self):
        move = self._receipt(self.phone, [], quantity=1).move_ids
        entry = self._checked(move, serial_text="123")
        with Form(entry) as form:
            form.apply_policy = "good_only"
        with self.assertRaisesRegex(UserError, "No serial to apply"):
            entry.action_apply()

    def test_empty_paste(self):
        move = self._receipt(self.phone, [], quantity=1).move_ids
        entry = self._entry(move, serial_text=" ,;\n\t")
        with self.assertRaisesRegex(UserError, "Enter the serials to check"):
            entry.action_check()

    def test_changing_the_input_asks_for_a_new_check(self):
        move = self._receipt(self.phone, [], quantity=2).move_ids
        entry = self._checked(move, serial_text=imei(1))
        self.assertEqual(entry.state, "checked")
        with Form(entry) as form:
            form.serial_text = f"{imei(1)}\n{imei(2)}"
        self.assertEqual(entry.state, "draft", "the verdicts and Apply are hidden until checked again")
        entry.action_check()
        self.assertEqual([line.serial for line in entry.line_ids], [imei(1), imei(2)])

    def test_apply_checks_again(self):
        """Apply never trusts verdicts made before: a unit received meanwhile is refused."""
        move = self._receipt(self.phone, [], quantity=2).move_ids
        entry = self._checked(move, serial_text=f"{imei(1)}\n{imei(2)}")
        lot = self._create_lots(self.phone, [imei(2)])
        self.env["stock.quant"]._update_available_quantity(self.phone, self.stock_location, 1, lot_id=lot)
        with self.assertRaisesRegex(UserError, "is already in stock"):
            entry.action_apply()

    def test_apply_checks_each_serial_once(self):
        """The lines that Apply saves are not checked a second time in the same request."""
        move = self._receipt(self.phone, [], quantity=3).move_ids
        entry = self._entry(move, serial_text="\n".join(imei(n) for n in range(21, 24)))
        Validation = type(self.env["storq.serial.validation"])
        original = Validation._check_serials
        batches = []

        def spy(validation, entries, *args, **kwargs):
            entries = list(entries)
            batches.append(len(entries))
            return original(validation, entries, *args, **kwargs)

        with patch.object(Validation, "_check_serials", spy):
            entry.action_apply()
        self.assertEqual(self._lot_lines(move).mapped("lot_name"), [imei(n) for n in range(21, 24)])
        self.assertEqual(batches, [3])

    # Range ---------------------------------------------------------------
    def test_range_with_zero_padding(self):
        move = self._receipt(self.gadget, [], quantity=3).move_ids
        entry = self._checked(move, mode="range", first_serial="UNIT-0098", range_count=3)
        self.assertEqual(
            self._verdicts(entry),
            [(1, "UNIT-0098", "ok"), (2, "UNIT-0099", "ok"), (3, "UNIT-0100", "ok")],
        )

    def test_range_with_luhn_check_digit(self):
        move = self._receipt(self.phone, [], quantity=3).move_ids
        first = "35875407000098" + compute_check_digit("luhn", "35875407000098")
        entry = self._checked(move, mode="range", first_serial=first, range_count=3)
        expected = [f"358754070000{n}" for n in ("98", "99")] + ["35875407000100"]
        expected = [body[:14] + compute_check_digit("luhn", body[:14]) for body in expected]
        self.assertEqual([line.serial for line in entry.line_ids], expected)
        self.assertEqual(set(entry.line_ids.mapped("status")), {"ok"})
        entry.action_apply()
        self.assertEqual(self._lot_lines(move).mapped("lot_name"), expected)

    def test_range_count_defaults_to_the_units_without_serial(self):
        picking = self._receipt(self.phone, [imei(1), imei(2)], quantity=5)
        form = self._open(picking.move_ids)
        self.assertEqual(form.range_count, 3)

    def test_range_refusals(self):
        move = self._receipt(self.phone, [], quantity=3).move_ids
        with self.assertRaisesRegex(UserError, "check digit"):
            self._checked(move, mode="range", first_serial="358754070000981", range_count=3)
        with self.assertRaisesRegex(UserError, "between 1 and"):
            self._checked(move, mode="range", first_serial=imei(1), range_count=0)
        gadget_move = self._receipt(self.gadget, [], quantity=3).move_ids
        with self.assertRaisesRegex(UserError, "needs more digits than it has"):
            self._checked(gadget_move, mode="range", first_serial="UNIT-98", range_count=3)

    # CSV -----------------------------------------------------------------
    def _csv(self, text, encoding="utf-8"):
        return base64.b64encode(text.encode(encoding))

    def test_csv_with_header(self):
        move = self._receipt(self.phone, [], quantity=2).move_ids
        content = self._csv(f"Serial number,Box\r\n{imei(1)},box 1\r\n\r\n{imei(2)},box 2\r\n")
        entry = self._checked(move, mode="csv", csv_file=content)
        self.assertEqual(
            self._verdicts(entry),
            [(1, "Serial number", "skipped"), (2, imei(1), "ok"), (4, imei(2), "ok")],
        )
        self.assertIn("column header", entry.line_ids[0].reason)
        self.assertEqual(entry.summary, "2 good, 0 refused, header row skipped")
        entry.action_apply()
        self.assertEqual(self._lot_lines(move).mapped("lot_name"), [imei(1), imei(2)])

    def test_csv_without_header_semicolons(self):
        move = self._receipt(self.phone, [], quantity=3).move_ids
        content = self._csv(f"{imei(1)};a\n{imei(2)};b\n123;c\n")
        entry = self._checked(move, mode="csv", csv_file=content)
        self.assertEqual(self._verdicts(entry), [(1, imei(1), "ok"), (2, imei(2), "ok"), (3, "123", "error")])

    def test_csv_single_column_with_a_header_that_has_digits(self):
        move = self._receipt(self.phone, [], quantity=1).move_ids
        content = self._csv(f"\ufeffIMEI1\n{imei(1)}\n", encoding="utf-8")
        entry = self._checked(move, mode="csv", csv_file=content)
        self.assertEqual(self._verdicts(entry), [(1, "IMEI1", "skipped"), (2, imei(1), "ok")])

    def test_csv_empty(self):
        move = self._receipt(self.phone, [], quantity=1).move_ids
        entry = self._entry(move, mode="csv", csv_file=self._csv("\n\n"))
        with self.assertRaisesRegex(UserError, "holds no serial"):
            entry.action_check()

    # Opening, applying, validating ------------------------------------------
    def test_from_the_action_to_validated_units(self):
        picking = self._receipt(self.phone, [], quantity=3)
        move = picking.move_ids
        form = self._open(move)
        self.assertEqual(form.picking_id, picking)
        self.assertEqual(form.product_id, self.phone)
        self.assertEqual(form.mode, "paste")
        form.serial_text = f"{imei(1)}\n{imei(2)}\n{imei(3)}"
        entry = form.save()
        action = entry.action_check()
        self.assertEqual(
            (action["res_model"], action["res_id"], action["target"]), (entry._name, entry.id, "new")
        )
        entry.action_apply()
        self.assertIs(picking.button_validate(), True)
        self.assertEqual(picking.state, "done")
        lots = self.Lot.search(
            [("product_id", "=", self.phone.id), ("name", "in", [imei(1), imei(2), imei(3)])]
        )
        self.assertEqual(len(lots), 3)
        self.assertEqual(set(lots.mapped("product_qty")), {1.0})

    def test_from_the_receipt_header(self):
        picking = self._receipt(self.phone, [], quantity=1)
        context = {"active_model": "stock.picking", "active_id": picking.id, "active_ids": picking.ids}
        form = Form(self.Entry.with_context(**context))
        self.assertEqual(form.move_id, picking.move_ids)

    def test_refused_moves(self):
        plain = self._receipt(self.plain_serial_product, [], quantity=1)
        with self.assertRaisesRegex(UserError, "not under serial control"):
            self._open(plain.move_ids)
        with self.assertRaisesRegex(UserError, "has no line to enter serials on"):
            Form(self.Entry.with_context(active_model="stock.picking", active_id=plain.id))
        done = self._receipt(self.phone, [imei(1)])
        done.button_validate()
        with self.assertRaisesRegex(UserError, "not yet validated"):
            self._open(done.move_ids)

    def test_restricted_stock_user(self):
        user = self._make_user("storq_bulk_user", "stock.group_stock_user")
        self.assertFalse(user.has_group("stock.group_stock_manager"))
        picking = self._receipt(self.phone, [], quantity=2)
        form = self._open(picking.move_ids, user=user)
        form.serial_text = f"{imei(1)}\n{imei(2)}"
        entry = form.save()
        self.assertEqual(entry.env.user, user)
        entry.action_check()
        entry.action_apply()
        picking.with_user(user).button_validate()
        self.assertEqual(picking.state, "done")
        self.assertEqual(len(self.Lot.search([("name", "in", [imei(1), imei(2)])])), 2)

    def test_second_company(self):
        """A company B user enters serials on company B receipts only. The phone is shared
        between companies, so are its units: one held in company A's stock is refused."""
        lot = self._create_lots(self.phone, [imei(800)])
        self.assertFalse(lot.company_id, "a shared product has shared units")
        self.env["stock.quant"]._update_available_quantity(self.phone, self.stock_location, 1, lot_id=lot)
        company_b = self.env["res.company"].create({"name": "Storq Bulk B"})
        user_b = self._make_user("storq_bulk_user_b", "stock.group_stock_user", company=company_b)
        warehouse_b = self.env["stock.warehouse"].search([("company_id", "=", company_b.id)], limit=1)
        picking_b = (
            self.env["stock.picking"]
            .with_user(user_b)
            .create(
                {
                    "picking_type_id": warehouse_b.in_type_id.id,
                    "location_id": self.supplier_location.id,
                    "location_dest_id": warehouse_b.lot_stock_id.id,
                    "move_ids": [
                        Command.create(
                            {
                                "name": self.phone.name,
                                "product_id": self.phone.id,
                                "product_uom_qty": 1,
                                "location_id": self.supplier_location.id,
                                "location_dest_id": warehouse_b.lot_stock_id.id,
                            }
                        )
                    ],
                }
            )
        )
        picking_b.action_confirm()
        form = self._open(picking_b.move_ids, user=user_b)
        form.serial_text = f"{imei(800)}\n{imei(801)}"
        entry = form.save()
        entry.action_check()
        self.assertEqual(entry.line_ids.mapped("status"), ["error", "ok"])
        self.assertIn(
            f"{imei(800)} is at {self.stock_location.display_name}: the unit of", entry.line_ids[0].reason
        )
        with Form(entry) as wizard:
            wizard.apply_policy = "good_only"
        entry.action_apply()
        picking_b.with_user(user_b).button_validate()
        self.assertEqual(picking_b.state, "done")
        self.assertEqual(picking_b.move_line_ids.lot_id.name, imei(801))
        # company A's receipt lines are out of company B's reach
        picking_a = self._receipt(self.phone, [], quantity=1)
        with self.assertRaises(AccessError):
            self._open(picking_a.move_ids, user=user_b).save()

    # Query counts ------------------------------------------------------------
    def _count(self, function):
        self.env.flush_all()
        self.env.invalidate_all()
        _ = self.phone.storq_serial_control  # what any request has read already
        _ = self.company.storq_serial_unique_per_company
        before = self.cr.sql_log_count
        function()
        self.env.flush_all()
        return self.cr.sql_log_count - before

    def test_check_and_apply_take_the_same_queries_for_10_or_1000_serials(self):
        """The ORM writes rows 100 at a time (odoo.models.INSERT_BATCH_SIZE for new rows,
        UPDATE_BATCH_SIZE for their computed fields): with that chunking lifted, checking and
        applying run the same number of queries whatever the number of serials."""
        self._checked(self._receipt(self.phone, [], quantity=2).move_ids, serial_text=imei(999990))  # warm up
        counts = {}
        for size, start in ((10, 0), (1000, 1000)):
            move = self._receipt(self.phone, [], quantity=size).move_ids
            entry = self._entry(move, serial_text="\n".join(imei(n) for n in range(start, start + size)))
            with (
                patch("odoo.models.INSERT_BATCH_SIZE", 100_000),
                patch("odoo.models.UPDATE_BATCH_SIZE", 100_000),
            ):
                checking = self._count(entry.action_check)
                applying = self._count(entry.action_apply)
            self.assertEqual(len(self._lot_lines(move)), size)
            counts[size] = (checking, applying)
        self.assertEqual(
            counts[10], counts[1000], f"(check, apply) queries for 10 and 1000 serials: {counts}"
        )

    def test_refusing_known_units_takes_the_same_queries_for_3_or_30(self):
        """Units in stock are refused with where they are, in a number of queries that does not
        grow with them (half with a unit record, half found by their quants only)."""
        Quant = self.env["stock.quant"]
        counts = {}
        for size, start in ((1, 1900), (3, 2000), (30, 3000)):  # the first run warms up
            serials = [imei(n) for n in range(start, start + size)]
            self._stock_units(self.phone, serials[::2])
            for lot in self._create_lots(self.phone, serials[1::2]):
                Quant._update_available_quantity(self.phone, self.stock_location, 1, lot_id=lot)
            move = self._receipt(self.phone, [], quantity=size).move_ids
            entry = self._entry(move, serial_text="\n".join(serials))
            with (
                patch("odoo.models.INSERT_BATCH_SIZE", 100_000),
                patch("odoo.models.UPDATE_BATCH_SIZE", 100_000),
            ):
                counts[size] = self._count(entry.action_check)
            self.assertEqual(set(entry.line_ids.mapped("status")), {"error"})
            self.assertIn("is already in stock", entry.line_ids[-1].reason)
        self.assertEqual(counts[3], counts[30], f"check queries for 3 and 30 units in stock: {counts}")


@tagged("post_install", "-at_install")
class TestBulkEntryDropship(DropshipMixin, StorqSerialsCase):
    """Bulk Serial Entry on a dropship: the vendor's list of the units it ships straight to the
    customer is pasted on the dropship."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.customer = cls.env["res.partner"].create({"name": "Bulk Dropship Customer"})
        cls.vendor = cls.env["res.partner"].create({"name": "Bulk Dropship Vendor"})
        cls._setup_dropship(cls.vendor)

    def _paste(self, picking, serials, **values):
        """Bulk Serial Entry opened from the transfer's header, the vendor's list pasted, checked."""
        context = {"active_model": "stock.picking", "active_id": picking.id, "active_ids": picking.ids}
        form = Form(self.env["storq.serial.bulk.entry"].with_context(**context))
        form.serial_text = "\n".join(serials)
        for name, value in values.items():
            setattr(form, name, value)
        entry = form.save()
        entry.action_check()
        return entry

    def _bulk_buttons_visible(self, picking):
        """(header button, line button) of Bulk Serial Entry shown on `picking`'s form, from the
        buttons' `invisible` expressions in the form view."""
        action = self.env.ref("storq_serials.storq_serial_bulk_entry_action")
        arch = etree.fromstring(picking.get_views([(False, "form")])["views"]["form"]["arch"])
        buttons = arch.xpath(f"//button[@name='{action.id}']")
        self.assertEqual(len(buttons), 2, "one button in the header, one on each product line")
        move = picking.move_ids[:1]
        header = dict(picking.read(["picking_type_code", "state", "has_tracking"])[0])
        line = dict(move.read(["has_tracking", "state"])[0], parent=SimpleNamespace(**header))
        visible = []
        for button in buttons:
            values = line if button.xpath("ancestor::field[@name='move_ids_without_package']") else header
            visible.append(not safe_eval(button.get("invisible"), dict(values)))
        return tuple(visible)

    def test_bulk_entry_on_a_dropship_delivers_the_vendor_units(self):
        order, purchase, picking = self._dropship(3)
        serials = ["BDS0001", "BDS0002", "s/n: bds0003"]
        entry = self._paste(picking, serials)
        self.assertEqual((entry.picking_id, entry.move_id), (picking, picking.move_ids))
        self.assertEqual(
            [(line.serial, line.status) for line in entry.line_ids],
            [("BDS0001", "ok"), ("BDS0002", "ok"), ("BDS0003", "ok")],
        )
        entry.action_apply()
        self.assertEqual(sorted(picking.move_line_ids.mapped("lot_name")), ["BDS0001", "BDS0002", "BDS0003"])
        picking.button_validate()
        self.assertEqual(picking.state, "done")
        units = picking.move_line_ids.lot_id
        self.assertEqual(sorted(units.mapped("name")), ["BDS0001", "BDS0002", "BDS0003"])
        for unit in units:
            self.assertEqual(
                (unit.storq_supplier_id, unit.storq_purchase_id, unit.storq_receipt_picking_id),
                (self.vendor, purchase, picking),
            )
            self.assertEqual(
                (unit.storq_state, unit.storq_partner_id, unit.storq_sale_id, unit.storq_delivery_picking_id),
                ("delivered", self.customer, order, picking),
            )
        self.assertEqual(order.order_line.qty_delivered, 3)

    def test_bulk_entry_buttons_show_on_receipts_and_dropships_only(self):
        _order, _purchase, dropship = self._dropship(1)
        self.assertEqual(self._bulk_buttons_visible(dropship), (True, True))
        self.assertEqual(self._bulk_buttons_visible(self._receipt(self.laptop, [], quantity=1)), (True, True))
        delivery = self._to_vendor(self.laptop, 1)
        self.assertEqual(self._bulk_buttons_visible(delivery), (False, False))
        with self.assertRaisesRegex(UserError, "is neither a receipt nor a dropship"):
            Form(
                self.env["storq.serial.bulk.entry"].with_context(
                    active_model="stock.move", active_id=delivery.move_ids.id
                )
            )

    def test_bulk_entry_refusals_on_a_dropship_match_the_scan(self):
        """Units in our stock and blocked units are refused as the scan and the validation
        refuse them; a unit returned to its vendor may come back through a dropship."""
        in_stock = self._stock_units(self.laptop, ["BDS0010"])
        returned, blocked = self._stock_units(self.laptop, ["BDS0011", "BDS0012"])
        blocked._storq_block("Vendor recall")
        self._return_to_vendor(returned | blocked)
        _order, _purchase, picking = self._dropship(2)
        entry = self._paste(picking, ["BDS0010", "BDS0011", "BDS0012", "BDS", "BDS0013"])
        verdicts = {line.serial: (line.status, line.reason) for line in entry.line_ids}
        self.assertEqual(
            {serial: status for serial, (status, _reason) in verdicts.items()},
            {"BDS0010": "error", "BDS0011": "ok", "BDS0012": "error", "BDS": "error", "BDS0013": "ok"},
        )
        self.assertIn(
            f"BDS0010 is at {self.stock_location.display_name}: the unit of {self.laptop.display_name} "
            "is already in stock",
            verdicts["BDS0010"][1],
        )
        self.assertIn("BDS0012 is blocked (Vendor recall)", verdicts["BDS0012"][1])
        self.assertIn("BDS has 3 characters", verdicts["BDS"][1])
        for serial in ("BDS0010", "BDS0012"):
            scan = picking.storq_scan(serial, self.laptop.id)
            self.assertEqual((scan["status"], scan["message"]), ("error", verdicts[serial][1]))
        with self.assertRaisesRegex(UserError, "3 of 5 serials are refused, so nothing was applied"):
            entry.action_apply()
        with Form(entry) as form:
            form.apply_policy = "good_only"
        entry.action_apply()
        picking.button_validate()
        self.assertEqual(picking.state, "done")
        self.assertIn(returned, picking.move_line_ids.lot_id, "the known unit, not a new one")
        self.assertEqual((returned.storq_state, returned.storq_partner_id), ("delivered", self.customer))
        self.assertEqual((in_stock.storq_state, blocked.storq_state), ("in_stock", "returned_to_vendor"))
