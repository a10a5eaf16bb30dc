import base64

from lxml import html

from odoo.exceptions import UserError
from odoo.tests import Form
from odoo.tests import tagged

from ..tools.check_digits import compute_check_digit
from .code128 import decode_svg
from .code128 import gs1_elements
from .common import StorqSerialsCase

SVG_URI = "data:image/svg+xml;base64,"


def imei(number):
    body = f"49015420{number:06d}"
    return body + compute_check_digit("luhn", body)


@tagged("post_install", "-at_install")
class TestSerialLabels(StorqSerialsCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.gtin_phone = cls.env["product.product"].create(
            {
                "name": "Test phone with GTIN",
                "type": "consu",
                "categ_id": cls.controlled_category.id,
                "barcode": "9501101530003",
            }
        )
        cls.Print = cls.env["storq.serial.label.print"]

    # Helpers -----------------------------------------------------------
    def _render(self, report_ref, records, user=None):
        reports = self.env["ir.actions.report"]
        if user:
            reports = reports.with_user(user)
        content, kind = reports._render_qweb_html(report_ref, records.ids)
        self.assertEqual(kind, "html")
        return html.fromstring(content)

    def _labels(self, document):
        """{serial: (label element, decoded barcode)} of a rendered label report."""
        labels = {}
        for label in document.xpath("//div[contains(@class, 'o_storq_serial_label')]"):
            serial = label.xpath(".//*[contains(@class, 'o_storq_label_serial')]/span")[0].text_content()
            self.assertEqual(label.get("data-serial"), serial)
            self.assertNotIn(serial, labels, f"{serial} has a label only once")
            images = label.xpath(".//img[contains(@class, 'o_storq_label_barcode')]")
            self.assertEqual(len(images), 1, f"{serial} has its barcode")
            source = images[0].get("src")
            self.assertTrue(source.startswith(SVG_URI), "the barcode is an SVG drawn by python-barcode")
            labels[serial] = (label, decode_svg(base64.b64decode(source[len(SVG_URI) :])))
        return labels

    # Reports -------------------------------------------------------------
    def test_unit_labels_code_128_and_gs1_128(self):
        lots = self._create_lots(self.phone, [imei(1), imei(2)]) | self._create_lots(
            self.gtin_phone, [imei(3)]
        )
        document = self._render("storq_serials.action_report_serial_label_lot_62x29", lots)
        labels = self._labels(document)
        self.assertEqual(sorted(labels), [imei(1), imei(2), imei(3)])
        # no GTIN (the phone's barcode is not one): Code 128 of the serial
        self.assertEqual(labels[imei(1)][1], imei(1))
        self.assertIn("Test phone", labels[imei(1)][0].text_content())
        # with a GTIN: GS1-128 (01) GTIN-14 (21) serial, and its human-readable text
        self.assertEqual(gs1_elements(labels[imei(3)][1]), {"01": "09501101530003", "21": imei(3)})
        self.assertIn(f"(01)09501101530003(21){imei(3)}", labels[imei(3)][0].text_content())
        self.assertIn("Test phone with GTIN", labels[imei(3)][0].text_content())
        self.assertIn("width: 62mm; height: 29mm;", labels[imei(1)][0].get("style"))

    def test_label_sizes(self):
        lot = self._create_lots(self.gadget, ["UNIT-1"])
        for size, (width, height) in {"62x29": (62, 29), "57x32": (57, 32), "102x51": (102, 51)}.items():
            report = self.env.ref(f"storq_serials.action_report_serial_label_lot_{size}")
            paper = report.paperformat_id
            # the short side is the page width, printed landscape (as Odoo's Dymo labels)
            self.assertEqual(
                (paper.page_height, paper.page_width, paper.orientation), (width, height, "Landscape")
            )
            labels = self._labels(self._render(report.report_name, lot))
            self.assertIn(f"width: {width}mm; height: {height}mm;", labels["UNIT-1"][0].get("style"))
            self.assertEqual(labels["UNIT-1"][1], "UNIT-1")

    def test_receipt_labels_before_and_after_validation(self):
        picking = self._receipt(self.gtin_phone, [imei(10), imei(11), imei(12)])
        report = "storq_serials.action_report_serial_label_picking_102x51"
        before = self._labels(self._render(report, picking))
        self.assertEqual(
            sorted(before), [imei(10), imei(11), imei(12)], "lines not validated give their serial"
        )
        self.assertEqual(gs1_elements(before[imei(11)][1])["21"], imei(11))
        picking.button_validate()
        self.assertEqual(picking.state, "done")
        after = self._labels(self._render(report, picking))
        self.assertEqual(sorted(after), sorted(before), "validated lines give their unit")

    def test_lines_without_serial_get_no_label(self):
        picking = self._receipt(self.phone, [], quantity=2)
        self.assertFalse(
            self._labels(self._render("storq_serials.action_report_serial_label_picking_62x29", picking))
        )

    # Wizard --------------------------------------------------------------
    def test_print_units_from_the_lot_list(self):
        action = self.env.ref("storq_serials.storq_serial_label_print_action_lot")
        self.assertEqual((action.binding_model_id.model, action.binding_type), ("stock.lot", "report"))
        lots = self._create_lots(self.gadget, ["UNIT-1", "UNIT-2"])
        form = Form(self.Print.with_context(active_model="stock.lot", active_ids=lots.ids))
        self.assertEqual(form.label_count, 2)
        self.assertEqual(form.label_size, "62x29")
        form.label_size = "57x32"
        result = form.save().action_print()
        self.assertEqual(result["type"], "ir.actions.report")
        self.assertEqual(result["report_name"], "storq_serials.report_serial_label_lot_57x32")
        self.assertEqual(result["context"]["active_ids"], lots.ids)
        self.assertTrue(result["close_on_report_download"])

    def test_print_a_receipt(self):
        picking = self._receipt(self.phone, [imei(20), imei(21)])
        form = Form(self.Print.with_context(active_model="stock.picking", active_id=picking.id))
        self.assertEqual(form.label_count, 2)
        form.label_size = "102x51"
        result = form.save().action_print()
        self.assertEqual(result["report_name"], "storq_serials.report_serial_label_picking_102x51")

    def test_nothing_to_print(self):
        picking = self._receipt(self.phone, [], quantity=1)
        wizard = Form(self.Print.with_context(active_model="stock.picking", active_id=picking.id)).save()
        with self.assertRaisesRegex(UserError, "no unit to label"):
            wizard.action_print()

    def test_restricted_stock_user_prints_labels(self):
        user = self._make_user("storq_label_user", "stock.group_stock_user")
        picking = self._receipt(self.gtin_phone, [imei(30)])
        wizard = Form(
            self.Print.with_user(user).with_context(active_model="stock.picking", active_id=picking.id)
        ).save()
        self.assertEqual(wizard.label_count, 1)
        wizard.action_print()
        labels = self._labels(
            self._render("storq_serials.action_report_serial_label_picking_57x32", picking, user)
        )
        self.assertEqual(list(labels), [imei(30)])
