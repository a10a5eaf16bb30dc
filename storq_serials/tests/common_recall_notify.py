from odoo import Command

from .common_returns import StorqReturnsCase


class StorqRecallNotifyCase(StorqReturnsCase):
    """Laptops bought, sold to customers (with and without email), then recalled."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.customer.email = "buyer@acme.example.com"
        cls.other_customer.email = "purchasing@globex.example.com"
        cls.silent_customer = cls.env["res.partner"].create(
            {"name": "No Mail Garage", "is_company": True, "phone": "+32 2 555 01 01"}
        )
        cls.manager = cls._make_user(
            "recall_manager", "base.group_user,stock.group_stock_user,storq_serials.group_storq_manager"
        )
        cls.serial_user = cls._make_user(
            "recall_reader", "base.group_user,stock.group_stock_user,storq_serials.group_storq_user"
        )

    def _recall(self, lots, title="Battery overheating", **vals):
        """A recall of `lots` by serial list, previewed and confirmed (as the manager)."""
        recall = (
            self.env["storq.recall"]
            .with_user(self.manager)
            .create(
                {
                    "title": title,
                    "reason": "The battery can overheat while charging.",
                    "stop_instructions": "Stop charging the laptop and unplug it.",
                    "return_instructions": "Ask for the return on the recall page: a courier collects it.",
                    "remedy": "replacement",
                    "serial_list": "\n".join(lots.mapped("name")),
                    "product_ids": [Command.set(lots.product_id.ids)],
                    **vals,
                }
            )
        )
        recall.action_preview()
        recall.action_confirm()
        self.assertEqual(recall.state, "confirmed")
        return recall.with_user(self.env.user)

    def _fleet(self):
        """Seven laptops: 2 at Acme, 1 at Globex, 1 at the garage without email, 3 in stock."""
        lots = self._receive([f"RCLA{n:03d}" for n in range(1, 8)])
        self._sell(self.customer, lots[:2])
        self._sell(self.other_customer, lots[2:3])
        self._sell(self.silent_customer, lots[3:4])
        return lots

    def _send_all(self, recall):
        recall.action_notify()
        self.env["storq.recall"]._cron_send_notices()
        return recall.notice_ids

    def _notice(self, recall, partner):
        return recall.notice_ids.filtered(lambda notice: notice.partner_id == partner)
