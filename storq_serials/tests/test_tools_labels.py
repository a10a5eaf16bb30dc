import base64
import string

from hypothesis import given
from hypothesis import settings
from hypothesis import strategies as st

from odoo.tests import BaseCase

from ..tools.labels import LABEL_SIZES
from ..tools.labels import QUIET_ZONE_MODULES
from ..tools.labels import barcode_image_src
from ..tools.labels import fits_gs1_serial
from ..tools.labels import gtin14
from ..tools.labels import label_barcode
from ..tools.labels import render_svg
from ..tools.labels import svg_data_uri
from .code128 import FNC1
from .code128 import decode_svg
from .code128 import gs1_elements
from .code128 import quiet_zones

FUZZ = settings(max_examples=200, deadline=None, database=None)
EAN13 = "9501101530003"


class TestToolsLabels(BaseCase):
    def test_gtin14_from_product_barcodes(self):
        self.assertEqual(gtin14(EAN13), "09501101530003")
        self.assertEqual(gtin14("96385074"), "00000096385074")  # EAN-8
        self.assertEqual(gtin14("036000291452"), "00036000291452")  # UPC-A
        self.assertEqual(gtin14("10614141000415"), "10614141000415")  # GTIN-14
        self.assertIsNone(gtin14("9501101530004"))  # wrong check digit
        self.assertIsNone(gtin14("PHX-128-BOX"))
        self.assertIsNone(gtin14("950110153000"))  # 12 digits, bad check digit
        self.assertIsNone(gtin14(False))
        self.assertIsNone(gtin14(None))

    def test_gs1_128_when_the_product_has_a_gtin(self):
        content = label_barcode("490154203237518", EAN13)
        self.assertEqual(content.symbology, "gs1_128")
        self.assertEqual(content.data, "0109501101530003" + "21490154203237518")
        self.assertEqual(content.text, "(01)09501101530003(21)490154203237518")

    def test_code_128_of_the_serial_otherwise(self):
        for product_barcode in (None, False, "PHX-128-BOX", "9501101530004"):
            content = label_barcode("SN-0042", product_barcode)
            self.assertEqual(content, ("code128", "SN-0042", "SN-0042"))
        # a serial AI 21 cannot carry: too long, or outside GS1 character set 82
        self.assertEqual(label_barcode("A" * 21, EAN13).symbology, "code128")
        self.assertEqual(label_barcode("SN 42", EAN13).symbology, "code128")
        self.assertEqual(label_barcode("SN#42", EAN13).symbology, "code128")
        self.assertFalse(fits_gs1_serial(""))
        self.assertTrue(fits_gs1_serial("aZ09!\"%&'()*+,-./:;<=>?_"[:20]))

    def test_nothing_to_draw(self):
        self.assertFalse(label_barcode("", EAN13).symbology)
        self.assertFalse(label_barcode("NUMÉRO-1", None).symbology)
        content, src = barcode_image_src("NUMÉRO-1")
        self.assertEqual(content.text, "NUMÉRO-1")
        self.assertFalse(src)
        with self.assertRaises(ValueError):
            render_svg(content)

    def test_gs1_element_string_decodes_to_gtin_and_serial(self):
        svg = render_svg(label_barcode("490154203237518", EAN13))
        reading = decode_svg(svg)
        self.assertTrue(reading.startswith(FNC1), "GS1-128 starts with FNC1")
        self.assertEqual(gs1_elements(reading), {"01": "09501101530003", "21": "490154203237518"})

    def test_code_128_decodes_to_the_serial(self):
        for serial in ("SN-0042", "7XK2M93", "490154203237518", "a/b.c_d e"):
            self.assertEqual(decode_svg(render_svg(label_barcode(serial))), serial)

    def test_serials_starting_with_99_keep_their_digits(self):
        """python-barcode 0.16 drops a leading '99' in Code 128 (its issue #251); not here."""
        for serial in ("9912", "990000000000006", "99x", "99"):
            self.assertEqual(decode_svg(render_svg(label_barcode(serial))), serial)
        reading = decode_svg(render_svg(label_barcode("99123", "96385074")))
        self.assertEqual(gs1_elements(reading)["21"], "99123")

    def test_svg_scales_to_the_label_and_keeps_quiet_zones(self):
        svg = render_svg(label_barcode("SN-0042"), bar_height=12)
        self.assertIn(b"viewBox=", svg)
        self.assertIn(b'preserveAspectRatio="none"', svg)
        self.assertIn(b'height="12.000mm"', svg)
        self.assertNotIn(b"<text", svg)  # the human-readable text is the report's
        left, right = quiet_zones(svg)
        self.assertGreaterEqual(left, QUIET_ZONE_MODULES)
        self.assertGreaterEqual(right, QUIET_ZONE_MODULES)

    def test_data_uri(self):
        svg = render_svg(label_barcode("SN-0042"))
        uri = svg_data_uri(svg)
        self.assertTrue(uri.startswith("data:image/svg+xml;base64,"))
        self.assertEqual(base64.b64decode(uri.split(",", 1)[1]), svg)
        _content, src = barcode_image_src("SN-0042", bar_height=LABEL_SIZES["102x51"]["bar_height"])
        self.assertIn(b'height="20.000mm"', base64.b64decode(src.split(",", 1)[1]))

    @FUZZ
    @given(st.text(alphabet=string.printable[:95], min_size=1, max_size=40))
    def test_fuzz_code_128_round_trip(self, serial):
        content = label_barcode(serial)
        self.assertEqual(content.symbology, "code128")
        self.assertEqual(decode_svg(render_svg(content)), serial)

    @FUZZ
    @given(
        st.text(alphabet=string.ascii_letters + string.digits + "-./_", min_size=1, max_size=20),
        st.sampled_from([EAN13, "96385074", "036000291452", "10614141000415"]),
    )
    def test_fuzz_gs1_128_round_trip(self, serial, product_barcode):
        content = label_barcode(serial, product_barcode)
        self.assertEqual(content.symbology, "gs1_128")
        elements = gs1_elements(decode_svg(render_svg(content)))
        self.assertEqual(elements, {"01": product_barcode.zfill(14), "21": serial})
