"""The wallet page's data (rewards.selectors.wallet_summary), read with plain SQL: the same
answers the ORM gave, on SQLite and PostgreSQL, in a fixed number of queries."""

from datetime import datetime, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from rewards import selectors, services
from rewards.config import config
from rewards.models import (
    LedgerEntry,
    MemberStampCard,
    Operation,
    PointsProgram,
    QualifyingMonth,
    Reward,
    StampCard,
    Tier,
    Voucher,
    Wallet,
)
from tests.factories import MemberFactory

WALLET = reverse("rewards:wallet")


def lot(wallet, *, points, remaining, expires_at):
    """A ledger lot written directly: these tests are about reading, not the services' rules."""
    op = Operation.objects.create(key=f"lot:{Operation.objects.count()}", kind="purchase", wallet=wallet)
    return LedgerEntry.objects.create(
        wallet=wallet,
        operation=op,
        kind=LedgerEntry.Kind.EARN,
        points=points,
        remaining=remaining,
        expires_at=expires_at,
        qualifying=True,
        amount_ore=points * 100,
    )


def voucher(wallet, reward, code, *, expires_at, status=Voucher.Status.ACTIVE, source=Voucher.Source.GIFT):
    return Voucher.objects.create(
        wallet=wallet, reward=reward, code=code, status=status, source=source, expires_at=expires_at
    )


@pytest.fixture
def club(db):
    coffee = Reward.objects.create(name="Gratis kaffe", cost_points=100)
    bun = Reward.objects.create(name="Kanelbolle", cost_points=50)
    StampCard.objects.create(name="Kaffekort", stamps_needed=10, reward=coffee)
    StampCard.objects.create(name="Bollekort", stamps_needed=6, reward=bun)
    Tier.objects.create(name="Sølv", threshold=500)
    Tier.objects.create(name="Gull", threshold=2000)
    return coffee, bun


@pytest.mark.django_db
def test_points_expiring_soon_are_summed_per_local_day_soonest_first(club):
    member = MemberFactory()
    wallet = services.wallet_get_or_create(member)
    now = timezone.now()
    local_day = timezone.localdate(now) + timedelta(days=5)
    zone = timezone.get_current_timezone()
    # Just after midnight and late evening of the same day in the club's time zone: one day
    # there, two dates in UTC.
    early = timezone.make_aware(datetime.combine(local_day, datetime.min.time()), zone) + timedelta(
        minutes=30
    )
    late = early + timedelta(hours=22)
    lot(wallet, points=10, remaining=10, expires_at=early)
    lot(wallet, points=20, remaining=5, expires_at=late)
    lot(wallet, points=7, remaining=7, expires_at=now + timedelta(days=2))
    lot(wallet, points=30, remaining=0, expires_at=now + timedelta(days=3))  # spent
    lot(wallet, points=40, remaining=40, expires_at=now + timedelta(days=31))  # not soon
    lot(wallet, points=50, remaining=50, expires_at=now - timedelta(hours=1))  # lapsed already
    # Two cards started: the wallet's read joins them beside the lots; nothing is counted twice.
    for card in StampCard.objects.all():
        MemberStampCard.objects.create(wallet=wallet, card=card, stamps=3)

    summary = selectors.wallet_summary(member, now=now)

    assert [(row.day, row.points) for row in summary.expiring] == [
        (timezone.localdate(now + timedelta(days=2)), 7),
        (local_day, 15),
    ]
    assert [(state.card.name, state.stamps) for state in summary.cards] == [
        ("Bollekort", 3),
        ("Kaffekort", 3),
    ]


@pytest.mark.django_db
def test_cards_not_started_show_no_stamps_and_nothing_expiring_is_an_empty_list(club):
    member = MemberFactory()
    wallet = services.wallet_get_or_create(member)
    MemberStampCard.objects.create(wallet=wallet, card=StampCard.objects.get(name="Kaffekort"), stamps=4)

    summary = selectors.wallet_summary(member)

    assert {state.card.name: state.stamps for state in summary.cards} == {"Bollekort": 0, "Kaffekort": 4}
    assert [state.missing for state in summary.cards] == [6, 6]
    assert summary.expiring == []


@pytest.mark.django_db
def test_a_member_without_a_wallet_row_gets_one_and_an_empty_summary(club):
    member = MemberFactory()
    assert not Wallet.objects.filter(member=member).exists()

    summary = selectors.wallet_summary(member)

    assert summary.wallet.pk == Wallet.objects.get(member=member).pk
    assert summary.wallet.balance == 0 and summary.value_ore == 0
    assert summary.progress.tier is None and summary.progress.next_tier.name == "Sølv"
    assert summary.expiring == [] and summary.vouchers == []


@pytest.mark.django_db
def test_only_usable_vouchers_soonest_first_with_their_reward_loaded(club):
    coffee, bun = club
    member = MemberFactory()
    wallet = services.wallet_get_or_create(member)
    now = timezone.now()
    voucher(wallet, coffee, "LATER00001", expires_at=now + timedelta(days=20))
    voucher(wallet, bun, "SOONER0001", expires_at=now + timedelta(days=2), source=Voucher.Source.REDEEM)
    voucher(wallet, coffee, "USED000001", expires_at=now + timedelta(days=5), status=Voucher.Status.USED)
    voucher(wallet, coffee, "GONE000001", expires_at=now - timedelta(minutes=1))
    other = services.wallet_get_or_create(MemberFactory())
    voucher(other, coffee, "OTHER00001", expires_at=now + timedelta(days=3))

    vouchers = selectors.wallet_summary(member, now=now).vouchers

    # What the wallet page and the counter's panel read: no query more per voucher.
    with CaptureQueriesContext(connection) as ctx:
        seen = [(v.code, v.reward.name, v.source, v.status, v.expires_at, v.wallet_id) for v in vouchers]
    assert len(ctx.captured_queries) == 0
    assert [row[:4] for row in seen] == [
        ("SOONER0001", "Kanelbolle", Voucher.Source.REDEEM, Voucher.Status.ACTIVE),
        ("LATER00001", "Gratis kaffe", Voucher.Source.GIFT, Voucher.Status.ACTIVE),
    ]
    assert all(timezone.is_aware(row[4]) and row[5] == wallet.pk for row in seen)
    assert vouchers[0].expires_at == Voucher.objects.get(code="SOONER0001").expires_at


@pytest.mark.django_db
def test_the_tier_window_sums_spend_when_the_program_counts_kroner(club):
    program = PointsProgram.load()
    program.tier_basis = PointsProgram.TierBasis.SPEND
    program.save()
    member = MemberFactory()
    wallet = services.wallet_get_or_create(member)
    this_month = timezone.localdate().replace(day=1)
    QualifyingMonth.objects.create(wallet=wallet, month=this_month, points=100, spend_ore=30_000)
    old = (this_month - timedelta(days=400)).replace(day=1)  # outside the twelve months
    QualifyingMonth.objects.create(wallet=wallet, month=old, points=999, spend_ore=999_900)

    progress = selectors.wallet_summary(member).progress

    assert progress.total == 300  # kroner, from spend_ore (points would say 100)
    assert progress.next_tier.name == "Sølv" and progress.missing == 200


@pytest.mark.django_db
def test_the_summary_reads_a_few_queries_with_the_tier_joined(club):
    member = MemberFactory()
    wallet = services.wallet_get_or_create(member)
    Wallet.objects.filter(pk=wallet.pk).update(tier=Tier.objects.get(name="Sølv"), balance=900)
    config()  # warm, as on every page after the first

    with CaptureQueriesContext(connection) as ctx:
        summary = selectors.wallet_summary(member)
        assert summary.wallet.tier.name == "Sølv" and summary.wallet.member == member
        assert summary.progress.next_tier.name == "Gull"
    # The wallet with its tier, the tier window's sums, points expiring soon, the stamp
    # cards, the usable vouchers, the paid membership running (program, tiers and cards come
    # from the cached config).
    assert len(ctx.captured_queries) <= 6


@pytest.mark.django_db
def test_the_wallet_page_shows_each_voucher_with_reward_code_qr_and_expiry(client, club):
    coffee, _bun = club
    member = MemberFactory()
    wallet = services.wallet_get_or_create(member)
    expires_at = timezone.now() + timedelta(days=9)
    voucher(wallet, coffee, "ABCDEFGH23", expires_at=expires_at)
    client.force_login(member.user)

    body = client.get(WALLET).content.decode()

    assert "Gratis kaffe" in body and "ABCDEFGH23" in body and 'class="qr"' in body
    assert reverse("rewards:voucher", args=["ABCDEFGH23"]) in body
    assert str(timezone.localdate(expires_at).year) in body
