"""Find serials that are probably typos of each other, or that normalise to the same value."""

from collections import Counter
from collections import defaultdict
from collections.abc import Callable
from collections.abc import Iterable

from .errors import SerialValidationError


def within_one_edit(a: str, b: str) -> bool:
    """Whether the Levenshtein distance between `a` and `b` is exactly 1 (False when equal)."""
    if len(a) < len(b):
        a, b = b, a
    if len(a) - len(b) > 1 or a == b:
        return False
    # skip the common start; what follows must differ by one substitution or one insertion
    i = 0
    while i < len(b) and a[i] == b[i]:
        i += 1
    if len(a) == len(b):
        return a[i + 1 :] == b[i + 1 :]
    return a[i + 1 :] == b[i:]


def _neighbours(candidates, existing, skip_counting_steps=False):
    """{candidate: {existing values at edit distance exactly 1}} (candidates without any are
    left out); with `skip_counting_steps`, without the pairs that differ by one digit in the
    same place (`is_counting_step`).

    The smaller side is indexed, the larger one streamed against it, in about
    (n + m) * length dictionary look-ups and one step per pair found, nothing more: two values
    of the same length that are equal once their character at position i is dropped differ
    exactly there (a substitution, no check needed); a value one character longer than another
    is within one edit of it exactly when dropping one of its characters gives the other.
    """
    candidates = set(candidates)
    existing = set(existing)
    flipped = len(candidates) > len(existing)
    indexed, streamed = (existing, candidates) if flipped else (candidates, existing)
    by_position = defaultdict(list)
    for value in indexed:
        for i in range(len(value)):
            by_position[i, value[:i] + value[i + 1 :]].append(value)
    indexed_lengths = {len(value) for value in indexed}
    # `indexed` values by each string one of their characters dropped, for the streamed values
    # one character shorter (none among one product's serials of one length).
    longer_lengths = {len(value) + 1 for value in streamed} & indexed_lengths
    dropped = defaultdict(set)
    for value in indexed:
        if len(value) in longer_lengths:
            for i in range(len(value)):
                dropped[value[:i] + value[i + 1 :]].add(value)
    digits = _ASCII_DIGITS
    matches = defaultdict(set)
    for value in streamed:
        length = len(value)
        shorter = length - 1 in indexed_lengths
        for i in range(length):
            key = value[:i] + value[i + 1 :]
            others = by_position.get((i, key))
            if others:
                char = value[i]
                for other in others:
                    if other == value or (skip_counting_steps and char in digits and other[i] in digits):
                        continue
                    if flipped:
                        matches[value].add(other)
                    else:
                        matches[other].add(value)
            if shorter and key in indexed:
                if flipped:
                    matches[value].add(key)
                else:
                    matches[key].add(value)
        for other in dropped.get(value, ()):
            if flipped:
                matches[value].add(other)
            else:
                matches[other].add(value)
    return matches


def near_duplicates(candidates: Iterable[str], existing: Iterable[str]) -> dict[str, list[str]]:
    """For each candidate, the existing values at edit distance exactly 1, sorted.

    Candidates without any are left out. Runs in about (n + m) * length dictionary look-ups
    (plus one step per pair found).
    """
    return {candidate: sorted(found) for candidate, found in _neighbours(candidates, existing).items()}


def normalisation_clashes(values: Iterable[str], normalizer: Callable[[str], str]) -> dict[str, list[str]]:
    """Groups of distinct raw values that normalise to the same key: {key: sorted raw values}.

    Only groups of two or more are returned. A value the normalizer refuses
    (SerialValidationError) or turns into '' is no valid serial, so it clashes with nothing.
    """
    groups = defaultdict(set)
    for value in values:
        try:
            key = normalizer(value)
        except SerialValidationError:
            continue
        if key:
            groups[key].add(value)
    return {key: sorted(raw, key=str) for key, raw in groups.items() if len(raw) >= 2}


_ASCII_DIGITS = frozenset("0123456789")


def is_counting_step(a: str, b: str) -> bool:
    """Whether `a` and `b` differ by one digit in the same place: neighbours in a numbered
    range (SN-0041, SN-0042), which is how serials are made, not how they are mistyped."""
    if len(a) != len(b):
        return False
    differences = [(x, y) for x, y in zip(a, b) if x != y]
    return len(differences) == 1 and differences[0][0] in _ASCII_DIGITS and differences[0][1] in _ASCII_DIGITS


def likely_typos(candidates: Iterable[str], existing: Iterable[str]) -> dict[str, list[str]]:
    """`near_duplicates` without counting steps: a character inserted, dropped, or replaced
    by a letter (0/O, 8/B, M/N) — the look of a typo or a misread label."""
    found = _neighbours(candidates, existing, skip_counting_steps=True)
    return {candidate: sorted(others) for candidate, others in found.items()}


def common_prefix_length(a: str, b: str) -> int:
    """How many first characters `a` and `b` share."""
    length = 0
    for x, y in zip(a, b):
        if x != y:
            break
        length += 1
    return length


def typo_search_split(serial: str, shared_prefix: int = 0, shared_suffix: int = 0) -> tuple[str, str]:
    """(prefix, suffix) such that every value one edit away from `serial` starts with `prefix`
    or ends with `suffix`: where the edit is, one side of `serial` is left whole (pigeonhole).

    Looked up through indexes, each side finds the values that share it, so the split is put in
    the middle of what tells the existing values apart: `shared_prefix` and `shared_suffix` are
    how many first and last characters they all share with `serial` (a numbered range shares
    its start), and a split in the middle of the string would leave one side matching them all.
    """
    length = len(serial)
    start = max(0, min(shared_prefix, length))
    end = length - max(0, min(shared_suffix, length - start))
    split = (start + end) // 2 if end > start else length // 2
    if length >= 2:
        split = min(max(split, 1), length - 1)  # neither side empty: an empty side matches everything
    return serial[:split], serial[split:]


# A character is one a product's serials count with at a place when at least this many of them
# have it there, and at least a 1/COUNTING_SHARE share of the most frequent character's count:
# a counter in base 36 uses each of its 36 characters about as often; a typo is rare.
COUNTING_MIN_COUNT = 2
COUNTING_SHARE = 36


def counting_characters(values: Iterable[str]) -> list[frozenset]:
    """For serials of one length (one product's), the characters they count with at each place.

    A character is counted with at a place when it is common there among the serials (see
    COUNTING_MIN_COUNT and COUNTING_SHARE): the 36 characters of the last places of base-36
    asset tags, the 16 of a hex counter, the 10 digits of a numbered range; not the O typed
    once for a 0, which a single serial (or a handful among many) has there. At a place with
    two such characters or more, the characters next to them in 0-9A-Z order count too: the
    count's first and last values there, used less while it starts or ends in them (an A
    typed for a digit beside a 9 is the price: no other confusable letter is next to a digit).
    """
    return [_counting(Counter(column)) for column in zip(*values)]


def _counting(counts):
    most = max(counts.values())
    common = {
        char
        for char, count in counts.items()
        if count >= COUNTING_MIN_COUNT and count * COUNTING_SHARE >= most
    }
    if len(common) >= 2:
        # A counting place's first and last characters are used less while the count starts
        # or ends in them (LA00-0Fxx when the tags reach 0F): they follow the others in order.
        common |= {char for char in counts.keys() - common if _ORDER_NEIGHBOURS.get(char, set()) & common}
    return frozenset(common)


_COUNTING_ORDER = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
_ORDER_NEIGHBOURS = {
    char: set(_COUNTING_ORDER[max(i - 1, 0) : i]) | set(_COUNTING_ORDER[i + 1 : i + 2])
    for i, char in enumerate(_COUNTING_ORDER)
}


def is_counting_substitution(a: str, b: str, counting: frozenset) -> bool:
    """Whether replacing `a` by `b` (single characters) at a place that counts with `counting`
    is a step of the count, not a typo: two digits (a numbered range), or two characters the
    serials count with there (base 36, hex)."""
    return (a in _ASCII_DIGITS and b in _ASCII_DIGITS) or (a in counting and b in counting)


def typos_among(values: Iterable[str]) -> dict[str, list[str]]:
    """Likely typos among one product's serials: {serial: sorted serials one edit from it}.

    A character dropped or inserted is always one; a character replaced is one unless it is a
    step of the product's count at that place (`is_counting_substitution` with
    `counting_characters` of the serials of that length): SN-0041/SN-0042, LA00-00Z1/LA00-0001
    of base-36 tags are neighbours in a range, SN-O041 (O for 0) and A8 where the serials all
    have AB are typos.

    Linear in the serials: each length's characters are counted place by place; only the places
    where some serial has an uncommon character are searched for substitutions, and only the
    serials that share the rest of a serial with such a character are paired. Lengths one apart
    are compared by dropping each character of the longer serials.
    """
    by_length = defaultdict(set)
    for value in values:
        by_length[len(value)].add(value)
    matches = defaultdict(set)
    for length, same in by_length.items():
        _substitution_typos(same, matches)
        shorter = by_length.get(length - 1)
        if shorter:
            for value in same:
                for i in range(length):
                    other = value[:i] + value[i + 1 :]
                    if other in shorter:
                        matches[value].add(other)
                        matches[other].add(value)
    return {value: sorted(others) for value, others in matches.items()}


def _substitution_typos(same, matches):
    """Add to `matches` the pairs of `same` (serials of one length) one substituted character
    apart that are no counting step."""
    ordered = list(same)
    for i, column in enumerate(zip(*ordered)):
        counts = Counter(column)
        counting = _counting(counts)
        uncommon = counts.keys() - counting
        if not uncommon or counts.keys() <= _ASCII_DIGITS:
            continue  # every pair here is a step of the count (digits only: a numbered range)
        groups = defaultdict(list)
        for value, char in zip(ordered, column):
            if char in uncommon:
                groups[value[:i] + value[i + 1 :]].append(value)
        for value in ordered:
            group = groups.get(value[:i] + value[i + 1 :])
            if group is None:
                continue
            for suspect in group:
                if suspect != value and not is_counting_substitution(suspect[i], value[i], counting):
                    matches[suspect].add(value)
                    matches[value].add(suspect)
