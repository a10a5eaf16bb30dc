from functools import partial

from hypothesis import given
from hypothesis import settings
from hypothesis import strategies as st

from odoo.tests import BaseCase

from ..tools.errors import SerialValidationError
from ..tools.normalize import normalize_serial
from ..tools.similarity import common_prefix_length
from ..tools.similarity import is_counting_step
from ..tools.similarity import likely_typos
from ..tools.similarity import near_duplicates
from ..tools.similarity import normalisation_clashes
from ..tools.similarity import typo_search_split
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
