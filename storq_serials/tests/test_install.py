from odoo.tests import tagged
from odoo.tools.sql import index_exists

from .common import StorqSerialsCase

INDEX = "storq_stock_lot_unique_serial"


@tagged("post_install", "-at_install")
class TestInstallOnOldData(StorqSerialsCase):
    def test_old_duplicates_postpone_the_unique_index_without_failing(self):
        lot = self._create_lots(self.gadget, ["OLD-0001"])
        self.env.flush_all()
        self.cr.execute(f"DROP INDEX {INDEX}")
        self.cr.execute(
            "INSERT INTO stock_lot (name, product_id, company_id, storq_serial_control) "
            "VALUES (%s, %s, %s, true)",
            [lot.name, lot.product_id.id, lot.company_id.id or None],
        )
        with self.assertLogs("odoo.addons.storq_serials.models.stock_lot", "WARNING"):
            self.Lot.init()
        self.assertFalse(index_exists(self.cr, INDEX))
        self.cr.execute("DELETE FROM stock_lot WHERE name = 'OLD-0001' AND id != %s", [lot.id])
        self.Lot.init()
        self.assertTrue(index_exists(self.cr, INDEX))

    def test_existing_lots_get_their_control_flag(self):
        self.assertTrue(self._create_lots(self.gadget, ["FLAG-1"]).storq_serial_control)
        lot = self.Lot.create({"product_id": self.plain_serial_product.id, "name": "FLAG-2"})
        self.assertFalse(lot.storq_serial_control)
        self.plain_serial_product.storq_serial_control = True
        self.assertTrue(lot.storq_serial_control)
