from odoo.exceptions import UserError
from odoo.tests import tagged

from ..models.storq_unit_rulebook import UnitMovement
from .common import StorqSerialsCase

# Queries of the rulebook's verdicts on a batch of movements, whatever its size: the units
# chosen (1), the typed units (1), the quants of units without a record (1).
RULEBOOK_QUERIES = 3


@tagged("post_install", "-at_install")
class TestUnitRulebook(StorqSerialsCase):
    """One rulebook decides whether a unit may move, at validation as at the scan."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.internal_type = cls.env.ref("stock.picking_type_internal")
        cls.shelf_a = cls.env["stock.location"].create(
            {"name": "Shelf A", "location_id": cls.stock_location.id}
        )
        cls.shelf_b = cls.env["stock.location"].create(
            {"name": "Shelf B", "location_id": cls.stock_location.id}
        )
        cls.shelf_c = cls.env["stock.location"].create(
            {"name": "Shelf C", "location_id": cls.stock_location.id}
        )
        cls.unit = cls._stock_units(cls.laptop, ["RB00001"], cls.shelf_a)
        cls.customer = cls.env["res.partner"].create({"name": "Rulebook Customer"})

    def _refusal(self, picking):
        with self.assertRaises(UserError) as refusal:
            picking.button_validate()
        return str(refusal.exception)

    def _quants(self, unit):
        quants = self.env["stock.quant"].search(
            [("lot_id", "=", unit.id), ("quantity", "!=", 0), ("location_id.usage", "=", "internal")]
        )
        return {(quant.location_id, quant.quantity) for quant in quants}

    # ------------------------------------------------------------------
    # Defect 1: a unit taken from a location where it is not
    # ------------------------------------------------------------------
    def test_internal_transfer_from_a_shelf_where_the_unit_is_not_is_refused(self):
        picking = self._confirmed_transfer(self.laptop, 1, self.shelf_b, self.shelf_c, self.internal_type)
        self._set_unit_lines(picking.move_ids, [{"lot_id": self.unit.id, "picked": True}])
        message = self._refusal(picking)
        self.assertIn("RB00001 is at WH/Stock/Shelf A, so it cannot be taken from WH/Stock/Shelf B.", message)
        self.assertEqual(picking.state, "assigned")
        self.assertEqual(self._quants(self.unit), {(self.shelf_a, 1)}, "the unit is in one place")
        self.assertEqual(self.unit.storq_location_id, self.shelf_a)

    def test_scan_and_validation_refuse_with_the_same_sentence(self):
        picking = self._confirmed_transfer(self.laptop, 1, self.shelf_b, self.shelf_c, self.internal_type)
        scan = picking.storq_scan(self.unit.name, self.laptop.id)
        self.assertEqual(scan["status"], "error")
        self._set_unit_lines(picking.move_ids, [{"lot_id": self.unit.id, "picked": True}])
        self.assertIn(scan["message"], self._refusal(picking))

    def test_internal_transfer_from_the_unit_shelf_validates(self):
        picking = self._confirmed_transfer(self.laptop, 1, self.shelf_a, self.shelf_c, self.internal_type)
        self._set_unit_lines(picking.move_ids, [{"lot_id": self.unit.id, "picked": True}])
        picking.button_validate()
        self.assertEqual(picking.state, "done")
        self.assertEqual(self._quants(self.unit), {(self.shelf_c, 1)})
        self.assertEqual(self.unit.storq_location_id, self.shelf_c)

    def test_scrap_from_a_location_where_the_unit_is_not_is_refused(self):
        scrap = self.env["stock.scrap"].create(
            {
                "product_id": self.laptop.id,
                "lot_id": self.unit.id,
                "scrap_qty": 1,
                "location_id": self.shelf_b.id,
            }
        )
        with self.assertRaisesRegex(UserError, "RB00001 is at WH/Stock/Shelf A, so it cannot be taken from"):
            scrap.do_scrap()
        self.assertEqual(self._quants(self.unit), {(self.shelf_a, 1)})
        self.assertEqual(self.unit.storq_state, "in_stock")
        scrap.location_id = self.shelf_a
        scrap.do_scrap()
        self.assertEqual(self.unit.storq_state, "scrapped")

    def test_same_unit_on_two_lines_is_refused(self):
        picking = self._confirmed_transfer(self.laptop, 2, self.shelf_a, self.shelf_c, self.internal_type)
        self._set_unit_lines(
            picking.move_ids,
            [{"lot_id": self.unit.id, "picked": True}, {"lot_id": self.unit.id, "picked": True}],
        )
        self.assertIn("RB00001 is taken from WH/Stock/Shelf A by two lines", self._refusal(picking))

    def test_blocked_unit_may_move_internally_but_not_to_a_customer(self):
        self.unit._storq_block("Quarantine Q-1")
        picking = self._confirmed_transfer(self.laptop, 1, self.shelf_a, self.shelf_c, self.internal_type)
        self._set_unit_lines(picking.move_ids, [{"lot_id": self.unit.id, "picked": True}])
        picking.button_validate()
        self.assertEqual(picking.state, "done")
        delivery = self._confirmed_transfer(
            self.laptop, 1, self.shelf_c, self.customer_location, self.env.ref("stock.picking_type_out")
        )
        self._set_unit_lines(delivery.move_ids, [{"lot_id": self.unit.id, "picked": True}])
        self.assertIn("RB00001 is blocked (Quarantine Q-1)", self._refusal(delivery))

    # ------------------------------------------------------------------
    # Defect 2: a unit of a product that is not the move's
    # ------------------------------------------------------------------
    def test_delivery_line_of_a_product_not_on_the_transfer_is_refused(self):
        other = self._stock_units(self.gadget, ["RB-GADGET-1"], self.shelf_a)
        delivery = self._confirmed_transfer(
            self.laptop, 1, self.shelf_a, self.customer_location, self.env.ref("stock.picking_type_out")
        )
        # As RPC or an import can: a line of the laptop's move carrying a unit of the gadget.
        self._set_unit_lines(
            delivery.move_ids, [{"lot_id": other.id, "product_id": self.gadget.id, "picked": True}]
        )
        message = self._refusal(delivery)
        self.assertIn(
            "RB-GADGET-1 of Test gadget is on a line of [LAPTOP-1] Test laptop: a unit moves on the line "
            "of its own product.",
            message,
        )
        self.assertEqual(other.storq_state, "in_stock")
        self.assertEqual(self._quants(other), {(self.shelf_a, 1)})

    # ------------------------------------------------------------------
    # Status
    # ------------------------------------------------------------------
    def test_delivered_unit_does_not_come_back_from_a_vendor(self):
        order = self._sale(self.customer, self.laptop, 1)
        delivery = order.picking_ids
        self._set_unit_lines(
            delivery.move_ids, [{"lot_id": self.unit.id, "location_id": self.shelf_a.id, "picked": True}]
        )
        delivery.button_validate()
        self.assertEqual(self.unit.storq_state, "delivered")
        receipt = self._receipt(self.laptop, ["RB00001"])
        receipt.move_line_ids.picked = True
        message = self._refusal(receipt)
        self.assertIn(
            "a delivered unit comes back only from its customer, through a customer return", message
        )
        scan = self._receipt(self.laptop, [], quantity=1).storq_scan("RB00001", self.laptop.id)
        self.assertEqual(scan["status"], "error")
        self.assertIn(scan["message"], message)

    def test_scrapped_unit_is_not_received_again(self):
        scrap = self.env["stock.scrap"].create(
            {
                "product_id": self.laptop.id,
                "lot_id": self.unit.id,
                "scrap_qty": 1,
                "location_id": self.shelf_a.id,
            }
        )
        scrap.do_scrap()
        receipt = self._receipt(self.laptop, ["RB00001"])
        receipt.move_line_ids.picked = True
        self.assertIn("RB00001 was scrapped: the unit moves no more.", self._refusal(receipt))

    def test_written_off_unit_comes_back_by_a_count_only(self):
        quant = self.env["stock.quant"].search(
            [("lot_id", "=", self.unit.id), ("location_id", "=", self.shelf_a.id)]
        )
        quant.with_context(inventory_mode=True).inventory_quantity = 0
        quant.action_apply_inventory()
        self.assertEqual(self.unit.storq_state, "written_off")
        receipt = self._receipt(self.laptop, ["RB00001"])
        receipt.move_line_ids.picked = True
        self.assertIn("RB00001 was written off: the unit moves no more.", self._refusal(receipt))
        found = (
            self.env["stock.quant"]
            .with_context(inventory_mode=True)
            .create(
                {
                    "product_id": self.laptop.id,
                    "location_id": self.shelf_b.id,
                    "lot_id": self.unit.id,
                    "inventory_quantity": 1,
                }
            )
        )
        found.action_apply_inventory()
        self.assertEqual((self.unit.storq_state, self.unit.storq_location_id), ("in_stock", self.shelf_b))

    # ------------------------------------------------------------------
    # Query counts
    # ------------------------------------------------------------------
    def test_verdicts_are_constant_in_queries(self):
        counts = []
        for size in (4, 60):
            names = [f"Q{size:02d}{n:04d}" for n in range(size)]
            units = self._stock_units(self.laptop, names[: size // 2], self.shelf_a)
            movements = [
                UnitMovement(
                    self.laptop, self.shelf_b if index % 2 else self.shelf_a, self.shelf_c, unit=unit
                )
                for index, unit in enumerate(units)
            ]
            movements += [
                UnitMovement(self.laptop, self.supplier_location, self.shelf_c, serial=name)
                for name in names[size // 2 :]
            ]
            self.env.invalidate_all()
            _ = [(m.source.usage, m.destination.usage, m.product.storq_serial_control) for m in movements]
            _ = self.env["stock.location"].browse([self.shelf_a.id, self.shelf_b.id]).mapped("display_name")
            before = self.cr.sql_log_count
            verdicts = self.env["storq.unit.rulebook"]._storq_verdicts(movements)
            counts.append(self.cr.sql_log_count - before)
            self.assertEqual(len([v for v in verdicts if v]), size // 4)
        self.assertEqual(counts[0], counts[1], f"queries for 4 and 60 movements: {counts}")
        self.assertLessEqual(counts[0], RULEBOOK_QUERIES)
