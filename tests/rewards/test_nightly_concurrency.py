"""The nightly jobs against PostgreSQL: each walks the club a batch at a time, is safe to run
twice at once, and runs while tills credit (threads released together, as at the tills)."""

from __future__ import annotations

import threading
import time
from datetime import timedelta

import pytest
from django.core import mail
from django.db import connection, transaction
from django.utils import timezone

from campaigns.insights.rollups import SETTLE, ledger_roll_up
from campaigns.insights.selectors import Period, dashboard
from campaigns.models import LedgerDay, RollupState
from clubsite import batches
from members.models import Club, Member
from members.services.retention import retention_sweep
from rewards.models import LedgerEntry, Wallet
from rewards.services import points_expire_due, purchase_register, wallets_reconcile
from tests.conftest import requires_postgres
from tests.factories import MemberFactory
from tests.rewards.wallet_helpers import T0, give, new_key, run_together

pytestmark = [requires_postgres(), pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def small_batches(monkeypatch):
    monkeypatch.setattr(batches, "BATCH", 3)  # several batches from a handful of members


def test_two_expiry_runs_at_once_beside_tills_expire_every_lapsed_lot_once_in_batches():
    members = [MemberFactory() for _ in range(8)]
    for member in members:
        give(member, 100, at=T0)
    lapsed = T0.replace(year=T0.year + 1)

    def actor(n):
        if n < 2:
            return points_expire_due(now=lapsed)
        member = members[n]
        return purchase_register(member=member, amount_ore=1_000, idempotency_key=new_key(), at=lapsed)

    outcomes = run_together(8, actor)

    assert not [o for o in outcomes if isinstance(o, Exception)]
    assert sum(outcomes[:2]) == 8  # each of the eight lots expired by one of the two runs
    assert LedgerEntry.objects.filter(kind=LedgerEntry.Kind.EXPIRE).count() == 8
    assert points_expire_due(now=lapsed) == 0  # and a third run finds nothing
    assert wallets_reconcile() == []


def test_expiry_passes_over_a_wallet_a_till_holds_and_expires_it_once_the_till_is_done():
    held, others = MemberFactory(), [MemberFactory() for _ in range(4)]
    for member in [held, *others]:
        give(member, 100, at=T0)
    lapsed = T0.replace(year=T0.year + 1)
    locked, others_expired = threading.Event(), threading.Event()

    def till():
        try:
            with transaction.atomic():  # the till's transaction, holding the wallet's lock meanwhile
                Wallet.objects.select_for_update().get(member=held)
                locked.set()
                for _ in range(200):
                    if LedgerEntry.objects.filter(kind=LedgerEntry.Kind.EXPIRE).count() == len(others):
                        others_expired.set()
                        break
                    time.sleep(0.05)
        finally:
            locked.set()
            connection.close()

    thread = threading.Thread(target=till)
    thread.start()
    assert locked.wait(timeout=30)
    expired = points_expire_due(now=lapsed)
    thread.join(timeout=60)

    assert others_expired.is_set()  # the job did not wait for the till before the others
    assert expired == 5  # and came back for the held wallet once the till let it go
    assert LedgerEntry.objects.filter(kind=LedgerEntry.Kind.EXPIRE, wallet__member=held).count() == 1
    assert wallets_reconcile() == []


def test_two_retention_sweeps_at_once_beside_tills_warn_each_sleeper_once():
    club = Club.load()
    club.retention_months = 12
    club.save()
    long_ago = timezone.now() - timedelta(days=400)
    sleepers = [MemberFactory(user__email=f"sover{i}@example.no") for i in range(7)]
    Member.objects.filter(pk__in=[m.pk for m in sleepers]).update(joined_at=long_ago)
    shoppers = [MemberFactory() for _ in range(4)]

    def actor(n):
        if n < 2:
            return retention_sweep()
        return purchase_register(member=shoppers[n - 2], amount_ore=5_000, idempotency_key=new_key())

    outcomes = run_together(6, actor)

    assert not [o for o in outcomes if isinstance(o, Exception)]
    assert outcomes[0].warned + outcomes[1].warned == 7
    assert Member.objects.filter(erasure_warned_at__isnull=False).count() == 7
    assert sorted(m.to[0] for m in mail.outbox) == sorted(m.user.email for m in sleepers)
    assert retention_sweep().warned == 0


def test_roll_ups_while_tills_credit_leave_the_dashboard_equal_to_the_ledger():
    members = [MemberFactory() for _ in range(6)]

    def actor(n):
        if n < 2:
            return ledger_roll_up(now=timezone.now() + SETTLE)
        for _ in range(5):
            purchase_register(member=members[n], amount_ore=10_000, idempotency_key=new_key())
        return None

    outcomes = run_together(6, actor)
    assert not [o for o in outcomes if isinstance(o, Exception)]

    ledger_roll_up(now=timezone.now() + SETTLE)
    shown_at = timezone.now() + timedelta(minutes=5)
    today = Period(timezone.localdate(), timezone.localdate())
    from_rollups = dashboard(period=today, now=shown_at)
    assert from_rollups.rolled_until is not None and LedgerDay.objects.exists()
    assert from_rollups.kpis["revenue"].current == 4 * 5 * 10_000
    RollupState.objects.all().delete()
    assert dashboard(period=today, now=shown_at).sections == from_rollups.sections
