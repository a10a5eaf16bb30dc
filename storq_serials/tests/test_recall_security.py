from odoo import Command
from odoo.exceptions import AccessError
from odoo.tests import tagged

from .common_recall import RecallCase


@tagged("post_install", "-at_install")
class TestRecallSecurity(RecallCase):
    """Serial users read recalls; managers create and confirm them; each company its own."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company_b = cls.env["res.company"].create({"name": "Recall Company B"})
        cls.warehouse_b = cls.env["stock.warehouse"].search([("company_id", "=", cls.company_b.id)], limit=1)
        cls.manager_b = cls._make_user("storq_recall_manager_b", "stock.group_stock_manager", cls.company_b)
        cls.units_a = cls._stock_units(cls.gadget, ["MC-0001", "MC-0002"])
        # The same serials, of company B's own product of the same kind, in company B's stock.
        env_b = cls.env(context=dict(cls.env.context, allowed_company_ids=cls.company_b.ids))
        cls.gadget_b = env_b["product.product"].create(
            {
                "name": "Gadget B",
                "type": "consu",
                "storq_serial_control": True,
                "company_id": cls.company_b.id,
            }
        )
        lots_b = env_b["stock.lot"].create(
            [{"product_id": cls.gadget_b.id, "name": name} for name in ("MC-0001", "MC-0003")]
        )
        env_b["stock.quant"].with_context(inventory_mode=True).create(
            [
                {
                    "product_id": cls.gadget_b.id,
                    "location_id": cls.warehouse_b.lot_stock_id.id,
                    "lot_id": lot.id,
                    "inventory_quantity": 1,
                }
                for lot in lots_b
            ]
        ).action_apply_inventory()
        # A shared unit without company, received into company B's stock.
        cls.shared_b = env_b["stock.lot"].create(
            {"product_id": cls.gadget.id, "name": "MC-0004", "company_id": False}
        )
        env_b["stock.quant"].with_context(inventory_mode=True).create(
            {
                "product_id": cls.gadget.id,
                "location_id": cls.warehouse_b.lot_stock_id.id,
                "lot_id": cls.shared_b.id,
                "inventory_quantity": 1,
            }
        ).action_apply_inventory()
        cls.lots_b = lots_b

    def test_user_reads_manager_confirms(self):
        recall = self._recall([("MC-0001", "MC-0009")], user=self.manager)
        # a serial user reads the recall and its lines, creates and confirms nothing
        self.assertEqual(recall.with_user(self.worker).title, "Test recall")
        with self.assertRaises(AccessError):
            self._recall([("MC-0001", "MC-0002")], user=self.worker)
        with self.assertRaises(AccessError):
            recall.with_user(self.worker).action_confirm()
        with self.assertRaises(AccessError):
            recall.with_user(self.worker).write({"title": "Mine"})
        self.assertEqual(recall.state, "draft")
        self.assertFalse(any(self.units_a.mapped("storq_blocked")))
        recall.with_user(self.manager).action_confirm()
        self.assertEqual(recall.state, "confirmed")
        self.assertEqual(recall.with_user(self.worker).line_ids.lot_id, self.units_a)
        with self.assertRaises(AccessError):
            recall.line_ids[0].with_user(self.worker).write({"state": "resolved"})

    def test_recall_of_company_a_never_selects_company_b_units(self):
        recall = self._recall([("MC-0001", "MC-0009")], user=self.manager).with_user(self.manager)
        self.assertEqual(self.env["stock.lot"].search(recall._get_units_domain()), self.units_a)
        recall.action_preview()
        self.assertEqual(recall.preview_count, 2)
        # MC-0003 and MC-0004 are company B's: for company A they were never received
        self.assertIn("MC-0003", recall.preview_data["gaps"])
        recall.action_confirm()
        self.assertEqual(recall.line_ids.lot_id, self.units_a)
        self.assertFalse(any((self.lots_b | self.shared_b).mapped("storq_blocked")))
        # company B's recall takes its own units, the shared one included
        recall_b = self.Recall.with_user(self.manager_b).create(
            {
                "title": "B recall",
                "range_ids": [Command.create({"serial_from": "MC-0001", "serial_to": "MC-0009"})],
            }
        )
        self.assertEqual(recall_b.company_id, self.company_b)
        self.assertEqual(
            self.env["stock.lot"].search(recall_b.sudo()._get_units_domain()), self.lots_b | self.shared_b
        )
        # record rules: neither company sees the other's recalls, ranges or lines
        Recall = self.env["storq.recall"]
        self.assertEqual(
            Recall.with_user(self.manager).search([("id", "in", (recall | recall_b).ids)]), recall
        )
        self.assertEqual(
            Recall.with_user(self.manager_b).search([("id", "in", (recall | recall_b).ids)]), recall_b
        )
        Line = self.env["storq.recall.line"].with_user(self.manager_b)
        self.assertFalse(Line.search([("recall_id", "=", recall.id)]))
        Range = self.env["storq.recall.range"].with_user(self.manager_b)
        self.assertFalse(Range.search([("recall_id", "=", recall.id)]))
        with self.assertRaises(AccessError):
            recall.with_user(self.manager_b).read(["title"])
