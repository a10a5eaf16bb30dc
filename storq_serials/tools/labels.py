"""Serial labels: what the barcode encodes, and its SVG rendering with python-barcode.

A unit's label carries one linear barcode:

- GS1-128 with the element string ``(01) GTIN-14 (21) serial`` when the product barcode is a
  valid GTIN (8, 12, 13 or 14 digits with a good GS1 check digit) and the serial fits GS1
  application identifier 21 (at most 20 characters of GS1 character set 82);
- otherwise Code 128 of the serial alone.

The SVG has a viewBox and ``preserveAspectRatio="none"``, so the report sizes it to the label
(every module scales by the same factor, which keeps the symbol readable). python-barcode is
imported when a barcode is drawn, so the module installs (and prints text-only labels) without it.
"""

import base64
import string
from typing import NamedTuple

from .check_digits import is_gtin_shaped

# GS1 application identifiers used on unit labels
AI_GTIN = "01"
AI_SERIAL = "21"
# AI 21 (serial number): up to 20 characters of GS1 AI encodable character set 82
GS1_SERIAL_MAX_LENGTH = 20
GS1_CSET82 = frozenset(string.ascii_letters + string.digits + "!\"%&'()*+,-./:;<=>?_")

# Code 128 encodes ASCII 0-127; labels only ever need the printable part of it
CODE128_CHARS = frozenset(chr(code) for code in range(32, 127))

# Code 128 needs a quiet zone of at least 10 modules on each side
QUIET_ZONE_MODULES = 10
# the nominal module (X dimension) the SVG is drawn with, in mm; the report rescales it
NOMINAL_MODULE_MM = 0.33
# CSS/SVG user units per millimetre
_PX_PER_MM = 96 / 25.4

# Label sizes for common label printers: width, height and bar height in mm, text size in pt
LABEL_SIZES = {
    "62x29": {"width": 62, "height": 29, "bar_height": 10, "font_size": 7},
    "57x32": {"width": 57, "height": 32, "bar_height": 12, "font_size": 7},
    "102x51": {"width": 102, "height": 51, "bar_height": 20, "font_size": 11},
}


class LabelBarcode(NamedTuple):
    """What a label's barcode encodes.

    `symbology` is 'gs1_128', 'code128' or False (nothing encodable: the label shows text only);
    `data` is the encoded content without the leading FNC1 of GS1-128; `text` its
    human-readable interpretation, e.g. '(01)09501101530003(21)SN42'.
    """

    symbology: str | bool
    data: str
    text: str


def gtin14(product_barcode):
    """The GTIN-14 of a product barcode (EAN-8, UPC-A, EAN-13, GTIN-14), or None."""
    if not is_gtin_shaped(product_barcode):
        return None
    return product_barcode.zfill(14)


def fits_gs1_serial(serial):
    """Whether `serial` can be encoded as GS1 application identifier 21."""
    return (
        isinstance(serial, str) and 0 < len(serial) <= GS1_SERIAL_MAX_LENGTH and GS1_CSET82.issuperset(serial)
    )


def label_barcode(serial, product_barcode=None):
    """The barcode content for the unit `serial` of a product with barcode `product_barcode`."""
    serial = serial if isinstance(serial, str) else ""
    gtin = gtin14(product_barcode)
    if gtin and fits_gs1_serial(serial):
        data = f"{AI_GTIN}{gtin}{AI_SERIAL}{serial}"
        return LabelBarcode("gs1_128", data, f"({AI_GTIN}){gtin}({AI_SERIAL}){serial}")
    if serial and CODE128_CHARS.issuperset(serial):
        return LabelBarcode("code128", serial, serial)
    return LabelBarcode(False, serial, serial)


def render_svg(content, bar_height=10.0, module_width=NOMINAL_MODULE_MM):
    """The SVG drawing (bytes) of a `LabelBarcode`: bars and quiet zones, no text.

    Sizes are in mm. Raises ValueError when `content` has nothing to encode.
    """
    if not content.symbology:
        raise ValueError(f"nothing to encode as a barcode in {content.data!r}")
    symbol = _barcode_class(content.symbology)(content.data, writer=_scalable_svg_writer())
    return symbol.render(
        writer_options={
            "module_width": module_width,
            "module_height": bar_height,
            "quiet_zone": QUIET_ZONE_MODULES * module_width,
            "margin_top": 0,
            "margin_bottom": 0,
            "write_text": False,
            "font_size": 0,
            "text": "",
        }
    )


def svg_data_uri(svg):
    """A data URI an <img> can show, for SVG bytes."""
    return "data:image/svg+xml;base64," + base64.b64encode(svg).decode("ascii")


def barcode_image_src(serial, product_barcode=None, bar_height=10.0):
    """(LabelBarcode, data URI of its SVG or False when it cannot be drawn) for one unit."""
    content = label_barcode(serial, product_barcode)
    if not content.symbology:
        return content, False
    try:
        return content, svg_data_uri(render_svg(content, bar_height=bar_height))
    except ImportError:
        return content, False


def _barcode_class(symbology):
    """python-barcode's Code 128 or GS1-128, with its leading-"99" bug fixed.

    python-barcode 0.16 folds START C followed by the code value 99 into START C, as if 99
    were a switch to charset C; after START C it is the data "99", so a serial starting with
    99 (an IMEI can) lost those digits (python-barcode issue #251, fixed after 0.16.1). Only
    a real switch to charset A or B is folded here.
    """
    # python-barcode is imported here, so that the module installs (text-only labels) without it
    from barcode.charsets import code128
    from barcode.codex import Code128
    from barcode.codex import Gs1_128

    start_c = code128.START_CODES["C"]
    switches_from_c = {code for code, start in code128.TO.items() if start != start_c}
    base = Gs1_128 if symbology == "gs1_128" else Code128

    class FixedCode128(base):
        def _try_to_optimize(self, encoded):
            if len(encoded) > 1 and encoded[0] == start_c and encoded[1] in switches_from_c:
                encoded[:2] = [code128.TO[encoded[1]]]
            return encoded

    return FixedCode128


def _scalable_svg_writer():
    """python-barcode's SVG writer, with a viewBox so that the drawing scales to its box."""
    from barcode.writer import SVGWriter

    class ScalableSVGWriter(SVGWriter):
        def __init__(self):
            super().__init__()
            self.with_doctype = False
            self.compress = True  # compact XML (gzip happens only in save(), unused here)

        def _init(self, code):
            result = super()._init(code)
            width, height = self.calculate_size(len(code[0]), 1)
            self._root.setAttribute("viewBox", f"0 0 {width * _PX_PER_MM:.3f} {height * _PX_PER_MM:.3f}")
            self._root.setAttribute("preserveAspectRatio", "none")
            return result

    return ScalableSVGWriter()
