"""The statistics an owner can trust: how much a message changed buying, with an interval,
and how big a change an audience of this size can show at all.

Conversion (bought within the window, yes or no), group 1 (sent) against group 0 (holdout):

    lift = p1 - p0,  se = sqrt(p1 (1 - p1) / n1 + p0 (1 - p0) / n0)
    95 % interval: lift ± z * se,  z = 1.96 (the normal quantile at 0.975)

the two-proportion (Wald, unpooled) interval. Revenue per member (zeros included), Welch's
interval, which does not assume equal variances:

    d = mean1 - mean0,  se = sqrt(s1² / n1 + s0² / n0)
    df = se⁴ / ((s1² / n1)² / (n1 - 1) + (s0² / n0)² / (n0 - 1))   (Welch-Satterthwaite)
    95 % interval: d ± t(0.975, df) * se

The smallest lift the audience can detect (80 % power, two-sided 5 % test), given the
baseline conversion p of the last months and the group sizes:

    mde = (z(0.975) + z(0.80)) * sqrt(p (1 - p) (1 / n1 + 1 / n0))

An interval that includes 0 is "not clear yet": never a winner.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from statistics import NormalDist

from scipy.stats import t as student_t

CONFIDENCE = 0.95
POWER = 0.80


@dataclass(frozen=True)
class Interval:
    estimate: float
    low: float
    high: float

    def scaled(self, factor: float) -> Interval:
        """The same interval in other units (e.g. times 100 for percentage points)."""
        return Interval(self.estimate * factor, self.low * factor, self.high * factor)

    @property
    def clear(self) -> bool:
        """Whether the interval leaves out 0: the difference is real at this confidence."""
        return self.low > 0 or self.high < 0


def _z(probability: float) -> float:
    return NormalDist().inv_cdf(probability)


def conversion_lift(bought1: int, n1: int, bought0: int, n0: int, confidence: float = CONFIDENCE) -> Interval:
    """Absolute lift in conversion of group 1 over group 0 (e.g. 0.03 = 3 percentage points)."""
    if n1 == 0 or n0 == 0:
        raise ValueError("both groups need members")
    p1, p0 = bought1 / n1, bought0 / n0
    se = math.sqrt(p1 * (1 - p1) / n1 + p0 * (1 - p0) / n0)
    half = _z(0.5 + confidence / 2) * se
    return Interval(p1 - p0, p1 - p0 - half, p1 - p0 + half)


def mean_lift(values1: Sequence[float], values0: Sequence[float], confidence: float = CONFIDENCE) -> Interval:
    """Welch's interval for the difference of means of two samples."""
    return mean_lift_from_sums(
        (len(values1), math.fsum(values1), math.fsum(v * v for v in values1)),
        (len(values0), math.fsum(values0), math.fsum(v * v for v in values0)),
        confidence,
    )


def mean_lift_from_sums(
    group1: tuple[int, float, float], group0: tuple[int, float, float], confidence: float = CONFIDENCE
) -> Interval:
    """Welch's interval from each group's (count, sum, sum of squares), as SQL adds them up
    (revenue per member, zeros included): variance = (Σx² - (Σx)² / n) / (n - 1)."""
    (n1, s1, q1), (n0, s0, q0) = group1, group0
    if n1 < 2 or n0 < 2:
        raise ValueError("both groups need two members or more")
    m1, m0 = s1 / n1, s0 / n0
    v1 = max(q1 - s1 * s1 / n1, 0.0) / (n1 - 1) / n1
    v0 = max(q0 - s0 * s0 / n0, 0.0) / (n0 - 1) / n0
    se = math.sqrt(v1 + v0)
    if se == 0:
        return Interval(m1 - m0, m1 - m0, m1 - m0)
    df = (v1 + v0) ** 2 / (v1**2 / (n1 - 1) + v0**2 / (n0 - 1))
    half = float(student_t.ppf(0.5 + confidence / 2, df)) * se
    return Interval(m1 - m0, m1 - m0 - half, m1 - m0 + half)


def smallest_detectable_lift(n1: int, n0: int, baseline: float, power: float = POWER) -> float | None:
    """The smallest absolute lift in conversion a test of these group sizes finds 80 % of the
    time; None when a group is empty or the baseline says nothing (0 or 1)."""
    if n1 == 0 or n0 == 0 or not 0 < baseline < 1:
        return None
    return (_z(0.5 + CONFIDENCE / 2) + _z(power)) * math.sqrt(baseline * (1 - baseline) * (1 / n1 + 1 / n0))
