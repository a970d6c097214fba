"""The demo club's challenges and badges: «3 besøk i <this month>» running (Kari has two
visits this month: staff scanning her card at the till complete it), a spending challenge
with the florist's bouquet as its prize, a surprise challenge for visiting both shops, and
badges for visits, years as a member and friends referred."""

from __future__ import annotations

import calendar
from datetime import timedelta

from django.utils import timezone

from members.models import Location, Member, User
from rewards.models import Badge, BadgeLevel, Challenge, Reward, Visit
from rewards.selectors.achievements import challenge_progress, challenge_window
from rewards.services.achievements import achievements_evaluate_all
from rewards.services.visits import VISIT_GAP, visit_record

MONTHS = [
    "januar",
    "februar",
    "mars",
    "april",
    "mai",
    "juni",
    "juli",
    "august",
    "september",
    "oktober",
    "november",
    "desember",
]


def load_challenge_demo(staff: list[User], kari: Member) -> None:
    today = timezone.localdate()
    first = today.replace(day=1)
    last = today.replace(day=calendar.monthrange(today.year, today.month)[1])
    month = MONTHS[today.month - 1]
    visits = Challenge.objects.create(
        name=f"3 besøk i {month}",
        description="Stikk innom tre ganger denne måneden, så spanderer vi 50 poeng.",
        goal="visits",
        target=3,
        starts_on=first,
        ends_on=last,
        points=50,
    )
    Challenge.objects.create(
        name=f"Handle for 500 kr i {month}",
        description="Premien er en bukett-rabatt hos naboen vår, Blomsterhjørnet.",
        goal="spend",
        target=500,
        starts_on=first,
        ends_on=last,
        reward=Reward.objects.get(partner__slug="blomsterhjornet"),
    )
    Challenge.objects.create(
        name="Besøk begge bakeriene",
        description="Du har vært innom både på Grünerløkka og Majorstuen: takk!",
        goal="locations",
        target=2,
        starts_on=first,
        ends_on=last,
        points=30,
        hidden=True,
    )
    _badge(
        "Stamgjest",
        "Jo oftere du kommer, jo høyere nivå.",
        "visits",
        [("Bronse", 5), ("Sølv", 15), ("Gull", 30)],
    )
    _badge(
        "Trofast medlem",
        "Et merke for hvert år i klubben.",
        "years",
        [("Ett år", 1), ("To år", 2), ("Tre år", 3)],
    )
    _badge(
        "Vennevever",
        "For venner du har tatt med i klubben.",
        "referrals",
        [("Første venn", 1), ("Tre venner", 3)],
    )
    _kari_two_visits_this_month(staff, kari, visits)


def _badge(name: str, description: str, goal: str, levels: list[tuple[str, int]]) -> None:
    badge = Badge.objects.create(name=name, description=description, goal=goal)
    for level, threshold in levels:
        BadgeLevel.objects.create(badge=badge, name=level, threshold=threshold)


def _kari_two_visits_this_month(staff: list[User], kari: Member, challenge: Challenge) -> None:
    """Kari stands at 2 of 3, so that the next scan at the till completes «3 besøk».

    Her generated history may already hold visits this month (how many depends on the day the
    demo is loaded): only the missing ones are added, on recent days at Majorstuen. With more
    than two, the challenge counts from her second-to-last one, as if the owner had created it
    then without counting the past."""
    since, _until = challenge_window(challenge)
    earlier = list(
        Visit.objects.filter(member=kari, started_at__gte=since)
        .order_by("started_at")
        .values_list("started_at", flat=True)
    )
    if len(earlier) > 2:
        Challenge.objects.filter(pk=challenge.pk).update(count_past=False, created_at=earlier[-2])
        return
    till = staff[-1]
    shop: Location = till.locations.first()
    now = timezone.now()
    latest = now - VISIT_GAP - timedelta(minutes=1)  # the next scan must be a visit of its own
    for hours_ago in (26, 50, 3, 74, 6, 98):
        if challenge_progress(challenge, kari) >= 2:
            return
        at = max(now - timedelta(hours=hours_ago), since + timedelta(hours=1))
        if at <= latest:
            visit_record(member=kari, location=shop, staff=till, now=at)


def evaluate_demo_achievements() -> None:
    """Who has already done what (the past counts): completions and badges of the demo."""
    achievements_evaluate_all()
