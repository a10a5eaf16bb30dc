from odoo import http
from odoo.tests import HttpCase
from odoo.tests import tagged


@tagged("post_install", "-at_install")
class TestSerialTours(HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # Read every addon manifest here rather than in the HTTP server thread, where
        # CPython 3.11.7's ast.literal_eval can fail ("AST constructor recursion depth mismatch").
        _ = http.root.statics

    def test_try_a_serial_in_the_format_form(self):
        self.env["storq.serial.format"].create(
            {
                "name": "Tour IMEI",
                "charset": "digits",
                "min_length": 15,
                "max_length": 15,
                "check_digit": "luhn",
                "strip_prefixes": "IMEI:",
                "example": "490154203237518",
            }
        )
        self.start_tour(
            "/odoo/action-storq_serials.storq_serial_format_action", "storq_serial_format_try", login="admin"
        )
