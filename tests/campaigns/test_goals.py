"""The owner's goals (issue 16): followed at two weeks, one, three and six months and the
deadline against a straight line to the target, with a plain verdict."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from campaigns.insights.goals import goal_progress, measure_at, milestone_days
from campaigns.models import ClubEconomics, Goal
from members import roles
from members.models import Member
from rewards import services
from tests.factories import LocationFactory, MemberFactory, staff_user

pytestmark = pytest.mark.django_db


def oslo(*args) -> datetime:
    return timezone.make_aware(datetime(*args))


def test_the_milestones_are_the_guides_and_the_deadline():
    goal = Goal(measure="nps", baseline=32, target=45, starts_on=date(2026, 6, 1), months=6)
    assert milestone_days(goal) == [date(2026, 6, 15), date(2026, 7, 1), date(2026, 9, 1), date(2026, 12, 1)]
    short = Goal(measure="nps", baseline=32, target=45, starts_on=date(2026, 6, 1), months=2)
    assert milestone_days(short) == [date(2026, 6, 15), date(2026, 7, 1), date(2026, 8, 1)]


def test_a_goal_on_track_early_and_behind_later_says_so_at_each_milestone():
    for _ in range(12):
        member = MemberFactory()
        Member.objects.filter(pk=member.pk).update(joined_at=oslo(2026, 6, 2))
    goal = Goal.objects.create(
        measure="members", baseline=10, target=20, starts_on=date(2026, 6, 1), months=6
    )

    progress = goal_progress(goal, now=oslo(2026, 10, 1, 12))

    # Expected on the line from 10 to 20 over 183 days: 10.8 on day 14, 11.6 on day 30, 15.0 on day 92.
    rows = [(m.day, m.expected, m.measured, m.on_track) for m in progress.milestones]
    assert rows == [
        (date(2026, 6, 15), Decimal("10.8"), Decimal(12), True),
        (date(2026, 7, 1), Decimal("11.6"), Decimal(12), True),
        (date(2026, 9, 1), Decimal("15.0"), Decimal(12), False),
        (date(2026, 12, 1), Decimal("20.0"), None, None),
    ]
    assert progress.verdict is False and progress.now == 12


def test_before_the_first_milestone_it_is_too_early_to_say():
    goal = Goal.objects.create(
        measure="active", baseline=40, target=60, starts_on=date(2026, 6, 1), months=12
    )

    assert goal_progress(goal, now=oslo(2026, 6, 10)).verdict is None


def test_the_dashboard_shows_the_goals_and_a_goal_that_does_not_move_is_refused():
    Goal.objects.create(measure="nps", baseline=32, target=45, starts_on=date(2026, 6, 1), months=6)
    client = Client()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "nb"
    client.force_login(staff_user(roles.OWNER))

    page = client.get(reverse("campaigns:dashboard")).content.decode()
    refused = client.post(
        reverse("admin:campaigns_goal_add"),
        {"measure": "nps", "baseline": "40", "target": "40", "starts_on": "01.06.2026", "months": "6"},
    )

    assert "Mål" in page and "fra 32,0 til 45,0 innen 6 måneder" in page
    assert (
        refused.status_code == 200
        and "trenger en målverdi som er forskjellig fra startverdien" in refused.content.decode()
    )
    assert Goal.objects.count() == 1


def test_retention_is_the_share_of_those_active_a_window_ago_who_still_are():
    economics = ClubEconomics.load()
    economics.active_window_days = 90
    economics.save()
    shop, now = LocationFactory(), oslo(2026, 7, 1, 12)
    regulars = [MemberFactory() for _ in range(4)]
    for i, member in enumerate(regulars):
        services.purchase_register(
            member=member, amount_ore=5000, idempotency_key=f"m{i}", location=shop, at=oslo(2026, 3, 20, 12)
        )
        if i < 3:  # three of the four came back within the last 90 days
            services.purchase_register(
                member=member,
                amount_ore=5000,
                idempotency_key=f"j{i}",
                location=shop,
                at=oslo(2026, 6, 15, 12),
            )
    newcomer = MemberFactory()  # active now, but not a window ago: not in the rate
    services.purchase_register(member=newcomer, amount_ore=5000, idempotency_key="n", location=shop, at=now)

    assert measure_at(Goal.Measure.RETENTION, [now]) == {now: Decimal("75.0")}
