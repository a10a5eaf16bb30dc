"""How much input the module takes in one go, so that no input can hold a worker.

Every value arriving from a person or an integration (a scan, a pasted list, a CSV file, a
list sent over RPC, a format rule's pattern) is measured against these bounds before any
work is done on it: the cost of refusing stays constant, whatever the size of the input.
"""

# No serial is longer once normalised, rule or not: a longer value is a paste error.
HARD_MAX_LENGTH = 128
# A raw serial may carry a label prefix ("S/N: "), spaces and scanner noise around those 128
# characters; anything longer is refused before it is normalised.
MAX_RAW_SERIAL_LENGTH = 4 * HARD_MAX_LENGTH
# A format rule's regular expression: real serial formats need a few dozen characters.
MAX_PATTERN_LENGTH = 200
# Serials in one bulk input (a pasted list, a CSV file, a generated range, a pick list): a
# large delivery, not a whole warehouse. Bigger batches are split by the person.
MAX_BULK_SERIALS = 10_000
# Size of one bulk input, in bytes of UTF-8 text (or of the CSV file): MAX_BULK_SERIALS
# serials of 100 characters, with room for separators.
MAX_BULK_BYTES = 1_048_576
# A serial shown inside a message is cut to this many characters.
MAX_SHOWN_LENGTH = 40


def shorten(value, limit=MAX_SHOWN_LENGTH):
    """`value` as shown in a message: text cut to `limit` characters with an ellipsis,
    NUL and other control characters replaced by '?', and anything else by its type name."""
    if not isinstance(value, str):
        return f"<{type(value).__name__}>" if value is not None and value is not False else ""
    if len(value) > limit:
        value = value[: limit - 1] + "…"
    if not value.isprintable():
        value = "".join(char if char.isprintable() or char == " " else "?" for char in value)
    return value


def text_size(text):
    """The size of `text` in UTF-8 bytes, counted without encoding a huge text: a text of more
    than MAX_BULK_BYTES characters is over the limit whatever its encoding."""
    if len(text) > MAX_BULK_BYTES:
        return len(text)
    return len(text.encode("utf-8", "surrogatepass"))


def without_nul(vals):
    """ORM values with NUL characters removed from text: PostgreSQL cannot store them (the
    save fails with a traceback) and they are no part of a serial, a rule or a list."""
    return {
        key: value.replace("\x00", "") if isinstance(value, str) and "\x00" in value else value
        for key, value in vals.items()
    }
