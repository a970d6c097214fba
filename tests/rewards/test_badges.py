"""Badges (issue 18): milestones without an end date, their levels awarded lowest first and
never skipped, counting the past where the owner says so."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from members.models import Member
from members.services import member_export_archive
from referrals.models import Referral
from rewards.models import Badge, BadgeAward, BadgeLevel, ChallengeCompletion
from rewards.selectors.achievements import measure
from rewards.services.achievements import achievements_evaluate, achievements_evaluate_anniversaries
from rewards.services.visits import visit_record
from tests.factories import MemberFactory, TierFactory
from tests.gdpr.test_export import unzip
from tests.rewards.test_challenges import challenge
from tests.rewards.wallet_helpers import set_tier

pytestmark = pytest.mark.django_db

NOW = timezone.now()


def badge(goal: str = "visits", levels=(("Bronse", 2), ("Sølv", 3), ("Gull", 5)), **fields) -> Badge:
    made = Badge.objects.create(name="Stamgjest", goal=goal, **fields)
    for name, threshold in levels:
        BadgeLevel.objects.create(badge=made, name=name, threshold=threshold)
    return made


def visits(member, shop, staff, count: int, *, hours_ago: int = 48) -> None:
    for n in reversed(range(count)):  # oldest first, each an hour apart: separate visits
        visit_record(member=member, location=shop, staff=staff, now=NOW - timedelta(hours=hours_ago + n))


def awarded(member) -> list[str]:
    return list(BadgeAward.objects.filter(member=member).order_by("pk").values_list("level__name", flat=True))


def test_every_level_up_to_the_highest_reached_is_awarded_lowest_first(shop, cashier, program):
    regular, newcomer = MemberFactory(), MemberFactory()
    visits(regular, shop, cashier, 5)
    visits(newcomer, shop, cashier, 3)
    badge()

    achievements_evaluate(member=regular)
    achievements_evaluate(member=newcomer)
    achievements_evaluate(member=regular)  # again: nothing twice

    assert awarded(regular) == ["Bronse", "Sølv", "Gull"]
    assert awarded(newcomer) == ["Bronse", "Sølv"]


def test_a_badge_that_does_not_count_the_past_counts_from_its_creation(shop, cashier, program):
    member = MemberFactory()
    visits(member, shop, cashier, 5)
    fresh = badge(count_past=False)

    achievements_evaluate(member=member)
    assert awarded(member) == []

    visits(member, shop, cashier, 2, hours_ago=-1)  # two visits after the badge was made
    type(fresh).objects.filter(pk=fresh.pk).update(created_at=NOW - timedelta(hours=1))
    achievements_evaluate(member=member, at=NOW + timedelta(hours=3))
    assert awarded(member) == ["Bronse"]


def test_years_as_a_member_come_with_the_nightly_run_on_the_anniversary(program):
    member = MemberFactory()
    Member.objects.filter(pk=member.pk).update(joined_at=NOW - timedelta(days=366 * 2))
    badge(goal="years", levels=(("Ett år", 1), ("To år", 2)))
    # The anniversary is a day in the club's time zone: near midnight UTC and local dates differ.
    joined = timezone.localtime(Member.objects.get(pk=member.pk).joined_at)
    anniversary = joined.replace(year=timezone.localtime(NOW).year)

    achievements_evaluate_anniversaries(at=anniversary)  # the moment of joining, that many years on

    assert awarded(member) == ["Ett år", "To år"]


def test_a_tier_a_first_referral_and_completed_challenges_count(shop, cashier, program):
    TierFactory(name="Medlem", threshold=0)
    silver, gold = TierFactory(name="Sølv", threshold=500), TierFactory(name="Gull", threshold=2000)
    member, friend = MemberFactory(), MemberFactory()
    set_tier(member, gold)
    Referral.objects.create(referrer=member, friend=friend, status=Referral.Status.PAID, paid_at=NOW)
    visits(member, shop, cashier, 3)
    challenge()

    achievements_evaluate(member=member)

    later = timezone.now()
    assert measure("tier", member, None, later) == 2 and silver.pk
    assert measure("referrals", member, None, later) == 1
    assert ChallengeCompletion.objects.filter(member=member).count() == 1
    assert measure("challenges", member, None, later) == 1


def test_the_badges_page_shows_levels_reached_and_what_is_next(client, shop, cashier, program):
    member = MemberFactory()
    visits(member, shop, cashier, 3)
    badge(description="For deg som kommer ofte")
    achievements_evaluate(member=member)
    client.force_login(member.user)

    page = client.get(reverse("rewards:badges")).content.decode()

    assert "Stamgjest" in page and "For deg som kommer ofte" in page
    assert page.count("badge-level-reached") == 2 and "Gull (ved 5)" in page


def test_the_members_data_export_holds_their_challenges_and_badges(shop, cashier, program):
    member = MemberFactory()
    visits(member, shop, cashier, 3)
    badge()
    challenge()
    achievements_evaluate(member=member)

    data, _summary = unzip(member_export_archive(member=member)[1])

    assert [c["challenge"] for c in data["challenges"]] == ["3 besøk i desember"]
    assert [(b["badge"], b["level"]) for b in data["badges"]] == [
        ("Stamgjest", "Bronse"),
        ("Stamgjest", "Sølv"),
    ]
