"""Small helpers shared by the wallet tests (not a test module)."""

from __future__ import annotations

import threading
import uuid
from collections.abc import Callable
from datetime import UTC, datetime

import pytest
from django.db import connection

from clubsite.errors import CodedError
from members.models import Member
from rewards.errors import RewardsError
from rewards.models import (
    LedgerAllocation,
    LedgerEntry,
    MemberStampCard,
    Operation,
    Reward,
    StampEntry,
    Voucher,
    Wallet,
)
from rewards.services import points_award, wallet_get_or_create

# A fixed moment far from any DST change; tests pass it (and later ones) as `at=`.
T0 = datetime(2030, 3, 4, 12, 0, tzinfo=UTC)


def new_key(prefix: str = "test") -> str:
    return f"{prefix}:{uuid.uuid4().hex}"


def give(member: Member, points: int, *, at: datetime | None = None) -> LedgerEntry:
    """Credit `points` as an owner's grant (a lot that expires like any earning)."""
    return points_award(
        member=member, points=points, reason="test grant", idempotency_key=new_key("give"), at=at
    ).entry


def refused(expected_code: str, call: Callable, **kwargs) -> None:
    """Call a service and check that it refuses with `expected_code`."""
    with pytest.raises(RewardsError) as error:
        call(**kwargs)
    assert error.value.code == expected_code


def set_tier(member: Member, tier) -> None:
    """Put the member in `tier` as if earned (the wallet row is not append-only)."""
    wallet = wallet_get_or_create(member)
    assert Wallet.objects.filter(pk=wallet.pk).update(tier=tier) == 1


def balance(member: Member) -> int:
    return Wallet.objects.get(member=member).balance


def ledger(member: Member) -> list[tuple[str, int]]:
    """The member's entries as (kind, points), oldest first."""
    return list(
        LedgerEntry.objects.filter(wallet__member=member)
        .order_by("created_at", "pk")
        .values_list("kind", "points")
    )


def allocations(entry: LedgerEntry) -> dict[int, int]:
    """{lot pk: points} that `entry` took from (or gave back to) each lot."""
    return dict(LedgerAllocation.objects.filter(entry=entry).values_list("lot_id", "points"))


def remaining(entry: LedgerEntry) -> int:
    return LedgerEntry.objects.get(pk=entry.pk).remaining


def wallet_state() -> dict:
    """Everything a refused operation must leave as it was, for a before/after comparison."""
    return {
        "balances": sorted(Wallet.objects.values_list("pk", "balance", "tier_id")),
        "entries": sorted(LedgerEntry.objects.values_list("pk", "points", "remaining")),
        "allocations": LedgerAllocation.objects.count(),
        "operations": sorted(Operation.objects.values_list("key", flat=True)),
        "vouchers": sorted(Voucher.objects.values_list("pk", "status")),
        "stamps": sorted(MemberStampCard.objects.values_list("pk", "stamps")),
        "stamp_entries": StampEntry.objects.count(),
        "stock": sorted(Reward.objects.values_list("pk", "stock")),
    }


def run_together(count: int, action: Callable[[int], object]) -> list:
    """Run action(0) … action(count - 1) in threads released at the same moment.

    Returns one outcome per thread: what the action returned, the code of a refusal (CodedError),
    or any other exception (so that a crash fails the test instead of vanishing).
    """
    barrier = threading.Barrier(count)
    outcomes: list = [None] * count

    def worker(n: int) -> None:
        try:
            connection.ensure_connection()  # connect first, so that the work itself overlaps
            barrier.wait(timeout=60)
            outcomes[n] = action(n)
        except CodedError as error:  # a refusal, with its code (RewardsError, MembersError, ...)
            outcomes[n] = error.code
        except Exception as exc:
            outcomes[n] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(thread.is_alive() for thread in threads), "a thread hung (lock wait?)"
    crashes = [o for o in outcomes if isinstance(o, BaseException)]
    assert not crashes, f"threads crashed: {crashes!r}"
    return outcomes
