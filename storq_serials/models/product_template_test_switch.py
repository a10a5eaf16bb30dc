"""Test-only switch: every product created with serial tracking is put under serial control.

Odoo's own stock, sale_stock and purchase_stock suites create their products with
``tracking='serial'`` but never with ``storq_serial_control``, so with the module installed they
never run its delicate paths (quant batching, the validation guards).
``scripts/test_odoo_suites.sh --serial-control`` runs them with this switch on.

The switch needs two things at once, so that a production server cannot turn it on by accident:
- Odoo runs tests (``test_enable``: set by ``--test-enable`` and by pytest-odoo around test
  modules; a production server never runs with it), and
- the environment variable ``STORQ_TEST_SERIAL_CONTROL_ALL=1`` is set in the server's process
  (only the script sets it, for its pytest process on a throwaway database).
It is deliberately not a system parameter: those can be set from the user interface, an import
or RPC, and would then survive in the database.
"""

import os

from odoo import api
from odoo import models
from odoo.tools import config

TEST_SWITCH_VARIABLE = "STORQ_TEST_SERIAL_CONTROL_ALL"


def storq_test_serial_control_all():
    """True only in a test run whose process was started with the switch's variable set."""
    return bool(config["test_enable"]) and os.environ.get(TEST_SWITCH_VARIABLE) == "1"


class ProductTemplate(models.Model):
    _inherit = "product.template"

    @api.model
    def _storq_test_switch_defaults(self, vals_list):
        """Put new serial-tracked products under serial control when the test switch is on.

        Called first by `create` (product_template.py), before any default is computed."""
        if not storq_test_serial_control_all():
            return
        for vals in vals_list:
            serial_tracked = vals.get("tracking") == "serial" and vals.get("type", "consu") == "consu"
            if serial_tracked and "storq_serial_control" not in vals:
                vals["storq_serial_control"] = True
