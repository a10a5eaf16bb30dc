from odoo import Command
from odoo.exceptions import AccessError
from odoo.tests import Form
from odoo.tests import tagged

from .common import StorqSerialsCase

GS = chr(29)  # FNC1 as a keyboard-wedge scanner sends it between GS1 fields
# Queries of a whole refused scan on a receipt with a cold cache, whatever the number of
# units in stock: the picking, its type, the nomenclature and its rules (3), the product
# lookup (2), moves (2), the category (format rule), the code guard, the lines scanned
# already, the unit record and its location (2), and the names for the message.
SCAN_CHECK_QUERIES = 16


@tagged("post_install", "-at_install")
class TestScanReceipt(StorqSerialsCase):
    """Scanning products and serials straight into a receipt with a hardware scanner."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # A product whose barcode is a GTIN, for GS1 codes carrying (01) GTIN and (21) serial.
        cls.scanner = cls.env["product.product"].create(
            {
                "name": "Test handheld scanner",
                "type": "consu",
                "storq_serial_control": True,
                "storq_serial_format_id": cls.tag_rule.id,
                "barcode": "8765432109876",
            }
        )
        cls.outsider = cls.env["product.product"].create(
            {"name": "Test outsider", "type": "consu", "storq_serial_control": True, "barcode": "OUTSIDER-1"}
        )

    def _scan(self, picking, barcode, product=None):
        return picking.storq_scan(barcode, context_product_id=product.id if product else False)

    def _snapshot(self, picking):
        self.env.flush_all()
        self.env.invalidate_all()
        lines = picking.move_line_ids
        return (
            picking.state,
            sorted(lines.mapped(lambda line: (line.id, line.lot_name or "", line.quantity, line.picked))),
            self.Lot.search_count([]),
        )

    def _assert_refused(self, picking, barcode, product, expected):
        before = self._snapshot(picking)
        result = self._scan(picking, barcode, product)
        self.assertEqual(result["status"], "error", result)
        self.assertIn(expected, result["message"])
        self.assertEqual(self._snapshot(picking), before, "a refused scan must not write anything")
        return result

    def _put_in_stock(self, product, names, location=None):
        return self._stock_units(product, names, location)

    # ------------------------------------------------------------------
    # Accepted scans
    # ------------------------------------------------------------------
    def test_product_scan_selects_the_product(self):
        picking = self._receipt(self.phone, [], quantity=3)
        before = self._snapshot(picking)
        result = self._scan(picking, "PHX-128-BOX")
        self.assertEqual(result["status"], "product")
        self.assertEqual(result["product_id"], self.phone.id)
        self.assertIn("Test phone", result["message"])
        self.assertEqual(self._snapshot(picking), before)

    def test_serial_scans_fill_the_lines_odoo_prepared(self):
        picking = self._receipt(self.phone, [], quantity=3)
        self.assertEqual(len(picking.move_line_ids), 3)
        first, second = self._imeis(2)
        result = self._scan(picking, first, self.phone)
        self.assertEqual(result["status"], "ok", result)
        self.assertEqual(result["serial"], first)
        # Scanner noise and the label prefix are normalised as everywhere else.
        result = self._scan(picking, f"IMEI: {second}", self.phone)
        self.assertEqual(result["serial"], second)
        lines = picking.move_line_ids
        self.assertEqual(len(lines), 3, "the empty lines Odoo created are reused")
        scanned = lines.filtered("lot_name")
        self.assertCountEqual(scanned.mapped("lot_name"), [first, second])
        self.assertTrue(all(scanned.mapped("picked")))
        self.assertEqual(scanned.mapped("quantity"), [1.0, 1.0])

    def test_gs1_code_gives_product_and_serial_at_once(self):
        self.company.nomenclature_id = self.env.ref("barcodes_gs1_nomenclature.default_gs1_nomenclature")
        picking = self._receipt(self.scanner, [], quantity=2)
        # FNC1, (01) GTIN-14, (21) serial, FNC1 separator, (17) expiry date.
        barcode = f"{GS}0108765432109876217xk2m93{GS}17291231"
        result = self._scan(picking, barcode)
        self.assertEqual(result["status"], "ok", result)
        self.assertEqual(result["product_id"], self.scanner.id)
        self.assertEqual(result["serial"], "7XK2M93")
        self.assertEqual(picking.move_line_ids.filtered("lot_name").lot_name, "7XK2M93")
        # Product barcodes and plain serials still work with the GS1 nomenclature.
        self.assertEqual(self._scan(picking, "8765432109876")["status"], "product")
        self.assertEqual(self._scan(picking, "8PQ4R21", self.scanner)["status"], "ok")

    def test_gs1_code_with_an_unknown_gtin_is_refused(self):
        self.company.nomenclature_id = self.env.ref("barcodes_gs1_nomenclature.default_gs1_nomenclature")
        picking = self._receipt(self.scanner, [], quantity=1)
        self._assert_refused(
            picking, "010401234512345621SN12345", None, "No product has the GTIN 04012345123456"
        )

    def test_more_units_than_expected_get_their_own_line(self):
        picking = self._receipt(self.phone, [], quantity=1)
        for imei in self._imeis(2):
            self.assertEqual(self._scan(picking, imei, self.phone)["status"], "ok")
        self.assertEqual(len(picking.move_line_ids), 2)
        self.assertEqual(picking.move_ids.quantity, 2)

    def test_draft_receipt_is_confirmed_by_the_first_serial(self):
        draft = self.env["stock.picking"].create(
            {
                "picking_type_id": self.receipt_type.id,
                "location_id": self.supplier_location.id,
                "location_dest_id": self.stock_location.id,
                "move_ids": [
                    Command.create(
                        {
                            "name": self.phone.name,
                            "product_id": self.phone.id,
                            "product_uom_qty": 2,
                            "location_id": self.supplier_location.id,
                            "location_dest_id": self.stock_location.id,
                        }
                    )
                ],
            }
        )
        self.assertEqual(draft.state, "draft")
        self.assertEqual(self._scan(draft, self._imeis(1)[0], self.phone)["status"], "ok")
        self.assertEqual(draft.state, "assigned")
        self.assertEqual(len(draft.move_line_ids), 2)
        self.assertEqual(len(draft.move_line_ids.filtered("lot_name")), 1)

    def test_scanned_receipt_validates_with_its_serials(self):
        picking = self._receipt(self.phone, [], quantity=3)
        imeis = self._imeis(2, start=10)
        for imei in imeis:
            self._scan(picking, imei, self.phone)
        # Two of three units scanned: the unit not scanned goes to a backorder.
        action = picking.button_validate()
        Form.from_action(self.env, action).save().process()
        self.assertEqual(picking.state, "done")
        self.assertCountEqual(picking.move_line_ids.lot_id.mapped("name"), imeis)
        backorder = self.env["stock.picking"].search([("backorder_id", "=", picking.id)])
        self.assertEqual(backorder.move_ids.product_uom_qty, 1)

    # ------------------------------------------------------------------
    # Refused scans
    # ------------------------------------------------------------------
    def test_serial_without_a_product_is_refused(self):
        picking = self._receipt(self.phone, [], quantity=1)
        self._assert_refused(picking, self._imeis(1)[0], None, "scan the product first")

    def test_serial_breaking_the_format_is_refused(self):
        picking = self._receipt(self.phone, [], quantity=1)
        result = self._assert_refused(picking, "490154203237519", self.phone, "check digit")
        self.assertFalse(result["product_id"])

    def test_product_code_is_not_taken_for_a_serial(self):
        picking = self._receipt(self.gadget, [], quantity=1)
        self._assert_refused(picking, "PHONE-1", self.gadget, "not a serial")

    def test_product_not_on_the_receipt_is_refused(self):
        picking = self._receipt(self.phone, [], quantity=1)
        self._assert_refused(picking, "OUTSIDER-1", None, "Test outsider is not expected on")
        self._assert_refused(picking, "ABC123", self.outsider, "Test outsider is not expected on")

    def test_product_without_serials_is_refused(self):
        bulk = self.env["product.product"].create(
            {"name": "Test cable", "type": "consu", "barcode": "CABLE-1"}
        )
        picking = self._receipt(bulk, [], quantity=5)
        self._assert_refused(picking, "CABLE-1", None, "not tracked by serial number")

    def test_serial_scanned_twice_on_the_receipt_is_refused(self):
        picking = self._receipt(self.phone, [], quantity=2)
        imei = self._imeis(1)[0]
        self.assertEqual(self._scan(picking, imei, self.phone)["status"], "ok")
        self._assert_refused(picking, f"IMEI {imei}", self.phone, "already scanned")

    def test_serial_already_in_stock_is_refused_with_its_location(self):
        shelf = self.env["stock.location"].create({"name": "Shelf 9", "location_id": self.stock_location.id})
        imei = self._imeis(1, start=50)[0]
        self._put_in_stock(self.phone, [imei], shelf)
        picking = self._receipt(self.phone, [], quantity=1)
        self._assert_refused(
            picking,
            imei,
            self.phone,
            f"{imei} is at WH/Stock/Shelf 9: the unit of [PHONE-1] Test phone is already in stock",
        )

    def test_known_serial_out_of_stock_is_received_again(self):
        # A unit that left (e.g. a customer return) keeps its record and may come back.
        imei = self._imeis(1, start=60)[0]
        self._create_lots(self.phone, [imei])
        picking = self._receipt(self.phone, [], quantity=1)
        self.assertEqual(self._scan(picking, imei, self.phone)["status"], "ok")

    def test_done_receipt_takes_no_scans(self):
        picking = self._receipt(self.phone, self._imeis(1, start=70))
        picking.button_validate()
        self.assertEqual(picking.state, "done")
        self._assert_refused(picking, "PHX-128-BOX", None, "does not take scans")

    # ------------------------------------------------------------------
    # Access
    # ------------------------------------------------------------------
    def test_warehouse_user_scans_and_others_cannot(self):
        picking = self._receipt(self.phone, [], quantity=1)
        worker = self._make_user("storq_scan_worker", "stock.group_stock_user")
        result = picking.with_user(worker).storq_scan(self._imeis(1, start=80)[0], self.phone.id)
        self.assertEqual(result["status"], "ok", result)
        employee = self._make_user("storq_scan_employee", "base.group_user")
        with self.assertRaises(AccessError):
            picking.with_user(employee).storq_scan(self._imeis(1, start=81)[0], self.phone.id)

    # ------------------------------------------------------------------
    # Queries
    # ------------------------------------------------------------------
    def _count_scan_queries(self, picking, serial):
        self.env.flush_all()
        self.env.invalidate_all()
        # What any request has read already: the user's company and the product.
        _ = self.phone.storq_serial_control, self.company.storq_serial_unique_per_company
        before = self.cr.sql_log_count
        result = self._scan(picking, serial, self.phone)
        self.env.flush_all()
        return self.cr.sql_log_count - before, result["status"]

    def test_scan_queries_do_not_grow_with_the_units_in_stock(self):
        counts = {}
        start = 100000
        for size in (10, 1000):
            in_stock = self._imeis(size, start)
            self._put_in_stock(self.phone, in_stock)
            picking = self._receipt(self.phone, [], quantity=1)
            self._scan(picking, self._imeis(1, start + size + 1)[0], self.phone)  # warm the caches
            counts[size] = (
                self._count_scan_queries(picking, in_stock[size // 2]),  # refused: already in stock
                self._count_scan_queries(picking, self._imeis(1, start + size)[0]),  # received
            )
            start += size + 10
        self.assertEqual(
            counts[10], counts[1000], f"queries for a scan with 10 and 1000 units in stock: {counts}"
        )
        (refused, refused_status), (received, received_status) = counts[10]
        self.assertEqual((refused_status, received_status), ("error", "ok"))
        self.assertLessEqual(refused, SCAN_CHECK_QUERIES)
