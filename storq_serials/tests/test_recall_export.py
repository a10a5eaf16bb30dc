import base64
import csv
import io

import openpyxl

from odoo.tests import tagged

from .common_recall_notify import StorqRecallNotifyCase


@tagged("post_install", "-at_install")
class TestRecallExport(StorqRecallNotifyCase):
    def setUp(self):
        super().setUp()
        self.lots = self._fleet()
        self.recall = self._recall(self.lots)
        self._send_all(self.recall)
        self.env["storq.serial.return.record"]._return_units(
            [{"lot_id": self.lots[0].id, "reason_id": self.reasons["recall"].id, "disposition": "scrap"}]
        )

    def _rows_by_serial(self, rows):
        header, *body = rows
        return header, {row[header.index("Serial")]: dict(zip(header, row, strict=True)) for row in body}

    def _check(self, header, rows):
        self.assertEqual(len(rows), 7)
        self.assertEqual(
            header[:8],
            [
                "Recall",
                "Serial",
                "Product",
                "Internal reference",
                "Situation at confirmation",
                "Location at confirmation",
                "Customer",
                "Status",
            ],
        )
        scrapped = rows["RCLA001"]
        self.assertEqual(
            (
                scrapped["Recall"],
                scrapped["Product"],
                scrapped["Situation at confirmation"],
                scrapped["Customer"],
            ),
            (self.recall.name, "[LAPTOP-1] Test laptop", "At a customer", "Acme Customer"),
        )
        self.assertEqual((scrapped["Status"], scrapped["Resolution"]), ("Resolved", "Scrapped"))
        self.assertTrue(scrapped["Notified on"] and scrapped["Returned on"] and scrapped["Resolved on"])
        in_stock = rows["RCLA007"]
        self.assertEqual((in_stock["Situation at confirmation"], in_stock["Customer"]), ("In stock", ""))
        self.assertIn("Stock", in_stock["Location at confirmation"])
        self.assertEqual((in_stock["Status"], in_stock["Notified on"]), ("Blocked", ""))

    def test_csv(self):
        action = self.recall.with_user(self.serial_user).action_export_csv()
        attachment = self.env["ir.attachment"].search(
            [
                ("res_model", "=", "storq.recall"),
                ("res_id", "=", self.recall.id),
                ("mimetype", "=", "text/csv"),
            ]
        )
        self.assertEqual(action["url"], f"/web/content/{attachment.id}?download=true")
        self.assertTrue(attachment.name.endswith(".csv"))
        # The serial user who exported it downloads it.
        text = base64.b64decode(attachment.with_user(self.serial_user).datas).decode("utf-8-sig")
        self._check(*self._rows_by_serial(list(csv.reader(io.StringIO(text)))))

    def test_xlsx(self):
        action = self.recall.action_export_xlsx()
        attachment = self.env["ir.attachment"].browse(int(action["url"].split("/")[-1].split("?")[0]))
        self.assertTrue(attachment.name.endswith(".xlsx"))
        workbook = openpyxl.load_workbook(io.BytesIO(base64.b64decode(attachment.datas)))
        rows = [
            [cell if cell is not None else "" for cell in row]
            for row in workbook.active.iter_rows(values_only=True)
        ]
        self._check(*self._rows_by_serial(rows))
