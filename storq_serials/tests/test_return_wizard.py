from datetime import timedelta

from odoo import fields
from odoo.exceptions import UserError
from odoo.tests import tagged

from .common_returns import StorqReturnsCase

# Queries of a return check, whatever the number of serials: the products held, the units,
# the companies they belong to, their last returns, the product rules, the suspicious events
# and the verdict lines.
CHECK_QUERIES = 9


@tagged("post_install", "-at_install")
class TestReturnWizard(StorqReturnsCase):
    def test_order_units_come_back_with_each_reason_and_disposition(self):
        serials = [f"RTA000{n}" for n in range(1, 8)]
        lots = self._receive(serials)
        order = self._sell(self.customer, lots)
        self.assertEqual(order.order_line.qty_delivered, 7)
        wizard = self._return_wizard(order, [f"  {serial.lower()} " for serial in serials])
        self.assertEqual((wizard.partner_id, wizard.sale_id), (self.customer, order))
        self.assertEqual(wizard.accepted_count, 7, self._verdicts(wizard))
        dispositions = ["restock", "repair", "scrap", "write_off", "repair", "restock", "restock"]
        lines = wizard.line_ids.sorted("line_number")
        for line, reason, disposition in zip(lines, self.reasons.values(), dispositions, strict=True):
            line.write({"reason_id": reason.id, "disposition": disposition, "note": f"note {reason.code}"})
        action = wizard.action_apply()

        records = self.env["storq.serial.return.record"].search(action["domain"])
        self.assertEqual(len(records), 7)
        self.assertEqual(set(records.reason_id.mapped("code")), set(self.reasons))
        returns = records.return_picking_id
        self.assertEqual(len(returns), 1, "one return transfer for one delivery")
        self.assertEqual((returns.state, returns.partner_id, returns.sale_id), ("done", self.customer, order))
        self.assertEqual(returns.location_id.usage, "customer")
        self.assertTrue(
            all(move.to_refund and move.sale_line_id == order.order_line for move in returns.move_ids)
        )
        self.assertEqual(order.order_line.qty_delivered, 0, "the order knows its units came back")

        repair_location = self.company.storq_repair_location_id
        self.assertEqual(repair_location.usage, "internal")
        expected = {
            # serial: (state, location, customer kept)
            "RTA0001": ("in_stock", self.stock_location, False),
            "RTA0002": ("in_repair", repair_location, False),  # wrong item: the unit is ours now
            "RTA0003": ("scrapped", False, False),
            "RTA0004": ("written_off", False, False),
            "RTA0005": ("in_repair", repair_location, True),  # warranty: the customer gets it back
            "RTA0006": ("in_stock", self.stock_location, False),
            "RTA0007": ("in_stock", self.stock_location, False),
        }
        for lot in lots:
            state, location, kept = expected[lot.name]
            self.assertEqual(lot.storq_state, state, lot.name)
            self.assertEqual(lot.storq_location_id, location or self.env["stock.location"], lot.name)
            self.assertEqual(
                lot.storq_partner_id, self.customer if kept else self.env["res.partner"], lot.name
            )
            returned = lot.storq_event_ids.filtered(lambda event: event.event_type == "returned")
            record = records.filtered(lambda record, lot=lot: record.lot_id == lot)
            self.assertEqual(returned.document_ref, returns)
            self.assertEqual(returned.note, f"{record.reason_id.name}: note {record.reason_id.code}")
            self.assertEqual(
                (record.partner_id, record.sale_id, record.supplier_id, record.product_id),
                (self.customer, order, self.vendor, self.laptop),
            )
        scrapped = lots.filtered(lambda lot: lot.name == "RTA0003")
        self.assertEqual(scrapped.storq_event_ids.mapped("event_type")[:2], ["scrapped", "returned"])
        written_off = lots.filtered(lambda lot: lot.name == "RTA0004")
        self.assertEqual(written_off.storq_event_ids[0].location_dest_id.usage, "inventory")
        self.assertEqual(
            records.filtered(lambda record: record.disposition == "scrap").disposition_ref._name,
            "stock.scrap",
        )

    def test_partial_return_keeps_the_other_units_with_the_customer(self):
        lots = self._receive(["PRT0001", "PRT0002", "PRT0003"])
        order = self._sell(self.customer, lots)
        wizard = self._return_wizard(order, ["PRT0002"], default_reason_id=self.reasons["defective"])
        wizard.action_apply()
        self.assertEqual(order.order_line.qty_delivered, 2)
        self.assertEqual(lots.mapped("storq_state"), ["delivered", "in_stock", "delivered"])
        # The rest comes back later, from the customer's form this time, by a contact.
        wizard = self._return_wizard(self.customer_contact, ["PRT0001", "PRT0003"])
        self.assertEqual(wizard.accepted_count, 2, self._verdicts(wizard))
        wizard.action_apply()
        self.assertEqual(order.order_line.qty_delivered, 0)
        self.assertEqual(set(lots.mapped("storq_state")), {"in_stock"})

    def test_units_delivered_years_ago_come_back(self):
        lots = self._receive(["OLD0001"])
        order = self._sell(self.customer, lots)
        long_ago = fields.Datetime.now() - timedelta(days=4 * 365)
        order.picking_ids.move_line_ids.date = long_ago
        lots.sudo().storq_delivered_date = long_ago
        wizard = self._return_wizard(order.picking_ids, ["OLD0001"], default_disposition="repair")
        self.assertEqual(wizard.accepted_count, 1, self._verdicts(wizard))
        wizard.action_apply()
        self.assertEqual(lots.storq_state, "in_repair")
        record = self.env["storq.serial.return.record"].search([("lot_id", "=", lots.id)])
        self.assertEqual(record.delivered_date, long_ago)

    def test_units_of_several_orders_come_back_at_once_from_the_customer(self):
        lots = self._receive(["MUL0001", "MUL0002", "MUL0003"])
        first = self._sell(self.customer, lots[:2])
        second = self._sell(self.customer, lots[2:])
        wizard = self._return_wizard(self.customer, ["MUL0001", "MUL0003", "MUL0002"])
        self.assertEqual(wizard.accepted_count, 3, self._verdicts(wizard))
        records = self.env["storq.serial.return.record"].search(wizard.action_apply()["domain"])
        self.assertEqual(len(records.return_picking_id), 2, "one return per delivery")
        self.assertEqual(set(records.return_picking_id.mapped("sale_id")), {first, second})
        self.assertEqual((first.order_line.qty_delivered, second.order_line.qty_delivered), (0, 0))

    def test_refusals_are_shown_and_recorded(self):
        lots = self._receive(["REF0001", "REF0002", "REF0003", "REF0004", "REF0005", "REF0006"])
        sold, other_order_unit, others_unit, in_stock, returned, scrapped = lots
        order = self._sell(self.customer, sold | returned | scrapped)
        self._sell(self.customer, other_order_unit)
        self._sell(self.other_customer, others_unit)
        self._return_wizard(order, ["REF0005"]).action_apply()
        self._return_wizard(order, ["REF0006"], default_disposition="scrap").action_apply()

        wizard = self._return_wizard(
            order,
            [
                "REF0001",
                "REF0002",
                "REF0003",
                "REF0004",
                "REF0005",
                "REF0006",
                "ZZZ9999",  # unknown
                "REF-001",  # breaks the laptop's format
                "REF0001",  # entered twice
            ],
        )
        verdicts = self._verdicts(wizard)
        self.assertEqual(wizard.accepted_count, 1)
        self.assertEqual(wizard.line_ids.filtered(lambda line: line.line_number == 1).status, "ok")
        expected = {
            "REF0002": "not delivered on",
            "REF0003": "sold to another customer",
            "REF0004": "never sold",
            "REF0005": "already returned on",
            "REF0006": "already returned on",
            "ZZZ9999": "not a known unit",
            "REF-001": "does not allow",
        }
        for serial, text in expected.items():
            status, verdict = verdicts[serial]
            self.assertEqual(status, "error", serial)
            self.assertIn(text, verdict, serial)
            self.assertNotIn(self.other_customer.name, verdict, "another customer is never named")
        self.assertIn("scrapped", verdicts["REF0006"][1])
        duplicate = wizard.line_ids.filtered(lambda line: line.line_number == 9)
        self.assertIn("entered twice", duplicate.verdict)

        # Every refused attempt on an existing unit is in its history, with who tried and why.
        events = self._suspicious(lots)
        self.assertEqual(
            sorted(events.lot_id.mapped("name")), ["REF0002", "REF0003", "REF0004", "REF0005", "REF0006"]
        )
        for event in events:
            self.assertEqual((event.partner_id, event.document_ref), (self.customer, order))
            self.assertIn(event.lot_id.name, event.note)
        # Cancelling the return does not erase the attempts.
        wizard.unlink()
        self.assertEqual(len(self._suspicious(lots)), 5)
        # Applying takes the accepted unit only.
        self.assertEqual(others_unit.storq_state, "delivered")

    def test_swap_from_the_customer_form_is_refused(self):
        lots = self._receive(["SWP0001", "SWP0002"])
        self._sell(self.customer, lots[:1])
        self._sell(self.other_customer, lots[1:])
        wizard = self._return_wizard(self.customer, ["SWP0002"])
        status, verdict = self._verdicts(wizard)["SWP0002"]
        self.assertEqual(status, "error")
        self.assertIn("sold to another customer, not to Acme Customer", verdict)
        self.assertNotIn("Globex", verdict)
        self.assertEqual(self._suspicious(lots[1]).partner_id, self.customer)
        with self.assertRaises(UserError):
            wizard.action_apply()
        self.assertEqual(lots[1].storq_state, "delivered")

    def test_return_from_a_delivery_takes_its_units_only(self):
        lots = self._receive(["DLV0001", "DLV0002"])
        order = self._sell(self.customer, lots[:1])
        self._sell(self.customer, lots[1:])
        wizard = self._return_wizard(order.picking_ids, ["DLV0001", "DLV0002"])
        verdicts = self._verdicts(wizard)
        self.assertEqual(verdicts["DLV0001"][0], "ok")
        self.assertIn("not delivered by", verdicts["DLV0002"][1])

    def test_apply_needs_a_reason_a_disposition_and_the_required_note(self):
        lots = self._receive(["NTE0001"])
        order = self._sell(self.customer, lots)
        wizard = self._return_wizard(order, ["NTE0001"], default_reason_id=self.reasons["other"])
        with self.assertRaisesRegex(UserError, "needs a note"):
            wizard.action_apply()
        wizard.line_ids.reason_id = False
        with self.assertRaisesRegex(UserError, "choose a reason"):
            wizard.action_apply()
        wizard.line_ids.write({"reason_id": self.reasons["other"].id, "note": "customer changed their mind"})
        wizard.action_apply()
        self.assertEqual(lots.storq_state, "in_stock")

    def test_apply_refuses_a_unit_that_moved_since_the_check(self):
        lots = self._receive(["MOV0001"])
        order = self._sell(self.customer, lots)
        first = self._return_wizard(order, ["MOV0001"])
        second = self._return_wizard(order, ["MOV0001"])
        first.action_apply()
        with self.assertRaisesRegex(UserError, "changed since they were checked"):
            second.action_apply()

    def test_wizard_only_opens_on_a_done_delivery(self):
        lots = self._receive(["OPN0001"])
        receipt = lots.storq_receipt_picking_id
        with self.assertRaisesRegex(UserError, "not a done delivery"):
            self.env["storq.serial.return"].with_context(
                active_model="stock.picking", active_id=receipt.id
            ).default_get(["picking_id"])

    def test_repair_order_when_the_repair_app_is_installed(self):
        if "repair.order" not in self.env:
            self.skipTest("the Repair app is not installed")
        lots = self._receive(["RPR0001", "RPR0002"])
        order = self._sell(self.customer, lots)
        wizard = self._return_wizard(
            order,
            ["RPR0001", "RPR0002"],
            default_reason_id=self.reasons["warranty"],
            default_disposition="repair",
        )
        wizard.line_ids.filtered(lambda line: line.lot_id == lots[1]).reason_id = self.reasons["defective"]
        records = self.env["storq.serial.return.record"].search(wizard.action_apply()["domain"])
        by_lot = {record.lot_id: record.disposition_ref for record in records}
        warranty, defective = by_lot[lots[0]], by_lot[lots[1]]
        self.assertEqual(warranty._name, "repair.order")
        self.assertEqual((warranty.lot_id, warranty.partner_id), (lots[0], self.customer))
        self.assertEqual((warranty.state, warranty.product_id), ("draft", self.laptop))
        repair_location = self.company.storq_repair_location_id
        self.assertEqual(warranty.product_location_src_id, repair_location, "where the unit now is")
        self.assertEqual(warranty.product_location_dest_id, repair_location, "then sent back to the customer")
        self.assertTrue(warranty.under_warranty, "a warranty return is repaired for the customer")
        self.assertEqual(defective.product_location_src_id, repair_location)
        self.assertEqual(
            defective.product_location_dest_id,
            defective.picking_type_id.default_product_location_dest_id,
            "a unit that is ours again goes where repaired products go, sellable",
        )
        self.assertNotEqual(defective.product_location_dest_id, repair_location)
        self.assertFalse(defective.under_warranty)
        self.assertEqual(lots.mapped("storq_state"), ["in_repair", "in_repair"])
        self.assertEqual(lots.storq_location_id, repair_location)

    def test_check_is_constant_in_queries(self):
        serials = [f"QRY{n:04d}" for n in range(102)]
        lots = self._receive(serials)
        order = self._sell(self.customer, lots[:100])
        counts = []
        for size in (3, 5, 100):  # the first batch warms the format rule cache
            # Three refused serials in each batch: two units in stock, an unknown serial.
            entries = serials[: size - 3] + serials[100:102] + ["QRYX999"]
            wizard = self.env["storq.serial.return"].create(
                {"partner_id": self.customer.id, "sale_id": order.id, "serial_text": "\n".join(entries)}
            )
            self.env.invalidate_all()
            _ = (wizard.sale_id.partner_id.commercial_partner_id, self.laptop.storq_serial_control)
            if size == 3:
                wizard._check_lines()
                continue
            with self.assertQueryCount(CHECK_QUERIES):
                before = self.cr.sql_log_count
                wizard._check_lines()
                self.env.flush_all()
                counts.append(self.cr.sql_log_count - before)
            self.assertEqual(len(wizard.line_ids), size)
            self.assertEqual(wizard.refused_count, 3)
        self.assertEqual(counts, [CHECK_QUERIES, CHECK_QUERIES], "5 and 100 serials, as many queries")
