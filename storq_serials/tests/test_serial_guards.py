import psycopg2

from odoo.exceptions import ValidationError
from odoo.tests import tagged
from odoo.tools import mute_logger

from .common import StorqSerialsCase


@tagged("post_install", "-at_install")
class TestSerialGuards(StorqSerialsCase):
    def test_product_barcode_is_not_a_serial(self):
        with self.assertRaisesRegex(ValidationError, "barcode of the product .*Test phone"):
            self._create_lots(self.gadget, ["phx-128-box"])
        # A real GTIN barcode is refused by its shape before any lookup.
        self.gadget.barcode = "5012345678900"
        with self.assertRaisesRegex(ValidationError, "looks like a product barcode"):
            self._create_lots(self.gadget, ["5012345678900"])

    def test_internal_reference_is_not_a_serial(self):
        with self.assertRaisesRegex(ValidationError, "internal reference of the product .*Test laptop"):
            self._create_lots(self.gadget, ["laptop-1"])

    def test_packaging_barcode_is_not_a_serial(self):
        self.env["product.packaging"].create(
            {"name": "Box of 10", "product_id": self.phone.id, "qty": 10, "barcode": "BOX10-PHONE"}
        )
        with self.assertRaisesRegex(ValidationError, "barcode of the packaging"):
            self._create_lots(self.gadget, ["BOX10-PHONE"])

    def test_location_barcode_is_not_a_serial(self):
        self.stock_location.barcode = "WH-SHELF-03"
        with self.assertRaisesRegex(ValidationError, "barcode of the location"):
            self._create_lots(self.gadget, ["WH-SHELF-03"])

    def test_gtin_shaped_value_is_refused_unless_rule_accepts_it(self):
        with self.assertRaisesRegex(ValidationError, "looks like a product barcode"):
            self._create_lots(self.gadget, ["9521234543213"])
        # Same length but a wrong GS1 check digit: not a GTIN, may be a serial.
        self.assertTrue(self._create_lots(self.gadget, ["9521234543214"]))
        rule = self.Format.create(
            {"name": "GTIN-like serials", "accept_gtin_shape": True, "example": "9521234543213"}
        )
        self.gadget.storq_serial_format_id = rule
        self.assertTrue(self._create_lots(self.gadget, ["9521234543213"]))

    def test_duplicate_is_refused_naming_the_existing_unit(self):
        self._create_lots(self.laptop, ["7XK2M93"])
        with self.assertRaisesRegex(ValidationError, "7XK2M93 is already registered for .*Test laptop"):
            self._create_lots(self.laptop, ["7xk2m93 "])

    def test_duplicate_inside_one_batch_is_refused(self):
        with self.assertRaisesRegex(ValidationError, "entered twice"):
            self._create_lots(self.laptop, ["7XK2M93", "sn 7xk2m93"])

    def test_same_serial_on_another_product_allowed_by_default(self):
        self._create_lots(self.laptop, ["AB12CD3"])
        self.assertTrue(self._create_lots(self.gadget, ["AB12CD3"]))

    def test_company_wide_uniqueness_option(self):
        self.company.storq_serial_unique_per_company = True
        self._create_lots(self.laptop, ["AB12CD3"])
        with self.assertRaisesRegex(ValidationError, "unique across all products"):
            self._create_lots(self.gadget, ["AB12CD3"])
        with self.assertRaisesRegex(ValidationError, "entered twice"):
            self.Lot.create(
                [
                    {"product_id": self.gadget.id, "name": "ZZ99ABC"},
                    {"product_id": self.laptop.id, "name": "ZZ99ABC"},
                ]
            )

    def test_near_duplicate_is_accepted_with_a_warning(self):
        self._create_lots(self.laptop, ["7XK2M93"])
        lot = self._create_lots(self.laptop, ["7XK2N93"])
        self.assertTrue(lot)
        messages = lot.message_ids.mapped("body")
        self.assertTrue(
            any("one character away" in str(body) and "7XK2M93" in str(body) for body in messages)
        )

    def test_numbered_ranges_are_not_taken_for_typos(self):
        lots = self._create_lots(self.gadget, [f"RANGE-{n:04d}" for n in range(1, 20)])
        self.assertFalse(lots.message_ids.filtered(lambda m: "one character away" in str(m.body)))

    def test_every_bad_line_is_reported_at_once(self):
        with self.assertRaises(ValidationError) as caught:
            self._create_lots(self.phone, ["490154203237518", "12345", "490154203237519", "PHONE-1"])
        message = str(caught.exception)
        self.assertIn("3 serial number(s) refused", message)
        for bad in ("12345", "490154203237519", "PHONE-1"):
            self.assertIn(bad, message)
        self.assertFalse(self.Lot.search([("name", "=", "490154203237518")]), "nothing is saved")

    def test_unique_index_guards_concurrent_inserts(self):
        """The database refuses a duplicate even when the Python checks are bypassed."""
        lot = self._create_lots(self.laptop, ["7XK2M93"])
        self.env.flush_all()
        with (
            self.assertRaises(psycopg2.IntegrityError),
            self.cr.savepoint(),
            mute_logger("odoo.sql_db"),
        ):
            self.cr.execute(
                "INSERT INTO stock_lot (name, product_id, company_id, storq_serial_control) "
                "VALUES (%s, %s, %s, true)",
                [lot.name, lot.product_id.id, lot.company_id.id or None],
            )
