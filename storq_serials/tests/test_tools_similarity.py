from functools import partial

from hypothesis import given
from hypothesis import settings
from hypothesis import strategies as st

from odoo.tests import BaseCase

from ..tools.errors import SerialValidationError
from ..tools.normalize import normalize_serial
from ..tools.similarity import common_prefix_length
from ..tools.similarity import counting_characters
from ..tools.similarity import is_counting_step
from ..tools.similarity import likely_typos
from ..tools.similarity import near_duplicates
from ..tools.similarity import normalisation_clashes
from ..tools.similarity import typo_search_split
from ..tools.similarity import typos_among
from ..tools.similarity import within_one_edit

FUZZ = settings(max_examples=200, deadline=None, database=None)

# a small alphabet so that random strings are often one edit apart
short_serials = st.text(alphabet="ab1", max_size=5)


def levenshtein(a, b):
    """Textbook dynamic programme: the reference the fast paths are checked against."""
    previous = list(range(len(b) + 1))
    for i, char_a in enumerate(a, 1):
        current = [i]
        for j, char_b in enumerate(b, 1):
            current.append(
                min(
                    previous[j] + 1,
                    current[j - 1] + 1,
                    previous[j - 1] + (char_a != char_b),
                )
            )
        previous = current
    return previous[-1]


class TestToolsSimilarity(BaseCase):
    def test_within_one_edit(self):
        self.assertTrue(within_one_edit("SN1234", "SN1235"))  # substitution
        self.assertTrue(within_one_edit("SN1234", "SN12345"))  # insertion
        self.assertTrue(within_one_edit("SN1234", "SN124"))  # deletion
        self.assertTrue(within_one_edit("", "a"))
        # equal is not a near duplicate
        self.assertFalse(within_one_edit("SN1234", "SN1234"))
        self.assertFalse(within_one_edit("SN1234", "SN2134"))  # transposition = 2 edits
        self.assertFalse(within_one_edit("SN1234", "SN123456"))
        self.assertFalse(within_one_edit("", ""))

    def test_near_duplicates(self):
        existing = ["SN1000", "SN1001", "SN2000", "AB100"]
        found = near_duplicates(["SN1002", "SN1000", "XX9999", "AB1000"], existing)
        self.assertEqual(
            found,
            {
                "SN1002": ["SN1000", "SN1001"],
                "SN1000": ["SN1001", "SN2000"],  # itself (distance 0) is not listed
                "AB1000": ["AB100"],
            },
        )
        self.assertEqual(near_duplicates([], existing), {})
        self.assertEqual(near_duplicates(["SN1000"], []), {})
        # generators are fine, and either side may be the larger
        self.assertEqual(
            near_duplicates((s for s in existing), iter(["SN1009"])),
            {"SN1000": ["SN1009"], "SN1001": ["SN1009"]},
        )

    def test_near_duplicates_at_scale(self):
        # 2,000 x 20,000 would be 40 million comparisons pairwise; the index makes it instant
        existing = [f"SN{n:06d}" for n in range(0, 40_000, 2)]
        candidates = [f"SN{n:06d}X" for n in range(0, 4_000, 2)]
        found = near_duplicates(candidates, existing)
        self.assertEqual(len(found), 2_000)
        self.assertEqual(found["SN000000X"], ["SN000000"])

    def test_normalisation_clashes(self):
        normalizer = partial(normalize_serial, uppercase=True, strip_prefixes=("SN",))
        raw = ["sn-123", "SN 123", "123", "456", "abc", "ABC", "abc", "", " \t", None]
        clashes = normalisation_clashes(raw, normalizer)
        self.assertEqual(clashes, {"123": ["123", "SN 123", "sn-123"], "ABC": ["ABC", "abc"]})

        def refuse_x(value):
            if "x" in value:
                raise SerialValidationError("charset", chars="x", charset="digits")
            return value.strip()

        self.assertEqual(
            normalisation_clashes(["1x", " 1x", "2", " 2"], refuse_x),
            {"2": [" 2", "2"]},
        )

    @FUZZ
    @given(short_serials, short_serials)
    def test_within_one_edit_agrees_with_levenshtein(self, a, b):
        self.assertEqual(within_one_edit(a, b), levenshtein(a, b) == 1)

    @FUZZ
    @given(st.lists(short_serials, max_size=15), st.lists(short_serials, max_size=15))
    def test_near_duplicates_agrees_with_brute_force(self, candidates, existing):
        expected = {}
        for candidate in candidates:
            close = sorted({other for other in existing if levenshtein(candidate, other) == 1})
            if close:
                expected[candidate] = close
        self.assertEqual(near_duplicates(candidates, existing), expected)

    def test_counting_steps_are_not_typos(self):
        self.assertTrue(is_counting_step("SN-0041", "SN-0042"))
        self.assertFalse(is_counting_step("SN-0041", "SN-O041"), "0 read as O is a typo")
        self.assertFalse(is_counting_step("SN-0041", "SN-041"))
        existing = [f"SN-{n:04d}" for n in range(1, 100)]
        self.assertEqual(likely_typos(["SN-0100"], existing), {})
        self.assertEqual(
            likely_typos(["SN-O042", "SN-042", "SN-00420"], existing),
            {
                "SN-O042": ["SN-0042"],
                "SN-042": ["SN-0042"],
                "SN-00420": ["SN-0020", "SN-0040", "SN-0042"],
            },
        )

    @FUZZ
    @given(st.lists(short_serials, max_size=15), st.lists(short_serials, max_size=15))
    def test_likely_typos_are_near_duplicates_minus_counting_steps(self, candidates, existing):
        near = near_duplicates(candidates, existing)
        for candidate, others in likely_typos(candidates, existing).items():
            self.assertTrue(set(others) <= set(near[candidate]))
            self.assertFalse(any(is_counting_step(candidate, other) for other in others))


def one_edit_neighbours(value, alphabet):
    """Every value at edit distance 1 from `value` over `alphabet` (substitution, deletion, insertion)."""
    found = set()
    for i in range(len(value) + 1):
        for char in alphabet:
            found.add(value[:i] + char + value[i:])
            if i < len(value):
                found.add(value[:i] + char + value[i + 1 :])
        if i < len(value):
            found.add(value[:i] + value[i + 1 :])
    found.discard(value)
    return found


class TestTypoSearchSplit(BaseCase):
    @FUZZ
    @given(
        st.text(alphabet="ab1-", min_size=1, max_size=9),
        st.integers(min_value=-2, max_value=12),
        st.integers(min_value=-2, max_value=12),
    )
    def test_every_neighbour_shares_a_side(self, serial, shared_prefix, shared_suffix):
        prefix, suffix = typo_search_split(serial, shared_prefix, shared_suffix)
        self.assertEqual(prefix + suffix, serial)
        for neighbour in one_edit_neighbours(serial, "ab1-x"):
            self.assertTrue(
                neighbour.startswith(prefix) or neighbour.endswith(suffix),
                (serial, prefix, suffix, neighbour),
            )

    def test_split_in_the_middle_of_what_differs(self):
        # A numbered range: all existing serials start with 35100000; the split is in the rest.
        self.assertEqual(typo_search_split("351000001234560", 8, 0), ("35100000123", "4560"))
        self.assertEqual(typo_search_split("SN-0001", 0, 0), ("SN-", "0001"))
        self.assertEqual(typo_search_split("AB", 2, 2), ("A", "B"))
        self.assertEqual(typo_search_split("A", 0, 0), ("", "A"))

    def test_common_prefix_length(self):
        self.assertEqual(common_prefix_length("35100000", "35109999"), 4)
        self.assertEqual(common_prefix_length("", "abc"), 0)
        self.assertEqual(common_prefix_length("abc", "abc"), 3)


COUNTER_ALPHABETS = {
    10: "0123456789",
    16: "0123456789ABCDEF",
    36: "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ",
}
# What a person types or a reader sees for a digit.
CONFUSABLE = {"0": "O", "8": "B", "1": "I", "5": "S", "2": "Z", "6": "G"}


def counted(prefix, base, start, count, width):
    """`count` serials `prefix` + a counter from `start` in `base`, `width` characters wide."""
    alphabet = COUNTER_ALPHABETS[base]
    return [
        prefix + "".join(alphabet[n // base**k % base] for k in reversed(range(width)))
        for n in range(start, start + count)
    ]


def reference_typos(values):
    """The definition `typos_among` implements, pair by pair: one edit apart and no counting
    step (a substitution of two digits, or of two characters the serials of that length count
    with at that place)."""
    values = sorted(set(values))
    counting = {}
    for length in {len(value) for value in values}:
        counting[length] = counting_characters([value for value in values if len(value) == length])
    found = {}
    for value in values:
        for other in values:
            if levenshtein(value, other) != 1:
                continue
            if len(value) == len(other):
                place = next(i for i, (a, b) in enumerate(zip(value, other)) if a != b)
                chars = {value[place], other[place]}
                if chars <= set("0123456789") or chars <= counting[len(value)][place]:
                    continue
            found.setdefault(value, []).append(other)
    return found


class TestTyposAmong(BaseCase):
    def test_counting_characters(self):
        tags = counted("LA00-", 36, 0, 2000, 4)
        counting = counting_characters(tags)
        self.assertEqual(counting[8], frozenset(COUNTER_ALPHABETS[36]), "the last place counts in base 36")
        self.assertEqual(counting[0], frozenset("L"))
        # one O among many 0s is no character of the count
        self.assertEqual(counting_characters(["SN-0001", "SN-0002", "SN-O003"])[3], {"0"})
        self.assertEqual(counting_characters([f"SN-{n:04d}" for n in range(100)] + ["SN-O099"])[3], {"0"})

    def test_base36_and_hex_neighbours_are_no_typos(self):
        self.assertEqual(typos_among(counted("LA00-", 36, 0, 20_000, 4)), {})
        self.assertEqual(typos_among(counted("00:1A:2B:", 16, 0, 5_000, 4)), {})

    def test_typos_are_caught_among_counted_serials(self):
        tags = counted("LA00-", 36, 0, 5_000, 4)
        typos = ["LAO0-0001", "LA00-O001", "LA0B-0001", "LA00-001", "LA00-00011", "LB00-0001"]
        found = typos_among(tags + typos)
        self.assertEqual(found["LAO0-0001"], ["LA00-0001"])
        self.assertEqual(found["LA0B-0001"], ["LA00-0001"])
        self.assertEqual(found["LA00-O001"], ["LA00-0001", "LA00-001"], "and the one with a 0 dropped")
        self.assertIn("LA00-0001", found["LA00-001"])
        self.assertEqual(found["LA00-00011"], ["LA00-0001", "LA00-0011"])
        self.assertEqual(found["LB00-0001"], ["LA00-0001"])
        self.assertEqual(
            set(found) - set(typos), {"LA00-0001", "LA00-0011"} | set(found["LA00-001"]) - set(typos)
        )
        # digits only: SN-0041/SN-0042 is a step, SN-O041 a typo, SN-00420 a digit inserted
        serials = [f"SN-{n:04d}" for n in range(1, 100)]
        self.assertEqual(typos_among([*serials, "SN-O042"]), {"SN-O042": ["SN-0042"], "SN-0042": ["SN-O042"]})

    @FUZZ
    @given(st.lists(st.text(alphabet="ab1O0", max_size=4), max_size=25))
    def test_typos_among_agrees_with_its_definition(self, values):
        self.assertEqual(typos_among(values), reference_typos(values))

    @FUZZ
    @given(
        st.sampled_from(sorted(COUNTER_ALPHABETS)),
        st.integers(min_value=0, max_value=10_000),
        st.integers(min_value=200, max_value=3_000),
        st.data(),
    )
    def test_counters_are_clean_and_their_typos_caught(self, base, start, count, data):
        serials = counted("AB12-", base, start, count, 4)
        self.assertEqual(typos_among(serials), {}, "neighbours in a count are no typos")
        original = data.draw(st.sampled_from(serials))
        kind = data.draw(st.sampled_from(["drop", "insert", "confusable"]))
        place = data.draw(st.integers(min_value=0, max_value=len(original) - 1))
        if kind == "drop":
            typo = original[:place] + original[place + 1 :]
        elif kind == "insert":
            typo = original[:place] + data.draw(st.sampled_from("0123456789ABXZ")) + original[place:]
        else:
            # a letter for a digit at a place the serials count in digits only (or not at all)
            digit_places = [
                i
                for i, chars in enumerate(counting_characters(serials))
                if original[i] in CONFUSABLE and chars <= set("0123456789")
            ]
            if not digit_places:
                return
            place = data.draw(st.sampled_from(digit_places))
            typo = original[:place] + CONFUSABLE[original[place]] + original[place + 1 :]
        if typo in serials:
            return  # the edit made another serial of the range
        found = typos_among([*serials, typo])
        self.assertIn(original, found.get(typo, []), (kind, typo))
