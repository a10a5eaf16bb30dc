from odoo.tests import tagged

from .common import StorqSerialsCase


@tagged("post_install", "-at_install")
class TestSerialHygiene(StorqSerialsCase):
    def _force_names(self, lots, names):
        """Write serials behind Odoo's back, as data from before the module would be."""
        for lot, name in zip(lots, names):
            self.env.cr.execute("UPDATE stock_lot SET name = %s WHERE id = %s", [name, lot.id])
        self.Lot.invalidate_model(["name"])

    def _issues(self, lots):
        self.env["storq.serial.hygiene.issue"]._refresh_issues()
        return self.env["storq.serial.hygiene.issue"].search([("lot_id", "in", lots.ids)])

    def test_report_finds_each_kind_of_problem(self):
        lots = self._create_lots(self.laptop, ["AAA0001", "BBB0001", "CCC0001", "DDD0001", "EEE0001"])
        self._force_names(lots, ["sn-001 ", "SN-001", "7XK2M93", "7XK2N93", "LAPTOP-1"])
        issues = self._issues(lots)
        by_type = {}
        for issue in issues:
            by_type.setdefault(issue.issue_type, self.Lot)
            by_type[issue.issue_type] |= issue.lot_id
        self.assertIn(lots[0], by_type["format"], "lower case and trailing space break the rule")
        self.assertEqual(by_type["normalised_duplicate"], lots[0] | lots[1])
        self.assertEqual(by_type["near_duplicate"] & (lots[2] | lots[3]), lots[2] | lots[3])
        self.assertIn(lots[4], by_type["product_code"])
        self.assertIn(lots[4], by_type["format"], "LAPTOP-1 is not a 7-character service tag")

    def test_clean_units_are_not_listed(self):
        lots = self._create_lots(self.laptop, ["7XK2M93", "4HN8WR2"])
        self.assertFalse(self._issues(lots))

    def test_each_issue_opens_its_unit(self):
        lots = self._create_lots(self.laptop, ["AAA0001"])
        self._force_names(lots, ["bad"])
        issue = self._issues(lots)[:1]
        action = issue.action_open_unit()
        self.assertEqual((action["res_model"], action["res_id"]), ("stock.lot", lots.id))

    def test_refresh_replaces_the_previous_report(self):
        lots = self._create_lots(self.laptop, ["AAA0001"])
        self._force_names(lots, ["bad"])
        self.assertTrue(self._issues(lots))
        self._force_names(lots, ["AAA0001"])
        self.assertFalse(self._issues(lots))

    def test_cron_is_scheduled(self):
        cron = self.env.ref("storq_serials.ir_cron_storq_serial_hygiene")
        self.assertTrue(cron.active)
        self.assertEqual(cron.code.strip(), "model._refresh_issues()")
