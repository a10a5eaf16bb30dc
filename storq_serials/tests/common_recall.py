from odoo import Command

from .common import StorqSerialsCase


class RecallCase(StorqSerialsCase):
    """Fixtures for recall tests: a manager, a customer, recalls built from ranges."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Recall = cls.env["storq.recall"]
        cls.customer = cls.env["res.partner"].create({"name": "Recall Customer", "is_company": True})
        cls.manager = cls._make_user("storq_recall_manager", "stock.group_stock_manager")
        cls.worker = cls._make_user("storq_recall_worker", "stock.group_stock_user")

    @classmethod
    def _recall(cls, ranges=(), user=None, **vals):
        """A draft recall; `ranges` are (first, last) or (first, last, product)."""
        Recall = cls.Recall.with_user(user) if user else cls.Recall
        return Recall.create(
            {
                "title": vals.pop("title", "Test recall"),
                "range_ids": [
                    Command.create(
                        {
                            "serial_from": rng[0],
                            "serial_to": rng[1],
                            "product_id": rng[2].id if len(rng) > 2 else False,
                        }
                    )
                    for rng in ranges
                ],
                **vals,
            }
        )

    def _selected(self, recall):
        return self.env["stock.lot"].search(recall._get_units_domain())

    def _deliver(self, partner, units):
        """Deliver `units` (of one product) to `partner` through a sale, scanning each."""
        order = self._sale(partner, units.product_id, len(units))
        delivery = order.picking_ids
        for unit in units:
            result = delivery.storq_scan(unit.name, unit.product_id.id)
            self.assertEqual(result["status"], "ok", result)
        delivery.button_validate()
        self.assertEqual(set(units.mapped("storq_state")), {"delivered"})
        return delivery
