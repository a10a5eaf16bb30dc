from odoo.exceptions import ValidationError
from odoo.tests import Form
from odoo.tests import tagged

from .common import StorqSerialsCase


@tagged("post_install", "-at_install")
class TestSerialFormat(StorqSerialsCase):
    def test_rule_with_invalid_regex_is_refused(self):
        with self.assertRaisesRegex(ValidationError, "regular expression"):
            self.Format.create({"name": "Broken", "pattern": "([0-9", "example": "123"})

    def test_example_must_pass_its_rule(self):
        with self.assertRaisesRegex(ValidationError, "does not pass the rule"):
            self.Format.create({"name": "IMEI", "check_digit": "luhn", "example": "490154203237519"})
        with self.assertRaisesRegex(ValidationError, "does not pass the rule"):
            self.imei_rule.prefix = "9"

    def test_inconsistent_lengths_are_refused(self):
        with self.assertRaises(ValidationError):
            self.Format.create({"name": "Odd", "min_length": 9, "max_length": 3, "example": "ABCDEF"})

    def test_try_box_gives_verdict_and_reason(self):
        with Form(self.imei_rule) as form:
            form.try_serial = " IMEI: 490154203237518\r\n"
            self.assertTrue(form.try_ok)
            self.assertIn("490154203237518", form.try_verdict)
            form.try_serial = "490154203237519"
            self.assertFalse(form.try_ok)
            self.assertIn("check digit", form.try_verdict)
            form.try_serial = "49015420323751"
            self.assertFalse(form.try_ok)
            self.assertIn("at least 15", form.try_verdict)

    def test_try_box_follows_unsaved_rule_changes(self):
        with Form(self.tag_rule) as form:
            form.try_serial = "ABC12345"
            self.assertFalse(form.try_ok)
            form.max_length = 8
            self.assertTrue(form.try_ok)
            form.max_length = 7  # leave the record as it was

    def test_each_rule_type_is_enforced_on_lots(self):
        cases = [
            ({"pattern": r"^SN-[0-9]{4}$", "example": "SN-0001"}, "SN-0002", "SN-002"),
            ({"min_length": 5, "max_length": 6, "example": "ABCDE"}, "ABCDEF", "ABCDEFG"),
            ({"prefix": "XY", "example": "XY123"}, "XY999", "YX999"),
            ({"charset": "hex", "example": "00FF"}, "ABCDEF01", "ABCDEG01"),
            ({"charset": "custom", "allowed_chars": "AB-", "example": "A-B"}, "BB-A", "A-C"),
            (
                {"check_digit": "gs1_mod10", "accept_gtin_shape": True, "example": "9521234543213"},
                "96385074",
                "96385075",
            ),
            ({"check_digit": "iso7064_mod11_2", "example": "079X"}, "07940", "07941"),
        ]
        for index, (settings, good, bad) in enumerate(cases):
            with self.subTest(settings=settings):
                rule = self.Format.create(dict(settings, name=f"Rule {index}"))
                product = self.env["product.product"].create(
                    {
                        "name": f"Rule product {index}",
                        "type": "consu",
                        "storq_serial_control": True,
                        "storq_serial_format_id": rule.id,
                    }
                )
                self.assertEqual(self._create_lots(product, [good]).name, good)
                with self.assertRaises(ValidationError):
                    self._create_lots(product, [bad])

    def test_normalisation_before_checking_and_storing(self):
        lots = self._create_lots(self.laptop, ["  s/n: 7xk2m93\r\n", "\x1dsn9bq4tz1\t"])
        self.assertEqual(lots.mapped("name"), ["7XK2M93", "9BQ4TZ1"])
        lot = self._create_lots(self.phone, ["IMEI 358754061234563\n"])
        self.assertEqual(lot.name, "358754061234563")
        lot.name = " 358754061234571 "
        self.assertEqual(lot.name, "358754061234571")

    def test_products_outside_serial_control_are_untouched(self):
        lot = self._create_lots(self.plain_serial_product, ["  sn 123  "])
        self.assertEqual(lot.name, "  sn 123  ")

    def test_product_rule_wins_over_category_rule(self):
        self.assertEqual(self.phone.storq_effective_format_id, self.imei_rule)
        self.phone.storq_serial_format_id = self.tag_rule
        self.assertEqual(self.phone.storq_effective_format_id, self.tag_rule)
        self.assertEqual(self._create_lots(self.phone, ["4hn8wr2"]).name, "4HN8WR2")

    def test_rule_change_applies_at_once(self):
        """Compiled rules are cached; a change must invalidate the cache."""
        self._create_lots(self.laptop, ["2LP6YC7"])
        self.tag_rule.write({"prefix": "9", "example": "9BQ4TZ1"})
        with self.assertRaisesRegex(ValidationError, "does not start with 9"):
            self._create_lots(self.laptop, ["4HN8WR2"])
        self.assertTrue(self._create_lots(self.laptop, ["9HN8WR2"]))

    def test_products_smart_button(self):
        action = self.tag_rule.action_open_products()
        self.assertEqual(self.env[action["res_model"]].search(action["domain"]), self.laptop.product_tmpl_id)
        self.assertEqual(self.tag_rule.product_count, 1)
