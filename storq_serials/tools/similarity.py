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


def _deletion_keys(value):
    """The value itself and the value with any one character deleted (may repeat).

    Two strings within one edit always share such a key: a substitution at i gives the same
    deletion at i, an insertion makes the shorter string a deletion of the longer one.
    """
    keys = [value[:i] + value[i + 1 :] for i in range(len(value))]
    keys.append(value)
    return keys


def near_duplicates(candidates: Iterable[str], existing: Iterable[str]) -> dict[str, list[str]]:
    """For each candidate, the existing values at edit distance exactly 1, sorted.

    Candidates without any are left out. Runs in about (n + m) * length dictionary look-ups:
    the smaller side is indexed by its deletion keys and the larger one streamed against it.
    """
    candidates = set(candidates)
    existing = set(existing)
    indexed, streamed = (candidates, existing) if len(candidates) <= len(existing) else (existing, candidates)
    index = defaultdict(set)
    for value in indexed:
        for key in _deletion_keys(value):
            index[key].add(value)

    matches = defaultdict(set)
    for value in streamed:
        # most values share no key at all: only build a set of neighbours on a hit
        neighbours = None
        for key in _deletion_keys(value):
            found = index.get(key)
            if found:
                neighbours = neighbours or set()
                neighbours |= found
        if neighbours:
            for other in neighbours:
                if within_one_edit(value, other):
                    matches[value].add(other)
    # matches are keyed by the streamed side: flip them when that was `existing`
    if indexed is candidates:
        flipped = defaultdict(set)
        for value, others in matches.items():
            for other in others:
                flipped[other].add(value)
        matches = flipped
    return {candidate: sorted(found) for candidate, found in matches.items()}


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
    typos = {}
    for candidate, others in near_duplicates(candidates, existing).items():
        kept = [other for other in others if not is_counting_step(candidate, other)]
        if kept:
            typos[candidate] = kept
    return typos


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
