"""Clean a scanned or typed serial number before it is checked or stored."""

import unicodedata

from .errors import SerialValidationError

# Invisible characters a scanner or a copy-paste leaves behind: controls (CR, LF, TAB, the
# GS1 group separator chr(29)), format characters (zero-width space, BOM, bidi marks),
# surrogates, private-use and unassigned code points, line and paragraph separators.
NOISE_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"})

# What may sit between a label prefix and the serial: "S/N: 123", "SN#123", "SN-123".
PREFIX_SEPARATORS = frozenset(":#-.")

# Upper-casing can create a label prefix ('ſn' becomes 'SN'), so normalisation is repeated
# until nothing changes. It settles by the third round (str.upper is idempotent and never
# yields noise or whitespace); the bound only guards against an unforeseen Unicode change.
_MAX_ROUNDS = 8


def to_text(value):
    """Accept what the ORM hands over: None/False mean "no value", an int is read as digits.

    Anything else is a programming error and raises TypeError.
    """
    if value is None or value is False:
        raise SerialValidationError("empty")
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    if not isinstance(value, str):
        raise TypeError(f"a serial number must be a str, not {type(value).__name__}")
    return value


def strip_scanner_noise(value: str) -> str:
    """Remove every non-printable character anywhere, then surrounding whitespace (NBSP too).

    Spaces inside the value are kept: whether they are allowed is the format rule's call.
    """
    value = to_text(value)
    if not value.isprintable():  # fast path: most values hold no noise at all
        value = "".join(c for c in value if unicodedata.category(c) not in NOISE_CATEGORIES)
    return value.strip()


def _strip_label_prefixes(value, prefixes):
    """Remove label prefixes (case-insensitive) and the separators after them, as long as
    something remains: 'S/N: SN-123' gives '123', but a bare 'SN' stays 'SN'.

    Linear in the length of `value`: it walks an index over the value and cuts once at the
    end (cutting at each label copied the rest each time, quadratic for 'SN-SN-SN-...').
    """
    folded = [(len(prefix), prefix.casefold()) for prefix in prefixes]
    end = len(value)
    start = 0
    changed = True
    while changed:
        changed = False
        for length, prefix in folded:
            if value[start : start + length].casefold() != prefix:
                continue
            i = start + length
            while i < end and (value[i] in PREFIX_SEPARATORS or value[i].isspace()):
                i += 1
            if i < end:
                start, changed = i, True
                break
    return value[start:] if start else value


def normalize_serial(value: str, *, uppercase: bool = False, strip_prefixes: tuple[str, ...] = ()) -> str:
    """Return the serial as it should be checked and stored.

    Steps: strip scanner noise, remove label prefixes (e.g. 'S/N:', 'SN'), upper-case if asked.
    Idempotent for any input and options. A label is removed wherever the value starts with
    it, so pick labels real serials never start with: with 'SN', 'SN0098' becomes '0098'.
    None/False raise SerialValidationError('empty'), an int is read as its digits, any other
    non-str raises TypeError.
    """
    value = to_text(value)
    if isinstance(strip_prefixes, str):  # a lone prefix, not its characters
        strip_prefixes = (strip_prefixes,)
    strip_prefixes = tuple(p for p in strip_prefixes or () if p and isinstance(p, str))
    for _round in range(_MAX_ROUNDS):
        result = strip_scanner_noise(value)
        result = _strip_label_prefixes(result, strip_prefixes)
        if uppercase:
            result = result.upper()
        if result == value:
            break
        value = result
    return value
