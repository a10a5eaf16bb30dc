from datetime import datetime

from odoo.exceptions import UserError
from odoo.tests import Form
from odoo.tests import tagged

from .common import StorqSerialsCase

# The check of one scanned serial on a delivery (format, unit, situation, reservations),
# whatever the number of units in the database.
SCAN_CHECK_QUERIES = 5


class DeliveryCase(StorqSerialsCase):
    """Units in stock on a shelf and elsewhere, customers, and scanning helpers."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        warehouse = cls.env.ref("stock.warehouse0")
        Location = cls.env["stock.location"]
        cls.shelf = Location.create({"name": "Shelf 3", "location_id": cls.stock_location.id})
        cls.back_room = Location.create({"name": "Back room", "location_id": warehouse.view_location_id.id})
        cls.acme = cls.env["res.partner"].create({"name": "Acme", "is_company": True})
        cls.acme_buyer = cls.env["res.partner"].create({"name": "Acme buyer", "parent_id": cls.acme.id})
        cls.other_customer = cls.env["res.partner"].create({"name": "Globex"})
        cls.u1, cls.u2, cls.u3, cls.u4 = cls._stock_units(
            cls.phone, ["490154203237518", "356938035643809", "352099001761481", "353918057813582"], cls.shelf
        )
        cls.far = cls._stock_units(cls.phone, ["358240051111110"], cls.back_room)

    def _scan(self, picking, serial, product=None):
        return picking.storq_scan(serial, context_product_id=(product or self.phone).id)

    def _snapshot(self, picking):
        self.env.flush_all()
        self.env.invalidate_all()
        return sorted(
            picking.move_line_ids.mapped(
                lambda ml: (ml.id, ml.lot_id.id, ml.location_id.id, ml.quantity, ml.picked)
            )
        )

    def _assert_refused(self, picking, serial, expected, product=None):
        before = self._snapshot(picking)
        result = self._scan(picking, serial, product)
        self.assertEqual(result["status"], "error", result)
        self.assertIn(expected, result["message"])
        self.assertEqual(self._snapshot(picking), before, "a refused scan must not write anything")
        return result

    def _reserved(self, lots):
        quants = self.env["stock.quant"].search([("lot_id", "in", lots.ids), ("quantity", ">", 0)])
        return {quant.lot_id: quant.reserved_quantity for quant in quants}

    def _deliver(self, lots, partner=None):
        """Sell and deliver `lots` by scanning them."""
        order = self._sale(partner or self.acme, self.phone, len(lots))
        delivery = order.picking_ids
        for lot in lots:
            self.assertEqual(self._scan(delivery, lot.name)["status"], "ok")
        delivery.button_validate()
        self.assertEqual(delivery.state, "done")
        return order, delivery


@tagged("post_install", "-at_install")
class TestScanDelivery(DeliveryCase):
    """Scanning the units picked for a delivery, and the same checks when it is validated."""

    # ------------------------------------------------------------------
    # Accepted scans and delivery
    # ------------------------------------------------------------------
    def test_scanned_units_replace_the_reserved_ones_and_are_delivered(self):
        order = self._sale(self.acme_buyer, self.phone, 2)
        delivery = order.picking_ids
        reserved = delivery.move_line_ids.lot_id
        self.assertEqual(len(reserved), 2, "Odoo reserved two units")
        chosen = (self.u1 | self.u2 | self.u3 | self.u4) - reserved
        for lot in chosen:
            result = self._scan(delivery, lot.name)
            self.assertEqual(result["status"], "ok", result)
            self.assertIn("WH/Stock/Shelf 3", result["message"])
        self.assertEqual(result["scanned"], 2)
        self.assertEqual(result["expected"], 2)
        lines = delivery.move_line_ids
        self.assertEqual(lines.lot_id, chosen, "no manual lot editing: the scanned units replaced them")
        self.assertEqual(len(lines), 2)
        self.assertTrue(all(lines.mapped("picked")))
        self.assertEqual(
            self._reserved(reserved | chosen), {**dict.fromkeys(chosen, 1), **dict.fromkeys(reserved, 0)}
        )
        delivery.button_validate()
        self.assertEqual(delivery.state, "done")
        for lot in chosen:
            line = lines.filtered(lambda ml, lot=lot: ml.lot_id == lot)
            self.assertEqual(lot.storq_state, "delivered")
            self.assertEqual(lot.storq_partner_id, self.acme, "the customer is the commercial partner")
            self.assertEqual((lot.storq_sale_id, lot.storq_sale_line_id), (order, order.order_line))
            self.assertEqual((lot.storq_delivery_picking_id, lot.storq_delivered_date), (delivery, line.date))
            self.assertFalse(lot.storq_location_id)
            self.assertEqual(lot.storq_event_ids[0].event_type, "delivered")
        for lot in reserved:
            self.assertEqual((lot.storq_state, lot.storq_location_id), ("in_stock", self.shelf))
        self.assertEqual(self._reserved(reserved), dict.fromkeys(reserved, 0))

    def test_scanning_a_reserved_unit_confirms_it(self):
        delivery = self._sale(self.acme, self.phone, 1).picking_ids
        reserved = delivery.move_line_ids.lot_id
        self.assertEqual(self._scan(delivery, reserved.name)["status"], "ok")
        self.assertEqual(delivery.move_line_ids.lot_id, reserved)
        self.assertTrue(delivery.move_line_ids.picked)

    def test_partial_scan_leaves_a_backorder(self):
        delivery = self._sale(self.acme, self.phone, 2).picking_ids
        self._scan(delivery, self.u4.name)
        action = delivery.button_validate()
        Form.from_action(self.env, action).save().process()
        self.assertEqual(delivery.move_line_ids.lot_id, self.u4)
        backorder = self.env["stock.picking"].search([("backorder_id", "=", delivery.id)])
        self.assertEqual(backorder.move_ids.product_uom_qty, 1)

    # ------------------------------------------------------------------
    # Refused scans: each names the reason and the unit's situation
    # ------------------------------------------------------------------
    def test_unknown_serial_is_refused(self):
        delivery = self._sale(self.acme, self.phone, 1).picking_ids
        self._assert_refused(delivery, "357805023984942", "is not a known unit of [PHONE-1] Test phone")

    def test_unit_of_another_company_is_unknown_here(self):
        company_b = self.env["res.company"].create({"name": "Storq Dispatch B"})
        self.Lot.with_company(company_b).create(
            {"product_id": self.phone.id, "name": "357805023984942", "company_id": company_b.id}
        )
        delivery = self._sale(self.acme, self.phone, 1).picking_ids
        self._assert_refused(delivery, "357805023984942", "is not a known unit of [PHONE-1] Test phone")

    def test_serial_breaking_the_format_is_refused(self):
        delivery = self._sale(self.acme, self.phone, 1).picking_ids
        self._assert_refused(delivery, "490154203237519", "check digit")

    def test_unit_of_another_product_is_refused_with_its_product(self):
        # A valid IMEI, so the phone's format rule lets it through to the unit check.
        other = self._create_lots(self.gadget, ["356938035643817"])
        delivery = self._sale(self.acme, self.phone, 1).picking_ids
        self._assert_refused(delivery, other.name, "is a unit of Test gadget, not of [PHONE-1] Test phone")

    def test_unit_at_another_location_is_refused_with_where_it_is(self):
        delivery = self._sale(self.acme, self.phone, 1).picking_ids
        self._assert_refused(
            delivery,
            self.far.name,
            "358240051111110 is at WH/Back room, so it cannot be taken from WH/Stock.",
        )

    def test_delivered_unit_is_refused_with_customer_and_date(self):
        order, _delivery = self._deliver(self.u1)
        self.u1.sudo().storq_delivered_date = datetime(2026, 3, 1, 20, 30)
        self.env.user.tz = "Pacific/Auckland"  # 2 March there
        delivery = self._sale(self.other_customer, self.phone, 1).picking_ids
        self._assert_refused(
            delivery,
            self.u1.name,
            "490154203237518 was delivered to Acme on 03/02/2026, so it cannot be taken from WH/Stock.",
        )
        self.assertEqual(order.storq_unit_count, 1)

    def test_scrapped_written_off_and_in_repair_units_are_refused(self):
        scrap = self.env["stock.scrap"].create(
            {"product_id": self.phone.id, "lot_id": self.u1.id, "scrap_qty": 1, "location_id": self.shelf.id}
        )
        scrap.action_validate()
        quant = self.env["stock.quant"].search(
            [("lot_id", "=", self.u2.id), ("location_id", "=", self.shelf.id)]
        )
        quant.inventory_quantity = 0
        quant.action_apply_inventory()
        delivery = self._sale(self.acme, self.phone, 1).picking_ids
        self._assert_refused(delivery, self.u1.name, "490154203237518 was scrapped, so it cannot be taken")
        self._assert_refused(delivery, self.u2.name, "356938035643809 was written off, so it cannot be taken")
        # The repair flow sets this state; the refusal reads it from the unit record.
        self.u3.sudo().write({"storq_state": "in_repair", "storq_location_id": False})
        self._assert_refused(delivery, self.u3.name, "352099001761481 is in repair, so it cannot be taken")

    def test_blocked_unit_is_refused_with_the_reason(self):
        self.u1._storq_block("Recall R-7: battery")
        delivery = self._sale(self.acme, self.phone, 1).picking_ids
        self._assert_refused(
            delivery, self.u1.name, "490154203237518 is blocked (Recall R-7: battery) and cannot be shipped"
        )

    def test_unit_reserved_on_another_delivery_is_refused_naming_it(self):
        first = self._sale(self.acme, self.phone, 1).picking_ids
        taken = first.move_line_ids.lot_id
        second = self._sale(self.other_customer, self.phone, 1).picking_ids
        self._assert_refused(second, taken.name, f"is reserved for {first.name}")

    def test_unit_scanned_twice_is_refused(self):
        delivery = self._sale(self.acme, self.phone, 2).picking_ids
        self._scan(delivery, self.u4.name)
        self._assert_refused(delivery, self.u4.name, "already scanned")

    # ------------------------------------------------------------------
    # Validation: the same checks, whatever the way the lines were filled
    # ------------------------------------------------------------------
    def test_validation_refuses_a_unit_without_serial(self):
        delivery = self._sale(self.acme, self.phone, 1).picking_ids
        delivery.move_line_ids.write({"lot_id": False, "picked": True})
        with self.assertRaisesRegex(UserError, "Serial number"):
            delivery.button_validate()
        # Through RPC, below Odoo's button: serial control refuses it too.
        with self.assertRaisesRegex(UserError, "from WH/Stock/Shelf 3, has no serial number"):
            delivery.move_ids._action_done()
        self.assertNotEqual(delivery.state, "done")

    def test_validation_refuses_blocked_units_and_units_elsewhere(self):
        delivery = self._sale(self.acme, self.phone, 2).picking_ids
        self.u1._storq_block("Quarantine")
        # Filled behind the scanner's back (RPC, import, detailed operations).
        self._set_unit_lines(delivery.move_ids, [{"lot_id": self.u1.id}, {"lot_id": self.far.id}])
        delivery.move_line_ids.picked = True
        with self.assertRaises(UserError) as caught:
            delivery.button_validate()
        message = str(caught.exception)
        self.assertIn(
            f"- {delivery.name}: [PHONE-1] Test phone: 490154203237518 is blocked (Quarantine)", message
        )
        self.assertIn("358240051111110 is at WH/Back room, so it cannot be taken from WH/Stock.", message)
        self.assertEqual(self.far.storq_state, "in_stock")
        self.assertNotEqual(delivery.state, "done")

    def test_validation_refuses_a_line_taking_the_unit_from_the_wrong_shelf(self):
        delivery = self._sale(self.acme, self.phone, 1).picking_ids
        # The unit is on Shelf 3; this line would take it from WH/Stock (a negative quant).
        self._set_unit_lines(delivery.move_ids, [{"lot_id": self.u1.id}])
        delivery.move_line_ids.picked = True
        with self.assertRaisesRegex(
            UserError, "490154203237518 is at WH/Stock/Shelf 3, so it cannot be taken from WH/Stock."
        ):
            delivery.move_ids._action_done()

    def test_validation_of_plain_serial_products_is_untouched(self):
        lot = self.Lot.create({"product_id": self.plain_serial_product.id, "name": "PLAIN-1"})
        self.env["stock.quant"]._update_available_quantity(
            self.plain_serial_product, self.shelf, 1, lot_id=lot
        )
        delivery = self._sale(self.acme, self.plain_serial_product, 1).picking_ids
        self._set_unit_lines(delivery.move_ids, [{"lot_id": lot.id}])
        delivery.button_validate()
        self.assertEqual(delivery.state, "done")

    # ------------------------------------------------------------------
    # Cancelling and unreserving give the units back
    # ------------------------------------------------------------------
    def test_cancelled_delivery_frees_the_scanned_unit(self):
        first = self._sale(self.acme, self.phone, 1).picking_ids
        self.assertEqual(self._scan(first, self.u4.name)["status"], "ok")
        second = self._sale(self.other_customer, self.phone, 1).picking_ids
        self._assert_refused(second, self.u4.name, f"is reserved for {first.name}")
        first.action_cancel()
        self.assertEqual(self._reserved(self.u4), {self.u4: 0})
        self.assertEqual(self._scan(second, self.u4.name)["status"], "ok")
        second.button_validate()
        self.assertEqual((self.u4.storq_state, self.u4.storq_partner_id), ("delivered", self.other_customer))

    def test_unreserving_restores_the_reservations(self):
        delivery = self._sale(self.acme, self.phone, 2).picking_ids
        reserved = delivery.move_line_ids.lot_id
        self._scan(delivery, self.u4.name)
        delivery.do_unreserve()
        units = self.u1 | self.u2 | self.u3 | self.u4
        open_lines = delivery.move_line_ids
        expected = {lot: 0 for lot in units}
        for line in open_lines:
            expected[line.lot_id] += line.quantity
        self.assertEqual(self._reserved(units), expected, "quants reserve exactly what open lines hold")
        delivery.action_assign()
        self.assertEqual(delivery.state, "assigned")
        self.assertEqual(len(delivery.move_line_ids.lot_id), 2)
        self.assertIn(self.u4, delivery.move_line_ids.lot_id)
        self.assertTrue(reserved)


@tagged("post_install", "-at_install", "is_query_count")
class TestScanDeliveryQueries(DeliveryCase):
    """What one scan costs, whatever the size of the database and of the delivery."""

    def _count_check(self, picking, serial):
        """Queries of the server check of one scanned serial, with what the scan read before it
        (the transfer, the product) in cache."""
        self.env.flush_all()
        self.env.invalidate_all()
        _ = picking.location_id.parent_path, picking.picking_type_code, picking.company_id.nomenclature_id
        _ = self.phone.storq_serial_control, self.phone.product_tmpl_id.storq_serial_format_id
        _ = self.phone.categ_id.storq_serial_format_id, self.company.storq_serial_unique_per_company
        _ = picking.move_ids.location_final_id.usage, self.env.user.tz
        before = self.cr.sql_log_count
        with self.assertQueryCount(SCAN_CHECK_QUERIES):
            verdict = self.env["storq.serial.validation"]._check_serials(
                [(self.phone, serial, picking.company_id)], check_existing=False
            )[0]
            refusal, *_rest = picking._storq_check_take(self.phone, verdict.serial)
        self.assertFalse(verdict.error)
        return refusal, self.cr.sql_log_count - before

    def test_scan_check_is_constant_whatever_the_units_in_the_database(self):
        from ..tools.check_digits import compute_check_digit

        counts = {}
        start = 0
        for size in (10, 1000):
            bodies = [f"35875407{n:06d}" for n in range(start, start + size)]
            self._stock_units(self.phone, [body + compute_check_digit("luhn", body) for body in bodies])
            start += size
            delivery = self._sale(self.acme, self.phone, 1).picking_ids
            self._scan(delivery, self.u3.name)  # warm the rule cache
            elsewhere, elsewhere_count = self._count_check(delivery, self.far.name)
            self.assertIn("358240051111110 is at WH/Back room", elsewhere)
            scanned, scanned_count = self._count_check(delivery, self.u3.name)
            self.assertIn("already scanned", scanned)
            accepted, accepted_count = self._count_check(delivery, self.u4.name)
            self.assertFalse(accepted)
            counts[size] = (elsewhere_count, scanned_count, accepted_count)
            delivery.action_cancel()
        self.assertEqual(counts[10], counts[1000], f"check queries with 10 and 1000 units in stock: {counts}")
        _order, _delivery = self._deliver(self.u2, self.acme)
        delivery = self._sale(self.other_customer, self.phone, 1).picking_ids
        delivered, _count = self._count_check(delivery, self.u2.name)
        self.assertIn("was delivered to Acme", delivered)

    def test_whole_scan_queries_do_not_grow_with_the_delivery(self):
        """The write of an accepted scan reads one line of the delivery, not all of them."""
        from ..tools.check_digits import compute_check_digit

        counts = []
        start = 0
        for size in (5, 200):
            bodies = [f"35875408{n:06d}" for n in range(start, start + size + 2)]
            self._stock_units(self.phone, [body + compute_check_digit("luhn", body) for body in bodies])
            start += size + 2
            in_stock = self.Lot.search(
                [
                    ("product_id", "=", self.phone.id),
                    ("storq_location_id", "child_of", self.stock_location.id),
                ]
            )
            # Every unit in stock reserved but two, which the scans then take.
            delivery = self._sale(self.acme, self.phone, len(in_stock) - 2).picking_ids
            free = in_stock - delivery.move_line_ids.lot_id
            self.assertEqual(len(free), 2)
            self.assertEqual(self._scan(delivery, free[0].name)["status"], "ok")  # warm
            self.env.flush_all()
            self.env.invalidate_all()
            _ = self.phone.storq_serial_control, self.company.storq_serial_unique_per_company
            before = self.cr.sql_log_count
            self.assertEqual(self._scan(delivery, free[1].name)["status"], "ok")
            self.env.flush_all()
            counts.append(self.cr.sql_log_count - before)
            delivery.action_cancel()
        self.assertEqual(counts[0], counts[1], f"scan queries, small and large delivery: {counts}")
