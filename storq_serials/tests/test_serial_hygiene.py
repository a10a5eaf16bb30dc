from unittest.mock import patch

from odoo.tests import tagged

from ..models.storq_serial_hygiene_issue import REFRESH_CURSOR_PARAM
from .common import StorqSerialsCase

TAG_CHARS = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"


def asset_tags(count, start=0):
    """Service tags counted in base 36, as asset-tag printers number them: 7XK0000, 7XK0001, ..."""
    return [
        "7XK" + "".join(TAG_CHARS[n // 36**k % 36] for k in (3, 2, 1, 0)) for n in range(start, start + count)
    ]


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
        self.assertEqual(cron.code.strip(), "model._cron_refresh_issues()")

    def test_base36_neighbours_are_no_typos_but_typos_among_them_are(self):
        lots = self._create_lots(self.laptop, asset_tags(100))
        typos = lots[-3:]
        # O for 0 where every tag has 0; B for 8 where the tags count in digits; a character added.
        self._force_names(typos, ["7XKO001", "7XK0B01", "77XK0002"])
        near = self._issues(lots).filtered(lambda issue: issue.issue_type == "near_duplicate")
        self.assertEqual(
            near.lot_id & lots, typos | lots.filtered(lambda lot: lot.name in ("7XK0001", "7XK0002"))
        )
        by_unit = {issue.lot_id: issue.related_lot_id.name for issue in near}
        self.assertEqual(by_unit[typos[0]], "7XK0001")
        self.assertEqual(by_unit[typos[2]], "7XK0002")

    def _issue_rows(self):
        Issue = self.env["storq.serial.hygiene.issue"]
        return sorted(
            Issue.search([]).mapped(lambda i: (i.lot_id.id, i.issue_type, i.detail, i.related_lot_id.id))
        )

    def test_cron_rebuilds_product_by_product_to_the_full_report(self):
        Issue = self.env["storq.serial.hygiene.issue"]
        phones = self._create_lots(self.phone, ["490154203237518"])
        laptops = self._create_lots(self.laptop, ["AAA0001"])
        self._force_names(phones | laptops, ["bad", "worse"])
        Issue._refresh_issues()
        expected = self._issue_rows()
        # Both corrected: a first cron call rescans the first product only, in its transaction.
        self._force_names(phones | laptops, ["490154203237518", "AAA0001"])
        first, second = sorted([self.phone.id, self.laptop.id])
        progress = []
        cron = Issue.with_context(lastcall=False)
        with (
            patch.object(type(Issue), "_refresh_batch_units", lambda self: 1),
            patch.object(
                type(self.env["ir.cron"]), "_notify_progress", lambda self, **kw: progress.append(kw)
            ),
        ):
            params = self.env["ir.config_parameter"]
            calls = 0
            while int(params.get_param(REFRESH_CURSOR_PARAM) or 0) <= first:
                cron._cron_refresh_issues()  # the demo products first: one product per call
                calls += 1
            left = Issue.search([("lot_id", "in", (phones | laptops).ids)])
            self.assertEqual(left.product_id.ids, [second], "the second product keeps its whole, older list")
            self.assertEqual(self.env["ir.config_parameter"].get_param(REFRESH_CURSOR_PARAM), str(second))
            while progress[-1]["remaining"]:
                cron._cron_refresh_issues()
                calls += 1
        self.assertEqual(progress[0]["done"], 1)
        self.assertFalse(Issue.search([("lot_id", "in", (phones | laptops).ids)]))
        self.assertFalse(self.env["ir.config_parameter"].get_param(REFRESH_CURSOR_PARAM))
        # The rounds end on the same report as one full rebuild.
        self._force_names(phones | laptops, ["bad", "worse"])
        progress.clear()
        with (
            patch.object(type(Issue), "_refresh_batch_units", lambda self: 1),
            patch.object(
                type(self.env["ir.cron"]), "_notify_progress", lambda self, **kw: progress.append(kw)
            ),
        ):
            cron._cron_refresh_issues()
            while progress[-1]["remaining"]:
                cron._cron_refresh_issues()
        self.assertEqual(self._issue_rows(), expected)
        self.assertGreater(calls, 1)

    def test_button_rescans_now_when_small(self):
        lots = self._create_lots(self.laptop, ["AAA0001"])
        self._force_names(lots, ["bad"])
        action = self.env["storq.serial.hygiene.issue"].action_refresh()
        self.assertEqual(action["tag"], "soft_reload")
        self.assertTrue(self.env["storq.serial.hygiene.issue"].search([("lot_id", "in", lots.ids)]))

    def test_button_starts_the_cron_when_large(self):
        Issue = self.env["storq.serial.hygiene.issue"]
        cron = self.env.ref("storq_serials.ir_cron_storq_serial_hygiene")
        self._create_lots(self.laptop, ["AAA0001"])  # a unit to scan even without demo data
        self.env["ir.config_parameter"].set_param(REFRESH_CURSOR_PARAM, 12345)
        with patch.object(type(Issue), "_refresh_now_units", lambda self: 0):
            action = Issue.action_refresh()
        self.assertEqual(action["tag"], "display_notification")
        self.assertIn("background", action["params"]["message"])
        self.assertTrue(self.env["ir.cron.trigger"].search([("cron_id", "=", cron.id)]))
        self.assertFalse(self.env["ir.config_parameter"].get_param(REFRESH_CURSOR_PARAM), "a new round")

    def test_cron_runs_through_odoo_and_reports_its_progress(self):
        Issue = self.env["storq.serial.hygiene.issue"]
        lots = self._create_lots(self.laptop, ["AAA0001"])
        self._force_names(lots, ["bad"])
        cron = self.env.ref("storq_serials.ir_cron_storq_serial_hygiene")
        cron.method_direct_trigger()  # its server action, as a cron worker runs it
        self.assertTrue(Issue.search([("lot_id", "in", lots.ids)]))
        # One product per call: ir.cron learns that products remain, and calls again.
        cron, progress = cron._add_progress()
        with patch.object(type(Issue), "_refresh_batch_units", lambda self: 1):
            Issue.with_context(ir_cron_progress_id=progress.id)._cron_refresh_issues()
        self.assertEqual(progress.done, 1)
        self.assertEqual(progress.remaining, len(Issue._controlled_units_by_product()) - 1)
