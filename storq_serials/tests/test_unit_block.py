from odoo.exceptions import AccessError
from odoo.exceptions import UserError
from odoo.tests import Form
from odoo.tests import tagged

from .common import StorqSerialsCase


@tagged("post_install", "-at_install")
class TestUnitBlock(StorqSerialsCase):
    """Blocked units (recalls, quarantine) stay put but are never shipped."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.units = cls._stock_units(cls.laptop, ["BL0CK01", "BL0CK02"])
        cls.customer = cls.env["res.partner"].create({"name": "Blocked Customer"})
        cls.manager = cls._make_user("storq_block_manager", "stock.group_stock_manager")
        cls.worker = cls._make_user("storq_block_worker", "stock.group_stock_user")

    def _wizard(self, user, mode, units, reason=None):
        context = {"active_model": "stock.lot", "active_ids": units.ids, "default_mode": mode}
        form = Form(self.env["storq.unit.block"].with_user(user).with_context(**context))
        if reason is not None:
            form.reason = reason
        return form.save()

    def test_manager_blocks_and_unblocks_with_events(self):
        self._wizard(self.manager, "block", self.units, "Recall R-12: hinge").action_apply()
        for unit in self.units:
            self.assertTrue(unit.storq_blocked)
            self.assertEqual(unit.storq_block_reason, "Recall R-12: hinge")
            event = unit.storq_event_ids[0]
            self.assertEqual(
                (event.event_type, event.note, event.user_id), ("blocked", "Recall R-12: hinge", self.manager)
            )
            self.assertEqual(event.location_id, self.stock_location)
        self._wizard(self.manager, "unblock", self.units[0], "Checked: not affected").action_apply()
        self.assertFalse(self.units[0].storq_blocked)
        self.assertFalse(self.units[0].storq_block_reason)
        self.assertEqual(self.units[0].storq_event_ids[0].event_type, "unblocked")
        self.assertTrue(self.units[1].storq_blocked)

    def test_block_needs_a_reason(self):
        wizard = self._wizard(self.manager, "block", self.units, "  ")
        with self.assertRaisesRegex(UserError, "Give the reason"):
            wizard.action_apply()
        self.assertFalse(any(self.units.mapped("storq_blocked")))

    def test_block_api_keeps_the_document(self):
        order = self.env["purchase.order"].create({"partner_id": self.customer.id})
        self.units._storq_block("Vendor recall", document=order)
        self.assertEqual(self.units[0].storq_event_ids[0].document_ref, order)

    def test_plain_user_cannot_block_or_unblock(self):
        with self.assertRaises(AccessError):
            self._wizard(self.worker, "block", self.units, "Mine")
        with self.assertRaises(AccessError):
            self.units.with_user(self.worker)._storq_block("Mine")
        # Not behind the API's back either (RPC write on the unit).
        with self.assertRaises(AccessError):
            self.units.with_user(self.worker).write({"storq_blocked": True, "storq_block_reason": "Mine"})
        self.units._storq_block("Recall")
        with self.assertRaises(AccessError):
            self.units.with_user(self.worker)._storq_unblock()
        with self.assertRaises(AccessError):
            self.units.with_user(self.worker).write({"storq_blocked": False})
        self.assertTrue(all(self.units.mapped("storq_blocked")))
        # The worker still sees why.
        self.assertEqual(self.units[0].with_user(self.worker).storq_block_reason, "Recall")

    def test_blocked_unit_moves_inside_the_warehouse_but_is_not_shipped(self):
        self.units[0]._storq_block("Quarantine")
        warehouse = self.env.ref("stock.warehouse0")
        quarantine = self.env["stock.location"].create(
            {"name": "Quarantine", "location_id": self.stock_location.id}
        )
        internal = self.env["stock.picking"].create(
            {
                "picking_type_id": warehouse.int_type_id.id,
                "location_id": self.stock_location.id,
                "location_dest_id": quarantine.id,
                "move_ids": [
                    (
                        0,
                        0,
                        {
                            "name": self.laptop.name,
                            "product_id": self.laptop.id,
                            "product_uom_qty": 1,
                            "location_id": self.stock_location.id,
                            "location_dest_id": quarantine.id,
                        },
                    )
                ],
            }
        )
        internal.action_confirm()
        result = internal.storq_scan(self.units[0].name, self.laptop.id)
        self.assertEqual(result["status"], "ok", result)
        internal.button_validate()
        self.assertEqual(self.units[0].storq_location_id, quarantine)
        delivery = self._sale(self.customer, self.laptop, 1).picking_ids
        result = delivery.storq_scan(self.units[0].name, self.laptop.id)
        self.assertEqual(result["status"], "error")
        self.assertIn("BL0CK01 is blocked (Quarantine) and cannot be shipped", result["message"])

    def test_blocked_unit_goes_back_to_its_vendor(self):
        self.units[0]._storq_block("Vendor recall")
        to_vendor = self._to_vendor(self.laptop, 1)
        result = to_vendor.storq_scan(self.units[0].name, self.laptop.id)
        self.assertEqual(result["status"], "ok", result)
        to_vendor.button_validate()
        self.assertEqual(to_vendor.state, "done")
        self.assertEqual(self.units[0].storq_state, "returned_to_vendor")
