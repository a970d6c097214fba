"""The experiments' statistics against values worked out independently (issue 16): a
textbook Welch interval, and the two-proportion interval and detectable lift by hand."""

from __future__ import annotations

from collections import Counter

import pytest

from campaigns.experiments.assignment import group_for
from campaigns.experiments.stats import conversion_lift, mean_lift, smallest_detectable_lift

# R's `sleep` data and its documented Welch result: t.test(extra ~ group, data = sleep)
# gives mean 0.75 against 2.33 and the 95 % interval -3.3654832 to 0.2054832.
SLEEP_1 = [0.7, -1.6, -0.2, -1.2, -0.1, 3.4, 3.7, 0.8, 0.0, 2.0]
SLEEP_2 = [1.9, 0.8, 1.1, 0.1, -0.1, 4.4, 5.5, 1.6, 4.6, 3.4]


def test_welchs_interval_matches_the_textbook_example():
    found = mean_lift(SLEEP_1, SLEEP_2)

    assert found.estimate == pytest.approx(-1.58)
    assert (found.low, found.high) == pytest.approx((-3.3654832, 0.2054832), abs=1e-6)
    assert not found.clear  # it includes 0: not clear yet


def test_the_conversion_interval_is_the_difference_plus_minus_196_standard_errors():
    # 150 of 1,000 sent bought, 100 of 1,000 in the holdout: by hand, se = sqrt(.15*.85/1000 +
    # .10*.90/1000) = 0.0147479, and 1.959964 * se = 0.0289055.
    found = conversion_lift(150, 1000, 100, 1000)

    assert found.estimate == pytest.approx(0.05)
    assert (found.low, found.high) == pytest.approx((0.0210945, 0.0789055), abs=1e-6)
    assert found.clear


def test_a_bakery_sized_test_is_not_clear_yet():
    # 720 sent, 80 held out: 10 % against 7.5 % looks like a win and is not one.
    found = conversion_lift(72, 720, 6, 80)

    assert found.estimate == pytest.approx(0.025)
    assert found.low < 0 < found.high and not found.clear


def test_the_smallest_detectable_lift_follows_the_audience_size():
    # By hand: (1.959964 + 0.841621) * sqrt(0.2 * 0.8 * (1/400 + 1/400)) = 0.0792408.
    assert smallest_detectable_lift(400, 400, 0.2) == pytest.approx(0.0792408, abs=1e-6)
    # Four times the members halve it.
    assert smallest_detectable_lift(1600, 1600, 0.2) == pytest.approx(0.0792408 / 2, abs=1e-6)
    assert smallest_detectable_lift(400, 0, 0.2) is None
    assert smallest_detectable_lift(400, 400, 0.0) is None


def test_a_member_stays_in_their_group_and_the_shares_hold_over_many_members():
    shares = [("holdout", 10), ("A", 45), ("B", 45)]

    first = [group_for(member, "kampanje:7", shares) for member in range(20_000)]
    again = [group_for(member, "kampanje:7", shares) for member in range(20_000)]
    other = [group_for(member, "kampanje:8", shares) for member in range(20_000)]

    assert first == again
    counts = Counter(first)
    assert counts["holdout"] / 20_000 == pytest.approx(0.10, abs=0.01)
    assert counts["A"] / 20_000 == pytest.approx(0.45, abs=0.015)
    # Another experiment draws its own holdout: about a tenth of this one's, not the same members.
    both = sum(1 for a, b in zip(first, other, strict=True) if a == b == "holdout")
    assert both / counts["holdout"] == pytest.approx(0.10, abs=0.03)


def test_shares_that_do_not_add_up_are_refused():
    with pytest.raises(ValueError):
        group_for(1, "x", [("holdout", 10), ("A", 80)])
    assert group_for(1, "x", [("a", 33.33), ("b", 33.33), ("c", 33.34)]) in {"a", "b", "c"}
