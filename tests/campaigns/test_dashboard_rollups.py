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
from rewards.models import LedgerEntry
from tests.campaigns.random_club import RandomClub
from tests.factories import LocationFactory, MemberFactory, staff_user

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


def test_late_sales_on_days_apart_rewrite_those_days_and_leave_the_day_between_as_it_was():
    member, shop = MemberFactory(), LocationFactory()
    sold = {ago: timezone.now() - timedelta(days=ago) for ago in (10, 9, 7, 5)}

    def sell(ago: int, amount_ore: int) -> None:
        services.purchase_register(
            member=member, amount_ore=amount_ore, idempotency_key=key(), location=shop, at=sold[ago]
        )

    for ago in sold:
        sell(ago, 10_000)
    roll_up()
    for ago in (10, 9, 5):  # two runs of days, with a day of sales between them that nothing touched
        sell(ago, 1_000)
    assert roll_up() == 3
    revenue = {day: 0 for day in LedgerDay.objects.values_list("day", flat=True)}
    for day, amount in LedgerDay.objects.values_list("day", "amount_ore"):
        revenue[day] += amount
    assert revenue == {
        timezone.localdate(sold[10]): 11_000,
        timezone.localdate(sold[9]): 11_000,
        timezone.localdate(sold[7]): 10_000,
        timezone.localdate(sold[5]): 11_000,
    }


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
