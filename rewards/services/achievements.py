"""Giving (and taking back) what challenges and badges are worth.

`achievements_evaluate` runs after anything that may move a member's figures (a visit, a
purchase, a refund, stamps, a referral rewarded: by a task, off the till's path) and when
the owner saves a challenge or badge (every member, so that the past counts at once). It
holds the member's wallet lock from the first read to the last write, so two evaluations
of one member (two tills at once, a task run twice) happen one after the other and the
second finds the completion the first wrote; the completion's unique constraint and the
reward's idempotency key are the second and third guard. A reward is paid once.

The rules:
- A challenge is completed when its progress reaches the goal while it runs (or within
  GRACE after its last day: a task that ran late still counts what happened in time).
- A completion whose progress falls below the goal again (a refund) is revoked: its points
  are reversed and its voucher withdrawn where they can be; a voucher used or points spent
  stay with the member (the completion's `kept` says which, and the member's page says so).
  Reaching the goal again reinstates it with a new reward.
- Badge levels are awarded lowest first, every level up to the highest reached, and kept.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone

from clubsite.batches import in_batches
from members.models import Member
from rewards.config import config
from rewards.errors import RewardsError
from rewards.models import Voucher
from rewards.models.challenges import Badge, BadgeAward, Challenge, ChallengeCompletion, Goal
from rewards.selectors.achievements import (
    badge_window,
    challenge_progress,
    eligible,
    measure,
    tier_now,
)
from rewards.selectors.wallet import CHALLENGE_PREFIX
from rewards.services import core
from rewards.services.points import entry_reverse, points_award
from rewards.services.vouchers import voucher_gift, voucher_withdraw

GRACE = timedelta(days=3)
# Goals a refund or a reversal can lower (visits and shops visited only ever grow).
SHRINKING = {Goal.PURCHASES, Goal.SPEND, Goal.STAMP_CARDS, Goal.REFERRALS}
REVOKED_REASON = "challenge_refunded"  # shown to members as a label (rewards.selectors.REASON_LABELS)


def reward_reason(challenge: Challenge) -> str:
    return f"{CHALLENGE_PREFIX}{challenge.name}"[:200]


@dataclass
class Outcome:
    completed: list[ChallengeCompletion] = field(default_factory=list)
    revoked: list[ChallengeCompletion] = field(default_factory=list)
    awarded: list[BadgeAward] = field(default_factory=list)


@transaction.atomic
def achievements_evaluate(*, member: Member, at: datetime | None = None) -> Outcome:
    """Complete, revoke and award what the member's figures now say; returns what changed."""
    now = core.now_or(at)
    outcome = Outcome()
    if member.is_erased:
        return outcome
    core.lock(member)  # one evaluation of a member at a time (see the module's docstring)
    completions = {
        c.challenge_id: c
        for c in ChallengeCompletion.objects.filter(member=member).select_related("challenge__tier")
    }
    for completion in completions.values():
        challenge = completion.challenge
        if not completion.standing or challenge.goal not in SHRINKING:
            continue
        if challenge_progress(challenge, member) < challenge.target:
            _revoke(completion, now=now)
            outcome.revoked.append(completion)
    tier = tier_now(member, now)
    for challenge in _open_challenges(now):
        completion = completions.get(challenge.pk)
        if completion is not None and completion.standing:
            continue
        if not eligible(challenge, member, tier) or challenge_progress(challenge, member) < challenge.target:
            continue
        outcome.completed.append(_complete(challenge, member, completion, now=now))
    for badge in Badge.objects.filter(is_active=True).prefetch_related("levels"):
        outcome.awarded += _award_levels(badge, member, now=now)
    return outcome


def _open_challenges(now: datetime):
    today = timezone.localdate(now)
    return Challenge.objects.filter(
        is_active=True, starts_on__lte=today, ends_on__gte=timezone.localdate(now - GRACE)
    ).select_related("tier", "reward")


def _complete(
    challenge: Challenge, member: Member, completion: ChallengeCompletion | None, *, now: datetime
) -> ChallengeCompletion:
    if completion is None:
        completion = ChallengeCompletion(challenge=challenge, member=member)
    else:  # revoked before, reached again
        completion.round += 1
        completion.revoked_at, completion.kept, completion.seen_at = None, "", None
    completion.completed_at = now
    key = f"challenge:{challenge.pk}:{member.pk}:{completion.round}"
    completion.entry = completion.voucher = None
    if challenge.points:
        result = points_award(
            member=member,
            points=challenge.points,
            reason=reward_reason(challenge),
            idempotency_key=f"{key}:points",
            at=now,
        )
        completion.entry = result.entry
    if challenge.reward_id:
        completion.voucher = voucher_gift(
            member=member,
            reward=challenge.reward,
            idempotency_key=f"{key}:voucher",
            at=now,
            source=Voucher.Source.CHALLENGE,
        )
    completion.save()
    return completion


def _revoke(completion: ChallengeCompletion, *, now: datetime) -> None:
    key = f"challenge:{completion.challenge_id}:{completion.member_id}:{completion.round}:revoke"
    kept = []
    if completion.entry_id is not None:
        try:
            entry_reverse(
                entry=completion.entry, reason=REVOKED_REASON, idempotency_key=f"{key}:points", at=now
            )
        except RewardsError:  # spent already: the rule lets the member keep them
            kept.append("points")
    if completion.voucher_id is not None:
        try:
            voucher_withdraw(voucher=completion.voucher, idempotency_key=f"{key}:voucher", at=now)
        except RewardsError:  # used already: kept
            kept.append("voucher")
    completion.revoked_at, completion.kept = now, ",".join(kept)
    completion.save(update_fields=["revoked_at", "kept"])


def _award_levels(badge: Badge, member: Member, *, now: datetime) -> list[BadgeAward]:
    levels = list(badge.levels.all())  # lowest threshold first
    if not levels:
        return []
    since, until = badge_window(badge, now)
    value = measure(badge.goal, member, since, until)
    have = set(
        BadgeAward.objects.filter(member=member, level__badge=badge).values_list("level_id", flat=True)
    )
    awarded = []
    for level in levels:
        if level.threshold > value:
            break
        if level.pk not in have:  # every level below the highest reached, lowest first
            awarded.append(BadgeAward.objects.create(level=level, member=member, awarded_at=now))
    return awarded


def achievements_evaluate_soon(member_id: int) -> None:
    """Evaluate now, when the club has a challenge or badge (read from the cached settings)."""
    if config().achievements:
        member = Member.objects.filter(pk=member_id).first()
        if member is not None:
            achievements_evaluate(member=member)


def achievements_evaluate_all(*, members=None, at: datetime | None = None) -> int:
    """Evaluate every member (after the owner saved a challenge or badge: the past counts at
    once), or those of `members` (a queryset). Each member in a transaction of their own;
    returns how many members got something new."""
    changed = 0
    members = Member.objects.all() if members is None else members
    for batch in in_batches(members.filter(erased_at=None)):  # bounded memory, behind PgBouncer too
        for member in batch:
            outcome = achievements_evaluate(member=member, at=at)
            changed += bool(outcome.completed or outcome.revoked or outcome.awarded)
    return changed


def achievements_evaluate_anniversaries(*, at: datetime | None = None) -> int:
    """Each night: members who have a year more with the club today (badges of years as a
    member come with time alone, not with anything the member does)."""
    if not Badge.objects.filter(is_active=True, goal=Goal.YEARS).exists():
        return 0
    today = timezone.localdate(core.now_or(at))
    members = Member.objects.filter(joined_at__month=today.month, joined_at__day=today.day)
    return achievements_evaluate_all(members=members, at=at)


def celebrations_seen(*, member: Member, at: datetime | None = None) -> None:
    now = core.now_or(at)
    ChallengeCompletion.objects.filter(member=member, seen_at=None).update(seen_at=now)
    BadgeAward.objects.filter(member=member, seen_at=None).update(seen_at=now)
