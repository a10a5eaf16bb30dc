from odoo.exceptions import AccessError
from odoo.tests import Form
from odoo.tests import tagged

from .common import StorqSerialsCase
from .common_returns import StorqReturnsCase


@tagged("post_install", "-at_install")
class TestScanScreen(StorqSerialsCase):
    """The server side of the scanning screen: loading, browser rules, commands, undo."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.box_rule = cls.Format.create(
            {
                "name": "Box tag",
                "charset": "upper_alnum",
                "min_length": 6,
                "max_length": 6,
                "prefix": "BX",
                "uppercase": True,
                "example": "BX0001",
            }
        )
        cls.box = cls.env["product.product"].create(
            {
                "name": "Boxed radio",
                "type": "consu",
                "storq_serial_control": True,
                "storq_serial_format_id": cls.box_rule.id,
                "barcode": "RADIO-BOX",
            }
        )
        cls.shelf = cls.env["stock.location"].create(
            {"name": "Scan shelf", "location_id": cls.stock_location.id, "barcode": "SCAN-SHELF"}
        )

    def _box_serials(self, count, start=1):
        return [f"BX{n:04d}" for n in range(start, start + count)]

    def _scan_all(self, picking, serials, product=None):
        product = product or self.box
        for serial in serials:
            result = picking.storq_scan_screen_scan(serial, context_product_id=product.id)
            self.assertEqual(result["status"], "ok", result)

    # ------------------------------------------------------------------
    # Choosing and loading
    # ------------------------------------------------------------------
    def test_operations_list_open_transfers_of_serial_products_by_type(self):
        receipt = self._receipt(self.box, [], quantity=2)
        done = self._receipt(self.box, [], quantity=1)
        self._scan_all(done, ["BX0900"])
        done.button_validate()
        groups = self.env["stock.picking"].storq_scan_screen_operations()
        listed = {picking["id"]: group["id"] for group in groups for picking in group["pickings"]}
        self.assertEqual(listed.get(receipt.id), self.receipt_type.id)
        self.assertNotIn(done.id, listed)
        found = self.env["stock.picking"].storq_scan_screen_find(receipt.name.lower())
        self.assertEqual(found, {"picking_id": receipt.id})
        missing = self.env["stock.picking"].storq_scan_screen_find(done.name)
        self.assertIn("is not an open transfer", missing["error"])

    def test_load_sends_progress_and_the_simple_rule_with_the_server_sentences(self):
        receipt = self._receipt(self.box, [], quantity=3)
        self._scan_all(receipt, ["bx0001"])
        data = receipt.storq_scan_screen_load()
        (product,) = data["products"]
        self.assertEqual((product["expected"], product["done"], product["serials"]), (3, 1, ["BX0001"]))
        rule = product["rule"]
        self.assertEqual(
            (rule["min_length"], rule["max_length"], rule["prefix"], rule["uppercase"]), (6, 6, "BX", True)
        )
        self.assertEqual(set(rule["allowed"]), set("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"))
        # The browser fills the slots; the sentence is the server's own.
        sent = rule["messages"]["too_short"].replace("\x00serial\x00", "BX01").replace("\x00length\x00", "4")
        refused = receipt.storq_scan("BX01", context_product_id=self.box.id)
        self.assertEqual(refused["message"], sent)
        twice = data["messages"]["twice"].replace("\x00serial\x00", "BX0001")
        self.assertEqual(receipt.storq_scan("BX0001", context_product_id=self.box.id)["message"], twice)
        self.assertEqual(data["barcodes"]["RADIO-BOX"], "product")
        self.assertEqual(data["barcodes"]["SCAN-SHELF"], "location")
        self.assertIn("O-BTN.validate", data["commands"])

    def test_rules_with_label_prefixes_are_left_to_the_server(self):
        receipt = self._receipt(self.phone, [], quantity=1)
        (product,) = receipt.storq_scan_screen_load()["products"]
        self.assertFalse(product["rule"], "only the server strips label prefixes")

    def test_load_costs_the_same_queries_at_two_sizes(self):
        def prepared(size, start):
            receipt = self._receipt(self.box, [], quantity=size)
            self._scan_all(receipt, self._box_serials(size - 1, start))
            receipt.storq_scan_screen_load()  # warm the compiled rule cache
            self.env.flush_all()
            self.env.invalidate_all()
            return receipt

        small = prepared(3, 1000)
        before = self.cr.sql_log_count
        self.assertEqual(small.storq_scan_screen_load()["products"][0]["done"], 2)
        queries = self.cr.sql_log_count - before
        large = prepared(60, 2000)
        with self.assertQueryCount(queries):
            data = large.storq_scan_screen_load()
        self.assertEqual((data["products"][0]["done"], data["products"][0]["expected"]), (59, 60))

    # ------------------------------------------------------------------
    # Scans, locations, commands, undo
    # ------------------------------------------------------------------
    def test_location_scan_sends_the_next_units_there(self):
        receipt = self._receipt(self.box, [], quantity=2)
        answer = receipt.storq_scan_screen_scan("SCAN-SHELF")
        self.assertEqual((answer["status"], answer["location_id"]), ("location", self.shelf.id))
        ok = receipt.storq_scan_screen_scan(
            "BX0101", context_product_id=self.box.id, location_dest_id=self.shelf.id
        )
        self.assertEqual(ok["status"], "ok", ok)
        line = receipt.move_line_ids.filtered(lambda ml: ml.lot_name == "BX0101")
        self.assertEqual(line.location_dest_id, self.shelf)
        elsewhere = self._receipt(self.box, [], quantity=1)
        elsewhere.location_dest_id = self.shelf
        refused = elsewhere.storq_scan_screen_scan(self.stock_location.barcode)
        self.assertEqual(refused["status"], "error")
        self.assertIn("is not a place", refused["message"])

    def test_undo_removes_the_last_scanned_unit_only(self):
        receipt = self._receipt(self.box, [], quantity=3)
        self._scan_all(receipt, ["BX0201", "BX0202"])
        answer = receipt.storq_scan_undo("BX0202", product_id=self.box.id)
        self.assertEqual((answer["status"], answer["scanned"]), ("undone", 1), answer)
        self.assertEqual(receipt.move_line_ids.filtered("picked").mapped("lot_name"), ["BX0201"])
        again = receipt.storq_scan_undo("BX0202", product_id=self.box.id)
        self.assertEqual(again["status"], "error")
        self.assertIn("nothing to undo", again["message"])
        # Scanned again after the undo: accepted, it is no longer on the transfer.
        self._scan_all(receipt, ["BX0202"])

    def test_undo_on_a_delivery_releases_the_unit(self):
        units = self._stock_units(self.box, ["BX0301", "BX0302"])
        partner = self.env["res.partner"].create({"name": "Scan screen customer"})
        delivery = self._sale(partner, self.box, 1).picking_ids
        self._scan_all(delivery, ["BX0302"])
        self.assertEqual(delivery.move_line_ids.filtered("picked").lot_id.name, "BX0302")
        answer = delivery.storq_scan_screen_scan("O-CMD.UNDO")
        self.assertEqual(
            (answer["status"], answer["command"], answer["serial"]), ("undone", "undo", "BX0302")
        )
        self.assertFalse(delivery.move_line_ids.filtered("picked"))
        quant = self.env["stock.quant"].search(
            [("lot_id", "=", units[1].id), ("location_id", "=", self.stock_location.id)]
        )
        self.assertEqual(quant.reserved_quantity, 0)

    def test_undo_refused_on_a_done_transfer(self):
        receipt = self._receipt(self.box, [], quantity=1)
        self._scan_all(receipt, ["BX0401"])
        receipt.button_validate()
        answer = receipt.storq_scan_undo("BX0401", product_id=self.box.id)
        self.assertEqual(answer["status"], "error")
        self.assertEqual(receipt.move_line_ids.lot_id.name, "BX0401")

    def test_validate_command_opens_the_backorder_wizard_or_validates(self):
        receipt = self._receipt(self.box, [], quantity=2)
        self._scan_all(receipt, ["BX0501"])
        answer = receipt.storq_scan_screen_scan("O-BTN.validate")
        self.assertEqual(answer["command"], "validate")
        self.assertEqual(answer["action"]["res_model"], "stock.backorder.confirmation")
        self.assertNotEqual(receipt.state, "done")
        full = self._receipt(self.box, [], quantity=1)
        self._scan_all(full, ["BX0502"])
        self.assertIs(full.storq_scan_screen_scan("O-BTN.validate")["action"], True)
        self.assertEqual(full.state, "done")
        self.assertEqual(self.Lot.search([("name", "=", "BX0502")]).storq_state, "in_stock")

    def test_command_sheet_prints_the_three_command_codes_in_code_128(self):
        html, _type = self.env["ir.actions.report"]._render_qweb_html(
            "storq_serials.action_report_scan_commands", self.receipt_type.ids
        )
        html = html.decode()
        for code in ("O-BTN.validate", "O-CMD.UNDO", "O-CMD.cancel"):
            self.assertIn(f"barcode_type=Code128&amp;value={code}", html)
        # Every printed code is a command the screen runs.
        self.assertEqual(html.count("barcode_type=Code128"), 3)

    def test_cancel_command_leaves_the_transfer_as_it_is(self):
        receipt = self._receipt(self.box, [], quantity=2)
        self._scan_all(receipt, ["BX0601"])
        answer = receipt.storq_scan_screen_scan("O-CMD.cancel")
        self.assertEqual((answer["status"], answer["command"]), ("command", "cancel"))
        self.assertEqual(receipt.state, "assigned")
        self.assertEqual(receipt.move_line_ids.filtered("picked").lot_name, "BX0601")

    def test_refusals_are_storq_scan_sentences(self):
        receipt = self._receipt(self.box, [], quantity=1)
        direct = receipt.storq_scan("ZZ9999", context_product_id=self.box.id)
        screen = receipt.storq_scan_screen_scan("ZZ9999", context_product_id=self.box.id)
        self.assertEqual(screen, direct)
        self.assertEqual(screen["status"], "error")

    def test_a_user_without_stock_rights_cannot_scan_or_undo(self):
        receipt = self._receipt(self.box, [], quantity=1)
        self._scan_all(receipt, ["BX0701"])
        user = self._make_user("scan_screen_viewer", "base.group_user")
        with self.assertRaises(AccessError):
            receipt.with_user(user).storq_scan_undo("BX0701", product_id=self.box.id)
        with self.assertRaises(AccessError):
            receipt.with_user(user).storq_scan_screen_load()

    def test_actions_open_the_screen(self):
        receipt = self._receipt(self.box, [], quantity=1)
        action = receipt.action_storq_scan_screen()
        self.assertEqual((action["tag"], action["params"]), ("storq_scan_screen", {"picking_id": receipt.id}))
        action = self.receipt_type.action_storq_scan_screen()
        self.assertEqual(action["params"], {"picking_type_id": self.receipt_type.id})


@tagged("post_install", "-at_install")
class TestScanScreenReturn(StorqReturnsCase):
    """A customer return (Odoo's return of a delivery) runs on the scanning screen."""

    def test_customer_return_is_scanned_and_validated(self):
        lots = self._receive(["RT10001", "RT10002"])
        order = self._sell(self.customer, lots)
        form = Form(
            self.env["stock.return.picking"].with_context(
                active_id=order.picking_ids.id, active_model="stock.picking"
            )
        )
        wizard = form.save()
        wizard.product_return_moves.quantity = 1
        back = self.env["stock.picking"].browse(wizard.action_create_returns()["res_id"])
        listed = [
            picking["id"]
            for group in self.env["stock.picking"].storq_scan_screen_operations()
            for picking in group["pickings"]
        ]
        self.assertIn(back.id, listed)
        (product,) = back.storq_scan_screen_load()["products"]
        self.assertEqual((product["expected"], product["done"]), (1, 0))
        answer = back.storq_scan_screen_scan("rt10002", context_product_id=self.laptop.id)
        self.assertEqual(answer["status"], "ok", answer)
        self.assertIs(back.storq_scan_screen_validate(), True)
        self.assertEqual(back.state, "done")
        self.assertEqual(lots[1].storq_state, "in_stock")
        self.assertEqual(lots[0].storq_partner_id, self.customer)

    def test_full_customer_return_confirms_the_units_odoo_proposed(self):
        lots = self._receive(["RT20001", "RT20002"])
        order = self._sell(self.customer, lots)
        form = Form(
            self.env["stock.return.picking"].with_context(
                active_id=order.picking_ids.id, active_model="stock.picking"
            )
        )
        wizard = form.save()
        wizard.product_return_moves.quantity = 2
        back = self.env["stock.picking"].browse(wizard.action_create_returns()["res_id"])
        # Odoo proposes the delivered units on lines not scanned yet.
        self.assertEqual(sorted(back.move_line_ids.lot_id.mapped("name")), ["RT20001", "RT20002"])
        answer = back.storq_scan_screen_scan("RT20002", context_product_id=self.laptop.id)
        self.assertEqual((answer["status"], answer["scanned"]), ("ok", 1), answer)
        self.assertEqual(len(back.move_line_ids), 2, "the proposed line is confirmed, not doubled")
        twice = back.storq_scan_screen_scan("RT20002", context_product_id=self.laptop.id)
        self.assertIn("already scanned", twice["message"])
        self.assertEqual(
            back.storq_scan_screen_scan("RT20001", context_product_id=self.laptop.id)["status"], "ok"
        )
        self.assertIs(back.storq_scan_screen_validate(), True)
        self.assertEqual(set(lots.mapped("storq_state")), {"in_stock"})
