from unittest.mock import patch

from odoo import models as odoo_models
from odoo.exceptions import UserError
from odoo.tests import Form
from odoo.tests import tagged

from ..models.stock_quant import DeferredReservations
from ..tools.check_digits import compute_check_digit
from .test_scan_delivery import DeliveryCase


def imeis(prefix, start, count):
    bodies = [f"{prefix}{n:06d}" for n in range(start, start + count)]
    return [body + compute_check_digit("luhn", body) for body in bodies]


@tagged("post_install", "-at_install")
class TestPickSerials(DeliveryCase):
    """Picking a list of serials at once: the checks of a scan, for the whole list."""

    def _pick(self, picking, serials, **kwargs):
        return picking.storq_pick_serials(serials, **kwargs)

    def _assert_pick_refused(self, picking, serial, expected):
        before = self._snapshot(picking)
        verdicts = self._pick(picking, [serial], apply=True)
        self.assertEqual(verdicts[0]["status"], "error", verdicts)
        self.assertIn(expected, verdicts[0]["message"])
        self.assertFalse(verdicts[0]["applied"])
        self.assertEqual(self._snapshot(picking), before, "a refused pick must not write anything")
        return verdicts[0]

    # ------------------------------------------------------------------
    # Refusals: the same messages as a scan
    # ------------------------------------------------------------------
    def test_each_refusal_of_a_scan_is_given_by_the_batch(self):
        first = self._sale(self.other_customer, self.phone, 1).picking_ids
        taken = first.move_line_ids.lot_id
        self.u4._storq_block("Recall R-7: battery")
        delivery = self._sale(self.acme, self.phone, 1).picking_ids
        self._assert_pick_refused(delivery, "357805023984942", "is not a known unit of [PHONE-1] Test phone")
        self._assert_pick_refused(delivery, "12345", "")
        self.assertNotEqual(self._pick(delivery, ["12345"])[0]["message"], "")
        self._assert_pick_refused(delivery, self.far.name, "358240051111110 is at WH/Back room")
        self._assert_pick_refused(
            delivery, self.u4.name, "is blocked (Recall R-7: battery) and cannot be shipped"
        )
        self._assert_pick_refused(delivery, taken.name, f"is reserved for {first.name}")
        laptop = self._stock_units(self.laptop, ["7XK2M93"], self.shelf)
        self._assert_pick_refused(delivery, laptop.name, "7XK2M93")

    def test_refusals_match_the_single_scan_messages(self):
        self.u1._storq_block("Recall R-7: battery")
        delivery = self._sale(self.acme, self.phone, 1).picking_ids
        for serial in ("357805023984942", self.far.name, self.u1.name, "12345"):
            batch = self._pick(delivery, [serial])[0]["message"]
            scan = self._scan(delivery, serial)["message"]
            self.assertEqual(batch, scan, serial)

    def test_serial_scanned_already_and_duplicates_in_the_list_are_refused(self):
        delivery = self._sale(self.acme, self.phone, 2).picking_ids
        self.assertEqual(self._scan(delivery, self.u4.name)["status"], "ok")
        self._assert_pick_refused(delivery, self.u4.name, "already scanned")
        verdicts = self._pick(delivery, [self.u3.name, self.u3.name])
        self.assertEqual([verdict["status"] for verdict in verdicts], ["ok", "error"])
        self.assertIn(self.u3.name, verdicts[1]["message"])

    def test_done_delivery_and_receipt_take_no_pick(self):
        receipt = self._receipt(self.phone, [])
        verdicts = self._pick(receipt, [self.u1.name], apply=True)
        self.assertIn("does not take picked serials", verdicts[0]["message"])

    # ------------------------------------------------------------------
    # Applying
    # ------------------------------------------------------------------
    def test_apply_replaces_the_reservations_and_validation_delivers(self):
        order = self._sale(self.acme_buyer, self.phone, 3)
        delivery = order.picking_ids
        reserved = delivery.move_line_ids.lot_id
        self.assertEqual(len(reserved), 3)
        units = self.u1 | self.u2 | self.u3 | self.u4
        kept = reserved[:1]
        chosen = kept | (units - reserved)[:1]
        verdicts = self._pick(delivery, chosen.mapped("name"), apply=True)
        self.assertEqual([verdict["status"] for verdict in verdicts], ["ok", "ok"], verdicts)
        self.assertTrue(all(verdict["applied"] for verdict in verdicts))
        lines = delivery.move_line_ids
        picked = lines.filtered("picked")
        self.assertEqual(picked.lot_id, chosen)
        self.assertEqual(len(lines), 3, "the third reserved unit stays reserved")
        self.assertEqual(len(lines - picked), 1)
        self.assertEqual(sum(lines.mapped("quantity")), 3)
        freed = reserved - chosen - (lines - picked).lot_id
        self.assertEqual(len(freed), 1)
        self.assertEqual(
            self._reserved(units),
            {**dict.fromkeys(units, 0), **dict.fromkeys(lines.lot_id, 1)},
            "quants reserve exactly the units on the lines",
        )
        action = delivery.button_validate()
        Form.from_action(self.env, action).save().process()  # a backorder for the unpicked unit
        self.assertEqual(delivery.state, "done")
        self.assertEqual(delivery.move_line_ids.lot_id, chosen)
        for lot in chosen:
            self.assertEqual((lot.storq_state, lot.storq_partner_id), ("delivered", self.acme))
        self.assertEqual(freed.storq_state, "in_stock")
        backorder = self.env["stock.picking"].search([("backorder_id", "=", delivery.id)])
        self.assertEqual(backorder.move_ids.product_uom_qty, 1)
        left = units - chosen
        self.assertEqual(
            self._reserved(left),
            {**dict.fromkeys(left, 0), **dict.fromkeys(backorder.move_line_ids.lot_id, 1)},
            "only the backorder's unit is reserved",
        )

    def test_all_or_nothing_by_default_or_keep_the_good_ones(self):
        delivery = self._sale(self.acme, self.phone, 2).picking_ids
        reserved = delivery.move_line_ids.lot_id
        free = (self.u1 | self.u2 | self.u3 | self.u4) - reserved
        serials = [free[0].name, "357805023984942"]
        before = self._snapshot(delivery)
        verdicts = self._pick(delivery, serials, apply=True)
        self.assertEqual([verdict["status"] for verdict in verdicts], ["ok", "error"])
        self.assertFalse(any(verdict["applied"] for verdict in verdicts))
        self.assertEqual(self._snapshot(delivery), before)
        verdicts = self._pick(delivery, serials, apply=True, keep_good=True)
        self.assertEqual([verdict["applied"] for verdict in verdicts], [True, False])
        self.assertEqual(delivery.move_line_ids.filtered("picked").lot_id, free[0])
        self.assertEqual(len(delivery.move_line_ids), 2)
        self.assertEqual(
            self._reserved(reserved | free[0]),
            {
                **dict.fromkeys(reserved | free[0], 1),
                **dict.fromkeys(reserved - delivery.move_line_ids.lot_id, 0),
            },
        )

    def test_more_serials_than_reserved_lines_get_their_own_lines(self):
        delivery = self._sale(self.acme, self.phone, 3).picking_ids
        delivery.do_unreserve()
        verdicts = self._pick(delivery, [self.u1.name, self.u2.name], apply=True)
        self.assertTrue(all(verdict["applied"] for verdict in verdicts), verdicts)
        self.assertEqual(delivery.move_line_ids.lot_id, self.u1 | self.u2)
        self.assertEqual(self._reserved(self.u1 | self.u2 | self.u3), {self.u1: 1, self.u2: 1, self.u3: 0})

    # ------------------------------------------------------------------
    # Batched reservations: what Odoo's path leaves, row for row
    # ------------------------------------------------------------------
    def _apply_both_ways(self, scenario):
        """Run `scenario()` (it picks serials with apply) with the reservations batched, then
        again from the same state with Odoo's path (one update per line); return both states."""
        self.env.flush_all()
        self.cr.execute("SAVEPOINT storq_pick_compare")
        states = []
        original = DeferredReservations.from_context.__func__
        for batched in (True, False):
            self.env.invalidate_all()
            deferrals = set()

            def from_context(cls, context, batched=batched, seen=deferrals.add):
                deferred = original(cls, context)
                if deferred is not None and batched:
                    seen(id(deferred))
                return deferred if batched else None

            with patch.object(DeferredReservations, "from_context", classmethod(from_context)):
                scenario()
            self.env.flush_all()
            self.env.invalidate_all()
            self.assertEqual(bool(deferrals), batched, "the batched run gathers updates, Odoo's does not")
            states.append(self._pick_state())
            self.cr.execute("ROLLBACK TO SAVEPOINT storq_pick_compare")
        self.env.invalidate_all()
        return states

    def _pick_state(self):
        """Quants of the phone (lot, location, quantity, reserved, incoming date, package,
        owner) and the open lines (lot, location, move, quantity, picked): ids of new rows
        differ between two runs, the rows must not."""
        quants = self.env["stock.quant"].search([("product_id", "=", self.phone.id)])
        lines = self.env["stock.move.line"].search(
            [("product_id", "=", self.phone.id), ("state", "not in", ("done", "cancel"))]
        )
        return (
            sorted(
                quants.mapped(
                    lambda q: (
                        q.lot_id.name or "",
                        q.location_id.id,
                        q.quantity,
                        q.reserved_quantity,
                        str(q.in_date),
                        q.package_id.id,
                        q.owner_id.id,
                    )
                )
            ),
            sorted(
                lines.mapped(
                    lambda ml: (
                        ml.lot_id.name or "",
                        ml.location_id.id,
                        ml.move_id.id,
                        ml.quantity,
                        ml.quantity_product_uom,
                        ml.picked,
                    )
                )
            ),
            sorted(lines.move_id.mapped(lambda move: (move.id, move.state, move.quantity))),
        )

    def test_batched_reservations_leave_what_odoos_path_leaves(self):
        """Kept reserved units, replaced ones, more serials than lines, and a unit another
        transaction holds (Odoo's path for it): quants, lines and moves as Odoo leaves them."""
        delivery = self._sale(self.acme_buyer, self.phone, 3).picking_ids
        reserved = delivery.move_line_ids.lot_id
        units = self.u1 | self.u2 | self.u3 | self.u4
        kept = reserved[:1]
        chosen = kept | (units - reserved)

        def pick():
            verdicts = self._pick(delivery, chosen.mapped("name"), apply=True)
            self.assertTrue(all(verdict["applied"] for verdict in verdicts), verdicts)

        batched, plain = self._apply_both_ways(pick)
        self.assertEqual(batched, plain)
        self.assertEqual(len(batched[1]), 3, "kept and replaced: three picked lines")

        extra = self._sale(self.acme, self.phone, 1).picking_ids
        extra.do_unreserve()
        free = units - reserved

        def pick_more_than_reserved():
            verdicts = self._pick(extra, free.mapped("name"), apply=True)
            self.assertTrue(all(verdict["applied"] for verdict in verdicts), verdicts)

        batched, plain = self._apply_both_ways(pick_more_than_reserved)
        self.assertEqual(batched, plain)

        # A quant another transaction holds: Odoo reserves on a new quant; so does the batch.
        held = self.env["stock.quant"].search([("lot_id", "=", free[:1].id), ("quantity", ">", 0)])
        lock = self.env["stock.quant"]._storq_lock_quants.__func__

        def lock_all_but_held(quants, quant_ids):
            return lock(quants, quant_ids) - set(held.ids)

        with patch.object(type(self.env["stock.quant"]), "_storq_lock_quants", lock_all_but_held):
            batched, plain = self._apply_both_ways(pick_more_than_reserved)
        self.assertEqual(batched, plain)
        held_rows = [row for row in batched[0] if row[0] == free[0].name]
        self.assertEqual(len(held_rows), 2, f"reserved on a new quant beside the held one: {held_rows}")

        # An untracked quant beside the units (Odoo's `_gather` returns it with each unit's):
        # every update takes Odoo's path, and leaves what it leaves.
        self.env["stock.quant"]._update_available_quantity(self.phone, free.location_id[:1], 2)
        batched, plain = self._apply_both_ways(pick_more_than_reserved)
        self.assertEqual(batched, plain)
        self.assertIn(("", free.location_id[:1].id), [row[:2] for row in batched[0]])

    # ------------------------------------------------------------------
    # Wizard
    # ------------------------------------------------------------------
    def test_wizard_checks_then_applies_the_pasted_serials(self):
        user = self._make_user("pick_user", "stock.group_stock_user,storq_serials.group_storq_user")
        delivery = self._sale(self.acme, self.phone, 2).picking_ids
        reserved = delivery.move_line_ids.lot_id
        free = (self.u1 | self.u2 | self.u3 | self.u4) - reserved
        Wizard = self.env["storq.serial.pick"].with_user(user)
        wizard = Wizard.create(
            {"picking_id": delivery.id, "serial_text": f"{free[0].name}; 357805023984942\n{free[1].name}"}
        )
        wizard.action_check()
        self.assertEqual(wizard.error_count, 1)
        self.assertIn("is not a known unit", wizard.result)
        with self.assertRaisesRegex(UserError, "1 of 3 serials are refused"):
            wizard.action_apply()
        self.assertFalse(delivery.move_line_ids.filtered("picked"))
        wizard.apply_policy = "good_only"
        wizard.action_apply()
        self.assertEqual(delivery.move_line_ids.filtered("picked").lot_id, free)
        delivery.button_validate()
        self.assertEqual(delivery.state, "done")
        self.assertEqual(set(free.mapped("storq_state")), {"delivered"})


@tagged("post_install", "-at_install", "is_query_count")
class TestPickSerialsQueries(DeliveryCase):
    """The batch check is a constant number of queries; applying adds none per serial beyond
    Odoo's own line work."""

    def _delivery_of(self, size, prefix):
        """A delivery of `size` units reserving `size` units in stock, and `size` other units."""
        lots = self._stock_units(self.phone, imeis(prefix, 0, 2 * size), self.stock_location)
        delivery = self._sale(self.acme, self.phone, size).picking_ids
        self.assertEqual(len(delivery.move_line_ids), size)
        return delivery, lots - delivery.move_line_ids.lot_id

    def _warm(self, picking):
        self.env.flush_all()
        self.env.invalidate_all()
        _ = picking.state, picking.location_id.parent_path, picking.picking_type_code
        _ = self.phone.storq_serial_control, self.phone.categ_id.storq_serial_format_id
        _ = self.company.storq_serial_unique_per_company, self.env.user.tz

    def _count(self, function):
        self.env.flush_all()
        before = self.cr.sql_log_count
        function()
        self.env.flush_all()
        return self.cr.sql_log_count - before

    def test_batch_check_is_constant_in_the_number_of_serials(self):
        counts = {}
        for size, prefix in ((10, "35875409"), (200, "35875410")):
            delivery, free = self._delivery_of(size, prefix)
            delivery.storq_pick_serials(free[:1].mapped("name"))  # warm the rule cache
            self._warm(delivery)
            names = free.mapped("name")
            counts[size] = self._count(
                lambda delivery=delivery, names=names: delivery.storq_pick_serials(names)
            )
            delivery.action_cancel()
        self.assertEqual(counts[10], counts[200], f"check queries for 10 and 200 serials: {counts}")
        self.assertLessEqual(counts[10], 12, counts)

    def test_apply_adds_a_constant_number_of_queries_to_odoos_line_work(self):
        """Check + apply against the same replacement done without the checks (Odoo's own work:
        one unlink of the replaced lines, one create of the new ones)."""
        deltas = {}
        for size, prefix in ((10, "35875411"), (200, "35875412")):
            delivery, free = self._delivery_of(size, prefix)
            self._warm(delivery)
            names = free.mapped("name")
            storq = self._count(
                lambda delivery=delivery, names=names: delivery.storq_pick_serials(names, apply=True)
            )
            self.assertEqual(delivery.move_line_ids.lot_id, free)
            delivery.action_cancel()

            plain_delivery, plain_free = self._delivery_of(size, prefix.replace("3587", "3588"))
            self._warm(plain_delivery)
            move = plain_delivery.move_ids

            def plain(move=move, units=plain_free):
                move.move_line_ids.unlink()
                self.env["stock.move.line"].create(
                    [
                        dict(
                            move._prepare_move_line_vals(),
                            lot_id=unit.id,
                            location_id=self.stock_location.id,
                            quantity=1,
                            picked=True,
                        )
                        for unit in units
                    ]
                )

            deltas[size] = (storq, self._count(plain))
            plain_delivery.action_cancel()
        storq_growth = deltas[200][0] - deltas[10][0]
        plain_growth = deltas[200][1] - deltas[10][1]
        self.assertLessEqual(storq_growth, plain_growth, f"(check+apply, plain) queries: {deltas}")

    def test_check_and_apply_are_constant_in_the_number_of_serials(self):
        """Reservations released and made in one batch: picking 10 or 200 units that replace the
        reserved ones takes the same queries (the ORM's 100-row chunks lifted, as in
        test_serial_speed), where Odoo's path locked each quant in its own query."""
        for name, size in (("INSERT_BATCH_SIZE", 5000), ("UPDATE_BATCH_SIZE", 5000)):
            patcher = patch.object(odoo_models, name, size)
            patcher.start()
            self.addCleanup(patcher.stop)
        counts = {}
        for size, prefix in ((10, "35875413"), (200, "35875414")):
            delivery, free = self._delivery_of(size, prefix)
            delivery.storq_pick_serials(free[:1].mapped("name"))  # warm the rule cache
            self._warm(delivery)
            names = free.mapped("name")
            counts[size] = self._count(
                lambda delivery=delivery, names=names: delivery.storq_pick_serials(names, apply=True)
            )
            self.assertEqual(delivery.move_line_ids.lot_id, free)
            self.assertEqual(set(delivery.move_line_ids.mapped("picked")), {True})
            delivery.action_cancel()
        self.assertEqual(counts[10], counts[200], f"check + apply queries for 10 and 200 serials: {counts}")
