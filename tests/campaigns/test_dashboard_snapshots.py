"""The owner's page shows the ledger's sums up to now and the figures that count members as
last counted (campaigns.insights.snapshots): kept per period and shop, counted again when
old, kept warm for the default period by beat."""

from __future__ import annotations

import uuid
from dataclasses import replace
from datetime import timedelta

import pytest
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone

from campaigns.insights import snapshots
from campaigns.insights.forms import DEFAULT_DAYS
from campaigns.insights.selectors import Period, dashboard
from campaigns.tasks import dashboard_keep_counted
from members import roles
from rewards import services
from tests.factories import LocationFactory, MemberFactory, staff_user

pytestmark = pytest.mark.django_db


def buy(member, shop=None, amount_ore=10_000):
    services.purchase_register(
        member=member, amount_ore=amount_ore, idempotency_key=uuid.uuid4().hex, location=shop
    )


def default_period() -> Period:
    return Period.last_days(DEFAULT_DAYS, today=timezone.localdate())


def age(period: Period, location_id, minutes: int) -> None:
    """Make the kept count look `minutes` older than it is."""
    last = snapshots.kept(period, location_id)
    counts = replace(last.counts, at=last.at - timedelta(minutes=minutes))
    snapshots.keep(period, location_id, replace(last, counts=counts))


@pytest.fixture
def owner(client):
    client.force_login(staff_user(roles.OWNER))
    return client


def figures(client) -> dict:
    kpis = client.get(reverse("campaigns:dashboard")).context["data"].kpis
    return {key: kpis[key].current for key in ("revenue", "purchases", "members")}


def test_a_first_visit_counts_the_members_and_keeps_the_count(owner):
    buy(MemberFactory())
    assert snapshots.kept(default_period(), None) is None
    assert figures(owner) == {"revenue": 10_000, "purchases": 1, "members": 1}
    assert snapshots.kept(default_period(), None).counts.members_now == 1


def test_sums_are_up_to_now_while_counts_of_members_wait_for_the_next_count(owner):
    buy(MemberFactory())
    figures(owner)
    buy(MemberFactory())
    # The second member's purchase is in the revenue at once; she is counted a little later.
    assert figures(owner) == {"revenue": 20_000, "purchases": 2, "members": 1}


def test_the_page_says_when_the_members_were_counted(owner):
    buy(MemberFactory())
    figures(owner)
    age(default_period(), None, minutes=3)
    html = owner.get(reverse("campaigns:dashboard"), HTTP_ACCEPT_LANGUAGE="nb").content.decode()
    counted_at = timezone.localtime(snapshots.kept(default_period(), None).at)
    assert "telt" in html
    assert f"{counted_at:%H:%M}" in html


def test_an_old_count_is_shown_once_more_and_counted_again_for_the_next_visit(owner):
    buy(MemberFactory())
    figures(owner)
    buy(MemberFactory())
    age(default_period(), None, minutes=16)
    before = snapshots.kept(default_period(), None).at
    # This visit still shows the old count; it asked a worker (eager in tests) for a new one.
    assert figures(owner)["members"] == 1
    assert snapshots.kept(default_period(), None).at > before
    assert figures(owner)["members"] == 2


def test_a_count_in_the_background_is_asked_for_once_while_one_is_under_way():
    period = default_period()
    cache.add(f"counting:{snapshots._key(period, None)}", True, 60, version=snapshots.VERSION)
    assert snapshots.count_later(period, None) is False
    assert snapshots.kept(period, None) is None  # nothing ran


def test_each_shop_and_each_period_has_a_count_of_its_own(owner):
    here, there = LocationFactory(), LocationFactory()
    buy(MemberFactory(), here)
    buy(MemberFactory(), there)
    owner.get(reverse("campaigns:dashboard"), {"location": here.pk})
    owner.get(reverse("campaigns:dashboard"), {"start": timezone.localdate().isoformat()})
    assert snapshots.kept(default_period(), here.pk) is not None
    assert snapshots.kept(default_period(), there.pk) is None
    today = Period(timezone.localdate(), timezone.localdate())
    assert snapshots.kept(today, None) is not None


def test_beat_keeps_the_default_period_counted_for_the_club_and_every_shop_someone_looked_at(owner):
    shops = [LocationFactory(), LocationFactory(), LocationFactory()]
    buy(MemberFactory(), shops[0])
    for shop in shops[:2]:
        owner.get(reverse("campaigns:dashboard"), {"location": shop.pk})
    cache.delete_many(
        [snapshots._key(default_period(), shop.pk) for shop in shops], version=snapshots.VERSION
    )

    assert dashboard_keep_counted() == 3  # the club and the two shops someone opened
    assert snapshots.kept(default_period(), shops[2].pk) is None
    assert dashboard_keep_counted() == 0  # counted a moment ago
    age(default_period(), shops[1].pk, minutes=11)
    assert dashboard_keep_counted() == 1


def test_a_fresh_count_gives_the_figures_of_a_direct_count(owner):
    shop = LocationFactory()
    for i in range(5):
        buy(MemberFactory(), shop if i % 2 else None, amount_ore=1_000 * (i + 1))
    period, now = default_period(), timezone.now()
    made = snapshots.count(period, shop)
    kept = dashboard(period=period, location=shop, now=now, counts=snapshots.kept(period, shop.pk).counts)
    direct = dashboard(period=period, location=shop, now=now)
    assert made.counts.buyers == snapshots.kept(period, shop.pk).counts.buyers
    assert (kept.sections, kept.segments, kept.trend, kept.tiers) == (
        direct.sections,
        direct.segments,
        direct.trend,
        direct.tiers,
    )


def test_a_shop_removed_before_its_count_ran_is_left_alone():
    shop = LocationFactory()
    period, shop_id = default_period(), shop.pk
    shop.delete()
    snapshots.count_in_background(period.first.isoformat(), period.last.isoformat(), shop_id)
    assert snapshots.kept(period, shop_id) is None
