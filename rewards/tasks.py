"""Scheduled wallet jobs (Celery beat): thin, each calls one service."""

from celery import shared_task

from members.models import Member
from rewards import services
from rewards.config import config
from rewards.services.achievements import (
    achievements_evaluate,
    achievements_evaluate_all,
    achievements_evaluate_anniversaries,
)
from rewards.services.actions import anniversaries_award, profile_fields_award
from rewards.services.flags import counter_flags_scan
from rewards.services.membership import membership_drops_due
from rewards.services.programme import programme_changes_apply_due
from rewards.services.surprise import surprise_draw, surprise_take_back
from rewards.services.welcome import welcome_gift_give


@shared_task
def expire_points() -> int:
    return services.points_expire_due()


@shared_task
def review_tiers() -> int:
    return services.tier_review_due()


@shared_task
def birthday_bonuses() -> int:
    return services.bonus_birthdays_due()


@shared_task
def surprise(entry_id: int) -> None:
    surprise_draw(purchase_id=entry_id)


@shared_task
def surprise_back(entry_id: int) -> None:
    surprise_take_back(purchase_id=entry_id)


@shared_task
def programme_changes() -> int:
    return programme_changes_apply_due()


@shared_task
def membership_drops() -> int:
    return membership_drops_due()


@shared_task
def counter_flags() -> int:
    return counter_flags_scan()


@shared_task
def welcome_bonus(member_id: int) -> None:
    welcome_gift_give(member=Member.objects.get(pk=member_id))


@shared_task
def profile_bonus(member_id: int) -> None:
    member = Member.objects.get(pk=member_id)
    services.bonus_profile_award(member=member)
    profile_fields_award(member=member)


@shared_task
def anniversaries() -> int:
    return anniversaries_award()


@shared_task
def achievements(member_id: int) -> None:
    achievements_evaluate(member=Member.objects.get(pk=member_id))


@shared_task
def achievements_all() -> int:
    return achievements_evaluate_all()


@shared_task
def achievements_nightly() -> int:
    return achievements_evaluate_anniversaries()


def achievements_soon(member_id: int) -> None:
    """Queue an evaluation of the member's challenges and badges (none while the club has
    none: read from the cached settings, so the till's path pays nothing for it)."""
    if config().achievements:
        achievements.delay(member_id)
