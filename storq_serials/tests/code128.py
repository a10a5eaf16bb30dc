"""A small Code 128 / GS1-128 reader for the label tests: SVG bars back to the encoded text.

Independent of python-barcode's encoder (only its published symbol table is shared), so a
round trip proves what a scanner would read.
"""

import re

from barcode.charsets import code128

FNC1 = "\xf1"
STOP = "1100011101011"  # the stop character and its final bar
_SYMBOLS = {pattern: value for value, pattern in enumerate(code128.CODES)}
_RECT = re.compile(rb'<rect x="([0-9.]+)mm" y="[0-9.]+mm" width="([0-9.]+)mm"')


def svg_modules(svg):
    """The module string ('1' bar, '0' space) drawn by an SVG, quiet zones excluded."""
    bars = [(float(x), float(width)) for x, width in _RECT.findall(svg)]
    module = min(width for _x, width in bars)
    position = bars[0][0]
    modules = []
    for x, width in bars:
        modules.append("0" * round((x - position) / module) + "1" * round(width / module))
        position = x + width
    return "".join(modules)


def quiet_zones(svg):
    """(left, right) quiet zones of an SVG barcode, in modules."""
    width_mm = float(re.search(rb'<svg[^>]* width="([0-9.]+)mm"', svg).group(1))
    bars = [(float(x), float(width)) for x, width in _RECT.findall(svg)]
    module = min(width for _x, width in bars)
    return round(bars[0][0] / module), round((width_mm - bars[-1][0] - bars[-1][1]) / module)


def decode_modules(modules):
    """The text of a Code 128 module string; FNC1 reads as FNC1. Checks the check character."""
    values = []
    while len(modules) > len(STOP):
        values.append(_SYMBOLS[modules[:11]])
        modules = modules[11:]
    if modules != STOP:
        raise ValueError(f"no stop pattern: {modules!r}")
    start, data, check = values[0], values[1:-1], values[-1]
    if (start + sum(weight * value for weight, value in enumerate(data, start=1))) % 103 != check:
        raise ValueError("wrong check character")
    charset = {103: "A", 104: "B", 105: "C"}[start]
    text = []
    for value in data:
        if value == 102:
            text.append(FNC1)
        elif charset == "C" and value < 100:
            text.append(f"{value:02d}")
        elif charset in "AB" and value < 64:
            text.append(chr(value + 32))
        elif charset == "B" and value < 96:
            text.append(chr(value + 32))
        elif charset == "A" and value < 96:
            text.append(chr(value - 64))
        elif value == 99 and charset != "C":
            charset = "C"
        elif value == 100 and charset != "B":
            charset = "B"
        elif value == 101 and charset != "A":
            charset = "A"
        else:
            raise ValueError(f"unexpected value {value} in charset {charset}")
    return "".join(text)


def decode_svg(svg):
    return decode_modules(svg_modules(svg))


def gs1_elements(text):
    """{AI: value} of a GS1-128 reading made of (01) GTIN-14 then (21) serial."""
    if not text.startswith(FNC1):
        raise ValueError("a GS1-128 symbol starts with FNC1")
    body = text[1:]
    if not body.startswith("01") or body[16:18] != "21":
        raise ValueError(f"not (01)(21): {body!r}")
    return {"01": body[2:16], "21": body[18:]}
