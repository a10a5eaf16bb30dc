"""Recall effectiveness: the share of customers to verify and the recovery rate (no ORM).

Effectiveness-check levels as the FDA defines them (21 CFR 7.42(b)(3)): A, every consignee
(100 %); B, a share greater than level C and less than 100 %, decided case by case; C, 10 %;
D, 2 %; E, no effectiveness checks.
"""

import math

CHECK_LEVELS = [
    ("A", "A: every customer (100 %)"),
    ("B", "B: a share between 10 % and 100 %"),
    ("C", "C: 10 % of customers"),
    ("D", "D: 2 % of customers"),
    ("E", "E: no effectiveness checks"),
]
FIXED_SHARES = {"A": 100.0, "C": 10.0, "D": 2.0, "E": 0.0}
DEFAULT_LEVEL_B_SHARE = 50.0


def check_share(level, level_b_share=DEFAULT_LEVEL_B_SHARE):
    """The percentage of customers to verify at `level`; level B takes `level_b_share`, which
    must lie strictly between the C share and 100."""
    if level == "B":
        if not FIXED_SHARES["C"] < level_b_share < 100.0:
            raise ValueError("Level B checks more than 10 % and less than 100 % of the customers.")
        return float(level_b_share)
    return FIXED_SHARES[level]


def customers_to_check(share, customers):
    """How many of `customers` to verify for a `share` in percent (rounded up: 10 % of 11 is 2,
    any non-zero share of a customer is that customer)."""
    if customers <= 0 or share <= 0:
        return 0
    return min(customers, math.ceil(customers * share / 100.0 - 1e-9))


def recovery_rate(recovered, total):
    """Units recovered or corrected against units at customers, in percent (100 when there was
    nothing to recover)."""
    if total <= 0:
        return 100.0
    return 100.0 * min(recovered, total) / total
