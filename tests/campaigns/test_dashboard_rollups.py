"""The dashboard reads the ledger from daily rollups plus the entries written since: every
figure equals the one computed from the ledger alone, for any club, period and shop."""

from __future__ import annotations

import random
import uuid
from datetime import date, timedelta

import pytest
from django.db.models import Q, Sum
from django.urls import reverse
from django.utils import timezone

from campaigns.insights import rollups
from campaigns.insights.rollups import SETTLE, ledger_roll_up
from campaigns.insights.selectors import Period, dashboard
from campaigns.insights.selectors.ledger import ledger_flows, rolled_until
from campaigns.models import LedgerDay, RollupState
from members import roles
from members.services import member_erase
from rewards import services
from rewards.errors import RewardsError
from rewards.models import LedgerEntry
from rewards.services.visits import visit_record
from tests.factories import LocationFactory, MemberFactory, RewardFactory, TierFactory, staff_user

pytestmark = pytest.mark.django_db


def key() -> str:
    return uuid.uuid4().hex


def roll_up() -> int:
    """A run of the beat task that takes every entry written so far."""
    return ledger_roll_up(now=timezone.now() + SETTLE)


def figures(period: Period, location, now) -> tuple:
    data = dashboard(period=period, location=location, now=now)
    return data.sections, data.trend, data.breakage, data.owed, data.formulas, data.segments


def direct(period: Period, location, now) -> tuple:
    """The same figures with no rollups: every one read from the ledger itself."""
    state = list(RollupState.objects.values_list("ledger_until", flat=True))
    RollupState.objects.all().delete()
    try:
        return figures(period, location, now)
    finally:
        if state:
            RollupState.objects.create(pk=1, ledger_until=state[0])


class RandomClub:
    """Members buying, redeeming, handing back, getting refunds and grants at random shops
    at random moments of the last fourteen months, through the wallet's services."""

    def __init__(self, rng: random.Random):
        self.rng = rng
        TierFactory(name="Sølv", threshold=2000)
        self.shops = [LocationFactory(name=f"Butikk {i}") for i in range(3)]
        self.reward = RewardFactory(name="Kaffe", cost_points=100, voucher_valid_days=20)
        today = timezone.now()
        self.members = [
            MemberFactory(joined_at=today - timedelta(days=rng.randint(300, 450)))
            for _ in range(rng.randint(4, 8))
        ]
        self.purchases: list[LedgerEntry] = []
        self.staff = staff_user(roles.COUNTER_STAFF, *self.shops)

    def shop(self):
        return self.rng.choice([*self.shops, None])

    def events(self, start, end, count: int) -> None:
        """`count` events between `start` and `end`, in time order."""
        rng = self.rng
        span = (end - start).total_seconds()
        for moment in sorted(start + timedelta(seconds=rng.uniform(0, span)) for _ in range(count)):
            member, what = rng.choice(self.members), rng.random()
            try:
                if what < 0.5:
                    amount = rng.randint(1, 800) * 100
                    result = services.purchase_register(
                        member=member,
                        amount_ore=amount,
                        idempotency_key=key(),
                        location=self.shop(),
                        at=moment,
                    )
                    self.purchases.append(result.entry)
                elif what < 0.6 and self.purchases:
                    entry = self.purchases.pop(rng.randrange(len(self.purchases)))
                    if entry.created_at < moment:
                        services.entry_reverse(entry=entry, reason="refund", idempotency_key=key(), at=moment)
                elif what < 0.8:
                    voucher = services.reward_redeem(
                        member=member,
                        reward=self.reward,
                        idempotency_key=key(),
                        location=self.shop(),
                        at=moment,
                    ).voucher
                    if rng.random() < 0.3:
                        services.voucher_cancel(
                            voucher=voucher, member=member, idempotency_key=key(), at=moment
                        )
                elif what < 0.9:
                    services.points_award(
                        member=member,
                        points=rng.randint(1, 300),
                        reason="bonus",
                        idempotency_key=key(),
                        at=moment,
                    )
                elif what < 0.95:
                    services.points_expire_due(now=moment)
                else:
                    visit_record(
                        member=member, location=self.rng.choice(self.shops), staff=self.staff, now=moment
                    )
            except RewardsError:
                pass  # not enough points for the reward, a reversal no longer possible: a till's "no"

    def late_sales(self, count: int) -> None:
        """Sales a till sends late, on days that already have entries (and may be rolled up)."""
        times = list(LedgerEntry.objects.values_list("created_at", flat=True))
        for moment in self.rng.sample(times, min(count, len(times))):
            services.purchase_register(
                member=self.rng.choice(self.members),
                amount_ore=self.rng.randint(1, 500) * 100,
                idempotency_key=key(),
                location=self.shop(),
                at=moment + timedelta(minutes=1),
            )


@pytest.mark.parametrize("seed", [1, 2, 3, 4])
def test_every_figure_from_the_rollups_equals_the_figure_from_the_ledger_alone(seed):
    rng = random.Random(seed)
    club = RandomClub(rng)
    now = timezone.now()
    club.events(now - timedelta(days=420), now - timedelta(days=30), 40)
    roll_up()
    # Written after the first run: more days, and sales sent late onto days already rolled up.
    club.events(now - timedelta(days=40), now - timedelta(days=5), 25)
    club.late_sales(5)
    roll_up()
    club.late_sales(3)
    club.events(now - timedelta(days=5), now, 15)  # the tail: not rolled up yet
    member_erase(member=club.members[0])  # today: counted until now, as the direct figures do
    assert LedgerDay.objects.exists() and LedgerEntry.objects.filter(recorded_at__gte=rolled_until()).exists()

    shown_at = timezone.now() + timedelta(minutes=5)
    today = timezone.localdate(shown_at)
    for _ in range(6):
        last = today - timedelta(days=rng.randint(0, 400))
        period = Period(last - timedelta(days=rng.randint(0, 90)), last)
        shop = rng.choice([*club.shops, None])
        assert figures(period, shop, shown_at) == direct(period, shop, shown_at), (period, shop)
    unspent = LedgerEntry.objects.filter(remaining__gt=0).filter(
        Q(expires_at=None) | Q(expires_at__gt=shown_at)
    )
    owed = dashboard(period=period, now=shown_at).owed.points
    assert owed == unspent.aggregate(points=Sum("remaining", default=0))["points"]


def days() -> list[tuple]:
    order = ("day", "location", "kind", "positive", "gives_back_redemption")
    return list(LedgerDay.objects.order_by(*order).values_list(*order, "points", "amount_ore", "entries"))


def test_a_second_run_changes_nothing_even_from_an_older_watermark():
    club = RandomClub(random.Random(5))
    club.events(timezone.now() - timedelta(days=60), timezone.now(), 30)
    roll_up()
    rows = days()
    assert roll_up() == 0  # nothing written since: no day rewritten
    # As a run that started from the same watermark as the last one and finished after it.
    RollupState.objects.update(ledger_until=timezone.now() - timedelta(days=1))
    assert roll_up() > 0
    assert days() == rows


def test_a_refund_lands_on_the_day_it_is_made_and_leaves_the_day_of_the_sale_as_it_was():
    member, shop = MemberFactory(), LocationFactory()
    sold = timezone.now() - timedelta(days=10)
    entry = services.purchase_register(
        member=member, amount_ore=50_000, idempotency_key=key(), location=shop, at=sold
    ).entry
    roll_up()
    sale_day = list(LedgerDay.objects.filter(day=timezone.localdate(sold)).values_list("kind", "amount_ore"))
    services.entry_reverse(entry=entry, reason="refund", idempotency_key=key())
    roll_up()
    assert (
        list(LedgerDay.objects.filter(day=timezone.localdate(sold)).values_list("kind", "amount_ore"))
        == sale_day
    )
    today = LedgerDay.objects.get(day=timezone.localdate(), kind=LedgerEntry.Kind.REVERSAL)
    assert (today.amount_ore, today.points) == (-50_000, -500)


def test_a_sale_sent_late_from_an_offline_till_is_counted_at_once_and_rolled_into_its_own_day():
    member, shop = MemberFactory(), LocationFactory()
    services.purchase_register(member=member, amount_ore=10_000, idempotency_key=key(), location=shop)
    roll_up()
    sold = timezone.now() - timedelta(days=3)
    services.purchase_register(
        member=member, amount_ore=20_000, idempotency_key=key(), location=shop, at=sold
    )
    period = Period(timezone.localdate(sold), timezone.localdate())
    shown_at = timezone.now() + timedelta(minutes=5)
    assert dashboard(period=period, now=shown_at).kpis["revenue"].current == 30_000  # from the tail
    roll_up()
    assert LedgerDay.objects.get(day=timezone.localdate(sold)).amount_ore == 20_000
    assert dashboard(period=period, now=shown_at).kpis["revenue"].current == 30_000


def test_entries_younger_than_a_couple_of_minutes_wait_for_the_next_run():
    services.purchase_register(member=MemberFactory(), amount_ore=10_000, idempotency_key=key())
    ledger_roll_up(now=timezone.now())  # the entry is seconds old: its transaction may not be alone
    assert not LedgerDay.objects.exists()
    assert rolled_until() < LedgerEntry.objects.get().recorded_at


def test_reading_the_flows_from_rollups_takes_as_many_queries_for_many_days_as_for_few(
    django_assert_max_num_queries,
):
    club = RandomClub(random.Random(6))
    club.events(timezone.now() - timedelta(days=100), timezone.now(), 10)
    roll_up()
    moments = [Period(date(2020, 1, 1), timezone.localdate()).start, timezone.now() + timedelta(minutes=5)]
    with django_assert_max_num_queries(3):  # the watermark, the days, the entries since
        few = ledger_flows(moments, location_id=None)
    club.events(timezone.now() - timedelta(days=300), timezone.now(), 30)
    roll_up()
    with django_assert_max_num_queries(3):
        many = ledger_flows(moments, location_id=None)
    assert many.rolled_until > few.rolled_until and len(many.rows) > len(few.rows)


def test_the_page_says_how_fresh_the_figures_are_and_catches_up_when_beat_has_stopped(client):
    services.purchase_register(
        member=MemberFactory(),
        amount_ore=10_000,
        idempotency_key=key(),
        at=timezone.now() - timedelta(hours=1),
    )
    client.force_login(staff_user(roles.OWNER))
    page = client.get(reverse("campaigns:dashboard")).content.decode()
    # Never rolled up: the page asked for a run (eager here).
    assert rolled_until() is not None
    rolled = timezone.localtime(rolled_until())
    assert f"{rolled.day}. " in page and f"{rolled:%H:%M}" in page.split('id="freshness"')[1].split("</p>")[0]


def test_the_rollups_are_stale_when_never_run_or_half_an_hour_behind():
    MemberFactory()
    assert rollups.rollups_stale()
    roll_up()
    assert not rollups.rollups_stale()
    assert not rollups.rollups_stale(now=rolled_until() + rollups.STALE)
    assert rollups.rollups_stale(now=rolled_until() + rollups.STALE + timedelta(seconds=1))
