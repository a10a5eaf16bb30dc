"""Find serials that are probably typos of each other, or that normalise to the same value."""

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
