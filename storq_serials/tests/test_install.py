from odoo.tests import tagged

from .common import StorqSerialsCase


@tagged("post_install", "-at_install")
class TestInstallOnOldData(StorqSerialsCase):
    def test_existing_lots_get_their_control_flag(self):
        self.assertTrue(self._create_lots(self.gadget, ["FLAG-1"]).storq_serial_control)
        lot = self.Lot.create({"product_id": self.plain_serial_product.id, "name": "FLAG-2"})
        self.assertFalse(lot.storq_serial_control)
        self.plain_serial_product.storq_serial_control = True
        self.assertTrue(lot.storq_serial_control)
