"""Which group a member is in: a hash of the member and the experiment, so that the same
member lands in the same group on every run, on every worker, without a stored draw, and
two experiments split the club independently of each other."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

BUCKETS = 10_000  # a share is set in hundredths of a per cent


def bucket(member_id: int, experiment: str) -> int:
    digest = hashlib.sha256(f"{experiment}:{member_id}".encode()).digest()
    return int.from_bytes(digest[:8], "big") % BUCKETS


def group_for(member_id: int, experiment: str, shares: Sequence[tuple[str, float]]) -> str:
    """The name of the member's group; `shares` are (name, per cent) and add up to 100."""
    if abs(sum(percent for _name, percent in shares) - 100) > 1e-9:
        raise ValueError("the shares must add up to 100 %")
    place, upper = bucket(member_id, experiment), 0.0
    for name, percent in shares:
        upper += percent * BUCKETS / 100
        if place < upper:
            return name
    return shares[-1][0]
