from datetime import timedelta

from odoo.tests import Form
from odoo.tests import tagged

from ..models.stock_lot_unit_return import SUSPICIOUS_RETURN_WINDOW
from .common_returns import StorqReturnsCase


@tagged("post_install", "-at_install")
class TestSuspiciousReturnLog(StorqReturnsCase):
    """A refused return attempt is logged once per unit, user and document within a window:
    repeating the same check cannot fill the history."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.clerk = cls._make_user("storq_log_clerk", "stock.group_stock_user")
        cls.other_clerk = cls._make_user("storq_log_other_clerk", "stock.group_stock_user")

    def _check(self, user, record, serials):
        form = Form(
            self.env["storq.serial.return"]
            .with_user(user)
            .with_context(active_model=record._name, active_id=record.id)
        )
        form.serial_text = "\n".join(serials)
        wizard = form.save()
        wizard.action_check()
        self.assertEqual(wizard.accepted_count, 0)
        return wizard

    def test_repeated_check_is_logged_once(self):
        lots = self._receive(["SUS0001", "SUS0002"])
        order = self._sell(self.other_customer, lots)
        for _attempt in range(5):
            self._check(self.clerk, self.customer, ["SUS0001", "SUS0002"])
        self.assertEqual(len(self._suspicious(lots)), 2, "one per unit")
        # Another user, or another document, is another attempt.
        self._check(self.other_clerk, self.customer, ["SUS0001"])
        self.assertEqual(len(self._suspicious(lots)), 3)
        other_customer = self.env["res.partner"].create({"name": "Other Shop", "is_company": True})
        self._check(self.clerk, other_customer, ["SUS0001"])
        self.assertEqual(len(self._suspicious(lots)), 4)
        self.assertTrue(order)

    def test_logged_again_after_the_window(self):
        lots = self._receive(["SUS0003"])
        self._sell(self.other_customer, lots)
        self._check(self.clerk, self.customer, ["SUS0003"])
        event = self._suspicious(lots)
        self.env.cr.execute(
            "UPDATE storq_serial_event SET date = date - %s WHERE id = %s",
            [SUSPICIOUS_RETURN_WINDOW + timedelta(minutes=1), event.id],
        )
        self.env.invalidate_all()
        self._check(self.clerk, self.customer, ["SUS0003"])
        self.assertEqual(len(self._suspicious(lots)), 2)

    def test_refused_validations_are_logged_once(self):
        lots = self._receive(["SUS0004"])
        order = self._sell(self.customer, lots)
        self._sell(self.other_customer, self._receive(["SUS0005"]))
        swapped = self.Lot.search([("name", "=", "SUS0005")])
        picking = self._standard_return(order.picking_ids, swapped)
        for _attempt in range(3):
            self._validate_refused(picking)
        self.assertEqual(len(self._suspicious(swapped)), 1)

    def test_logging_is_constant_in_queries(self):
        Lot = self.env["stock.lot"]
        for count in (2, 30):
            lots = self._create_lots(self.laptop, [f"SQ{count:02d}{n:03d}" for n in range(count)])
            vals_list = [
                Lot._storq_prepare_suspicious_return_vals(lot, self.customer, "test") for lot in lots
            ]
            with self.assertQueryCount(2):  # what is logged already, then one insert
                Lot._storq_log_suspicious_returns(vals_list + vals_list)
            self.assertEqual(len(self._suspicious(lots)), count)
