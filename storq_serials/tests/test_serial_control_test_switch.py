import os
from unittest.mock import patch

from odoo.tests import TransactionCase
from odoo.tools import config

from ..models.product_template_test_switch import TEST_SWITCH_VARIABLE


class TestSerialControlTestSwitch(TransactionCase):
    """The test-only switch that puts Odoo's own serial-tracked test products under serial control.

    scripts/test_odoo_suites.sh --serial-control relies on it; a production server must never
    turn it on, so it needs both the environment variable and Odoo running tests.
    """

    def _create(self, **vals):
        return self.env["product.product"].create(
            {"name": "Switch test product", "is_storable": True, **vals}
        )

    def _switch(self, variable="1", test_enable=True):
        environ = {TEST_SWITCH_VARIABLE: variable} if variable is not None else {}
        with patch.dict(os.environ, environ), patch.dict(config.options, {"test_enable": test_enable}):
            if variable is None:
                os.environ.pop(TEST_SWITCH_VARIABLE, None)
            return self._create(tracking="serial"), self.env["product.template"].create(
                {"name": "Switch test template", "is_storable": True, "tracking": "serial"}
            )

    def test_switch_puts_serial_tracked_products_under_serial_control(self):
        product, template = self._switch()
        self.assertTrue(product.storq_serial_control)
        self.assertTrue(template.storq_serial_control)

    def test_switch_is_off_without_the_variable(self):
        product, template = self._switch(variable=None)
        self.assertFalse(product.storq_serial_control)
        self.assertFalse(template.storq_serial_control)

    def test_switch_is_off_when_odoo_does_not_run_tests(self):
        # A production server never runs with test_enable: the variable alone does nothing.
        product, template = self._switch(test_enable=False)
        self.assertFalse(product.storq_serial_control)
        self.assertFalse(template.storq_serial_control)

    def test_switch_leaves_other_products_and_explicit_choices_alone(self):
        with (
            patch.dict(os.environ, {TEST_SWITCH_VARIABLE: "1"}),
            patch.dict(config.options, {"test_enable": True}),
        ):
            by_lot = self._create(tracking="lot")
            untracked = self._create()
            explicit = self._create(tracking="serial", storq_serial_control=False)
        self.assertFalse(by_lot.storq_serial_control)
        self.assertFalse(untracked.storq_serial_control)
        self.assertFalse(explicit.storq_serial_control)
