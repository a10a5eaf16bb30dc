"""Serial number format rules: how a serial is normalised, and what it must look like."""

from dataclasses import dataclass
from dataclasses import field
from dataclasses import fields

from .check_digits import CHECK_DIGIT_ALGORITHMS
from .check_digits import GTIN_LENGTHS
from .check_digits import is_gtin_shaped
from .check_digits import is_valid_body
from .check_digits import is_valid_check_digit
from .errors import SerialValidationError
from .limits import HARD_MAX_LENGTH
from .limits import MAX_PATTERN_LENGTH
from .limits import MAX_RAW_SERIAL_LENGTH
from .normalize import normalize_serial
from .normalize import strip_scanner_noise
from .normalize import to_text

try:
    # Google's RE2: matching time is linear in the serial's length, whatever the pattern (a
    # backtracking engine takes seconds on `^([A-Z0-9]+-?)+$` and a 27-character serial).
    import re2
except ImportError:  # pragma: no cover - an external dependency of the manifest
    re2 = None

# Charsets are ASCII-only on purpose: a Cyrillic 'А' or an Arabic-Indic '٣' looks like
# 'A' or '3' on a label but would make a second, different serial.
# Spaces inside a serial: 'any' allows the ASCII space (not NBSP or other Unicode spaces,
# which look identical and would split one serial into several); 'custom' allows a space
# only if listed; every other charset refuses them.
CHARSETS = {
    "any": "Any printable character",
    "digits": "Digits 0-9",
    "upper_alnum": "Upper-case letters and digits",
    "alnum": "Letters and digits",
    "hex": "Hexadecimal (0-9, A-F)",
    "custom": "Custom list",
}

_DIGITS = "0123456789"
_UPPER = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
_CHARSET_CHARS = {
    "digits": frozenset(_DIGITS),
    "upper_alnum": frozenset(_DIGITS + _UPPER),
    "alnum": frozenset(_DIGITS + _UPPER + _UPPER.lower()),
    "hex": frozenset(_DIGITS + "ABCDEF"),
}


_TEXT_SETTINGS = (
    "name",
    "pattern",
    "prefix",
    "charset",
    "allowed_chars",
    "check_digit",
)


def _invalid(reason):
    return SerialValidationError("invalid_rule", reason=reason)


def _text_setting(name, value):
    """Odoo reads an empty Char field as False: accept it (and None) as ''."""
    if value is None or value is False:
        return ""
    if not isinstance(value, str):
        raise _invalid(f"{name} must be text")
    return value


def _count_setting(name, value):
    if value is None or value is False:
        return 0
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        raise _invalid(f"{name} must be a whole number, 0 or more")
    if value > HARD_MAX_LENGTH:
        raise _invalid(f"{name} cannot exceed {HARD_MAX_LENGTH}")
    return value


def _prefixes_setting(value):
    if value is None or value is False:
        return ()
    if isinstance(value, str) or not isinstance(value, list | tuple):
        # a bare str would silently become one prefix per character
        raise _invalid("strip_prefixes must be a list of prefixes")
    cleaned = []
    for prefix in value:
        if not isinstance(prefix, str):
            raise _invalid("strip_prefixes must be a list of prefixes")
        prefix = strip_scanner_noise(prefix)
        if prefix and prefix not in cleaned:
            cleaned.append(prefix)
    return tuple(cleaned)


# What RE2 refuses that Python's engine takes, in words a person writing a rule understands.
_UNSUPPORTED = (
    ("invalid perl operator: (?<", "look-behind assertions such as (?<=...) are not supported"),
    ("invalid perl operator: (?=", "look-ahead assertions such as (?=...) are not supported"),
    ("invalid perl operator: (?!", "negative look-ahead assertions such as (?!...) are not supported"),
    ("invalid escape sequence: \\Z", "use \\z or $ for the end of the serial instead of \\Z"),
    *(
        (f"invalid escape sequence: \\{digit}", "backreferences such as \\1 are not supported")
        for digit in "123456789"
    ),
    ("invalid repetition size", "a repetition count cannot exceed 1000"),
    ("pattern too large", "the pattern expands to too large a program: simplify it"),
)


def _re2_options():
    options = re2.Options()
    options.log_errors = False  # a refused rule is the user's message, not a log line
    return options


def _compile_pattern(pattern):
    """The pattern compiled by RE2, whose matching time is linear in the serial's length.

    RE2 has no backreferences or look-around (the constructs that make matching exponential):
    a rule using them is refused when it is saved, with the reason. Its `\\d`, `\\w` and `\\s`
    are ASCII, as `re.ASCII` made them: a look-alike Unicode digit is no digit.
    """
    if len(pattern) > MAX_PATTERN_LENGTH:
        raise SerialValidationError(
            "invalid_pattern",
            pattern=pattern[:MAX_PATTERN_LENGTH] + "…",
            reason=f"it has {len(pattern)} characters, at most {MAX_PATTERN_LENGTH} are allowed",
        )
    if re2 is None:
        raise SerialValidationError(
            "invalid_pattern", pattern=pattern, reason="the google-re2 library is not installed"
        )
    if "\x00" in pattern:
        raise SerialValidationError("invalid_pattern", pattern=pattern, reason="it contains a NUL character")
    try:
        return re2.compile(pattern, _re2_options())
    except Exception as error:  # re2.error, and TypeError/ValueError for odd input
        message = error.args[0] if error.args else error
        if isinstance(message, bytes):
            message = message.decode("utf-8", "replace")
        message = str(message)
        reason = next((why for needle, why in _UNSUPPORTED if needle in message), None)
        if reason:
            reason += "; patterns run on RE2, a linear-time engine, so that no serial can hold the server"
        raise SerialValidationError("invalid_pattern", pattern=pattern, reason=reason or message) from None


@dataclass(frozen=True)
class SerialFormatRule:
    """A validated serial format. Constructing one checks its settings (see `build_rule`)."""

    name: str = ""
    # regular expression (RE2 syntax) the whole normalised serial must match; '' = none
    pattern: str = ""
    min_length: int = 0
    # 0 = no bound (HARD_MAX_LENGTH still applies)
    max_length: int = 0
    # the serial must start with it (case-sensitive, after normalisation)
    prefix: str = ""
    charset: str = "any"
    # for charset 'custom' (ignored otherwise)
    allowed_chars: str = ""
    # normalisation: upper-case, and label prefixes removed, e.g. ('S/N:', 'SN')
    uppercase: bool = False
    strip_prefixes: tuple[str, ...] = ()
    # '' or a CHECK_DIGIT_ALGORITHMS key; the last character is the check digit
    check_digit: str = ""
    # by default a GTIN-shaped value is refused as a product barcode scanned by mistake
    accept_gtin_shape: bool = False

    # Derived once per rule so that checking many serials never recompiles anything.
    _regex: object = field(default=None, init=False, repr=False, compare=False)
    _allowed: frozenset | None = field(default=None, init=False, repr=False, compare=False)

    def __post_init__(self):
        set_ = object.__setattr__  # the dataclass is frozen
        for name in _TEXT_SETTINGS:
            set_(self, name, _text_setting(name, getattr(self, name)))
        for name in ("min_length", "max_length"):
            set_(self, name, _count_setting(name, getattr(self, name)))
        set_(self, "uppercase", bool(self.uppercase))
        set_(self, "accept_gtin_shape", bool(self.accept_gtin_shape))
        set_(self, "strip_prefixes", _prefixes_setting(self.strip_prefixes))
        if not self.charset:
            set_(self, "charset", "any")
        # _allowed None means "any printable character"
        if self.charset == "custom":
            set_(self, "_allowed", frozenset(self.allowed_chars))
        else:
            set_(self, "_allowed", _CHARSET_CHARS.get(self.charset))
        self._check_settings()
        set_(self, "_regex", _compile_pattern(self.pattern) if self.pattern else None)

    def _check_settings(self):
        if self.charset not in CHARSETS:
            raise _invalid(f"unknown charset {self.charset!r}")
        if self.charset == "custom" and not self.allowed_chars:
            raise _invalid("a custom charset needs its list of allowed characters")
        if self.check_digit and self.check_digit not in CHECK_DIGIT_ALGORITHMS:
            raise _invalid(f"unknown check digit algorithm {self.check_digit!r}")
        if self.max_length and self.min_length > self.max_length:
            raise _invalid("min_length is greater than max_length")
        if self.prefix:
            self._check_prefix_setting()
        if (
            self.check_digit == "gs1_mod10"
            and not self.accept_gtin_shape
            and self.min_length == self.max_length
            and self.max_length in GTIN_LENGTHS
        ):
            raise _invalid("every valid serial would look like a GTIN; allow GTIN-shaped serials")

    def _check_prefix_setting(self):
        """Refuse a prefix that no normalised serial could ever start with."""
        prefix = self.prefix
        if prefix != strip_scanner_noise(prefix):
            raise _invalid("the prefix has surrounding spaces or invisible characters")
        if self.uppercase and prefix != prefix.upper():
            raise _invalid("the prefix must be upper-case, since serials are upper-cased")
        if self.max_length and len(prefix) > self.max_length:
            raise _invalid("the prefix is longer than max_length")
        if self._offending_chars(prefix, self._allowed):
            raise _invalid("the prefix contains characters outside the charset")
        if self.check_digit and not is_valid_body(self.check_digit, prefix):
            raise _invalid("the prefix contains characters the check digit algorithm cannot take")

    @staticmethod
    def _offending_chars(value, allowed):
        """The characters of `value` outside `allowed` (None = printable), deduplicated, in order."""
        if allowed is None:
            if value.isprintable():
                return ""
            return "".join(dict.fromkeys(c for c in value if not c.isprintable()))
        if allowed.issuperset(value):
            return ""  # the usual case, without a generator per character
        return "".join(dict.fromkeys(c for c in value if c not in allowed))

    def normalize(self, value: str) -> str:
        """The value to check and store; a value too long to be a serial, even with a label
        prefix and scanner noise around it, is refused before any work is done on it."""
        value = to_text(value)
        if len(value) > MAX_RAW_SERIAL_LENGTH:
            raise SerialValidationError("too_long", length=len(value), max_length=HARD_MAX_LENGTH)
        return normalize_serial(value, uppercase=self.uppercase, strip_prefixes=self.strip_prefixes)

    def check(self, value: str) -> None:
        """Raise SerialValidationError for the first failing check of an already normalised value."""
        value = to_text(value)
        length = len(value)
        if not value.strip():
            raise SerialValidationError("empty")
        if length > HARD_MAX_LENGTH:
            raise SerialValidationError("too_long", length=length, max_length=HARD_MAX_LENGTH)
        if length < self.min_length:
            raise SerialValidationError("too_short", length=length, min_length=self.min_length)
        if self.max_length and length > self.max_length:
            raise SerialValidationError("too_long", length=length, max_length=self.max_length)
        if self.prefix and not value.startswith(self.prefix):
            raise SerialValidationError("prefix", prefix=self.prefix)
        chars = self._offending_chars(value, self._allowed)
        if chars:
            raise SerialValidationError("charset", chars=chars, charset=self.charset)
        if self._regex is not None and not self._regex.fullmatch(value):
            raise SerialValidationError("pattern", pattern=self.pattern)
        if self.check_digit and not is_valid_check_digit(self.check_digit, value):
            raise SerialValidationError("check_digit", algorithm=self.check_digit)
        if not self.accept_gtin_shape and is_gtin_shaped(value):
            raise SerialValidationError("gtin_shape", length=length)

    def validate(self, value: str) -> str:
        """Normalise then check `value`; return the serial to store."""
        value = self.normalize(value)
        self.check(value)
        return value


@dataclass(frozen=True)
class UnusableRule:
    """Stands for a saved rule that no longer builds (e.g. a pattern saved before patterns ran
    on RE2): every serial of its products is refused with the reason, until it is corrected,
    rather than a scan failing with a traceback."""

    name: str = ""
    reason: str = ""
    check_digit: str = ""

    def _refuse(self):
        raise SerialValidationError(
            "invalid_rule",
            reason=f"the format rule {self.name!r} cannot be used ({self.reason}); "
            "a manager must correct it in the Serial Number Formats",
        )

    def normalize(self, value: str) -> str:
        self._refuse()

    def check(self, value: str) -> None:
        self._refuse()

    def validate(self, value: str) -> str:
        self._refuse()


_SETTINGS = frozenset(f.name for f in fields(SerialFormatRule) if f.init)


def build_rule(**settings) -> SerialFormatRule:
    """Build a rule from its settings, refusing a bad definition.

    Raises SerialValidationError('invalid_pattern') for a pattern that does not compile and
    ('invalid_rule') for unknown or inconsistent settings. Empty ORM values (False, None)
    count as '' / 0 / ().
    """
    unknown = sorted(set(settings) - _SETTINGS)
    if unknown:
        raise _invalid(f"unknown settings {', '.join(unknown)}")
    return SerialFormatRule(**settings)


# for products without a format: noise stripping, emptiness, hard max and the GTIN guard only
DEFAULT_RULE = SerialFormatRule()
