"""Measuring challenges and badges from what the ledger and the visits record.

Every figure is computed when read: nothing counts up on the side, so a challenge created
today counts last week's visits (when the owner says so), and a refund that undoes a
purchase lowers the figures by itself. A purchase counts in the period it was made in,
whenever it is refunded.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta

from django.db.models import Q, Sum
from django.utils import timezone

from members.models import Member
from rewards.config import config
from rewards.models import LedgerEntry, Refund, StampEntry, Visit, Wallet
from rewards.models.challenges import Badge, BadgeAward, Challenge, ChallengeCompletion, Goal
from rewards.registry import achievement_counts, audiences
from rewards.services.perks import effective_tier, membership_current

FAR_FUTURE = datetime(9999, 1, 1, tzinfo=timezone.get_fixed_timezone(0))


def _day_start(day) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def challenge_window(challenge: Challenge) -> tuple[datetime, datetime]:
    """[since, until) of what counts: the challenge's days in the club's time zone, from its
    creation on when it does not count the past."""
    since = _day_start(challenge.starts_on)
    if not challenge.count_past:
        since = max(since, challenge.created_at)
    return since, _day_start(challenge.ends_on + timedelta(days=1))


def badge_window(badge: Badge, now: datetime) -> tuple[datetime | None, datetime]:
    return (None if badge.count_past else badge.created_at), now


def _between(field: str, since: datetime | None, until: datetime) -> Q:
    q = Q(**{f"{field}__lt": until})
    return q & Q(**{f"{field}__gte": since}) if since is not None else q


def _purchases(member: Member, since, until) -> list[int]:
    """What is left of each purchase in the window, in øre (undone ones left out; a purchase
    refunded in whole is 0)."""
    earned = list(
        LedgerEntry.objects.filter(
            _between("created_at", since, until),
            wallet__member=member,
            kind=LedgerEntry.Kind.EARN,
            reversal__isnull=True,
        ).values_list("operation_id", "amount_ore")
    )
    if not earned:
        return []
    refunded = dict(
        Refund.objects.filter(purchase_id__in=[op for op, _amount in earned])
        .values("purchase_id")
        .annotate(total=Sum("amount_ore"))
        .values_list("purchase_id", "total")
    )
    return [max((amount or 0) - refunded.get(op, 0), 0) for op, amount in earned]


def _tier_rank(member: Member) -> int:
    """1 for the first tier above the one every member starts in, 2 for the next; 0 for none."""
    tier_id = Wallet.objects.filter(member=member).values_list("tier_id", flat=True).first()
    above_base = [tier.pk for tier in config().tiers if tier.threshold > 0]
    return above_base.index(tier_id) + 1 if tier_id in above_base else 0


def measure(goal: str, member: Member, since: datetime | None, until: datetime) -> int:
    """How far `member` has come towards `goal` in [since, until) (since None: from the start)."""
    if goal == Goal.VISITS:
        return Visit.objects.filter(_between("started_at", since, until), member=member).count()
    if goal == Goal.LOCATIONS:
        visits = Visit.objects.filter(_between("started_at", since, until), member=member)
        return visits.values("location").distinct().count()
    if goal == Goal.PURCHASES:
        return sum(1 for left in _purchases(member, since, until) if left > 0)
    if goal == Goal.SPEND:
        return sum(_purchases(member, since, until)) // 100
    if goal == Goal.STAMP_CARDS:
        stamped = StampEntry.objects.filter(
            _between("created_at", since, until),
            progress__wallet__member=member,
            stamps__gt=0,
            reversal__isnull=True,
        )
        return stamped.values("progress__card").distinct().count()
    if goal == Goal.REFERRALS:
        return sum(count(member, since, until) for count in achievement_counts.get(Goal.REFERRALS, []))
    if goal == Goal.YEARS:
        joined = timezone.localtime(member.joined_at).date()
        today = timezone.localtime(until).date()
        return today.year - joined.year - ((today.month, today.day) < (joined.month, joined.day))
    if goal == Goal.TIER:
        return _tier_rank(member)
    if goal == Goal.CHALLENGES:
        completions = ChallengeCompletion.objects.filter(
            _between("completed_at", since, until), member=member, revoked_at=None
        )
        return completions.count()
    raise ValueError(goal)


def challenge_progress(challenge: Challenge, member: Member) -> int:
    since, until = challenge_window(challenge)
    return measure(challenge.goal, member, since, until)


def eligible(challenge: Challenge, member: Member, tier) -> bool:
    """The challenge is for this member: their tier (`tier`: the one that counts now, a paid
    membership's included) and segment, if it is restricted."""
    if challenge.tier_id is not None and (tier is None or tier.threshold < challenge.tier.threshold):
        return False
    return not challenge.audience or audiences.contains(challenge.audience, member)


@dataclass(frozen=True)
class ChallengeState:
    challenge: Challenge
    progress: int
    completion: ChallengeCompletion | None

    @property
    def done(self) -> bool:
        return self.completion is not None and self.completion.standing

    @property
    def shown(self) -> int:
        return min(self.progress, self.challenge.target)

    @property
    def percent(self) -> int:
        return 100 if self.done else self.shown * 100 // self.challenge.target


def challenges_running(now: datetime):
    today = timezone.localdate(now)
    return (
        Challenge.objects.filter(is_active=True, starts_on__lte=today, ends_on__gte=today)
        .select_related("tier", "reward")
        .order_by("ends_on", "pk")
    )


def tier_now(member: Member, now: datetime):
    """The tier that counts for the member now: their own, or a paid membership's if higher."""
    tier_id = Wallet.objects.filter(member=member).values_list("tier_id", flat=True).first()
    own = next((tier for tier in config().tiers if tier.pk == tier_id), None)
    return effective_tier(own, membership_current(member, now))


def challenges_for(member: Member, now: datetime | None = None) -> list[ChallengeState]:
    """The running challenges the member sees: those for them, with their progress; a
    surprise only once completed."""
    now = now or timezone.now()
    tier = tier_now(member, now)
    completions = {
        c.challenge_id: c
        for c in ChallengeCompletion.objects.filter(
            member=member, challenge__ends_on__gte=timezone.localdate(now)
        )
    }
    states = []
    for challenge in challenges_running(now):
        completion = completions.get(challenge.pk)
        done = completion is not None and completion.standing
        if (challenge.hidden and not done) or not (done or eligible(challenge, member, tier)):
            continue
        states.append(ChallengeState(challenge, challenge_progress(challenge, member), completion))
    return states


@dataclass(frozen=True)
class BadgeState:
    badge: Badge
    levels: list  # (level, award or None), lowest first
    value: int

    @property
    def reached(self) -> list:
        return [(level, award) for level, award in self.levels if award is not None]

    @property
    def next_level(self):
        return next((level for level, award in self.levels if award is None), None)


def badges_for(member: Member, now: datetime | None = None) -> list[BadgeState]:
    """Every active badge with the member's levels awarded and the next one to reach."""
    now = now or timezone.now()
    awards = {a.level_id: a for a in BadgeAward.objects.filter(member=member)}
    states = []
    for badge in Badge.objects.filter(is_active=True).prefetch_related("levels"):
        levels = [(level, awards.get(level.pk)) for level in badge.levels.all()]
        if levels:
            since, until = badge_window(badge, now)
            states.append(BadgeState(badge, levels, measure(badge.goal, member, since, until)))
    return states


def celebrations(member: Member) -> tuple[list[ChallengeCompletion], list[BadgeAward]]:
    """What the member completed or was awarded and has not yet seen celebrated."""
    completions = list(
        ChallengeCompletion.objects.filter(member=member, seen_at=None, revoked_at=None).select_related(
            "challenge", "voucher__reward"
        )
    )
    awards = list(BadgeAward.objects.filter(member=member, seen_at=None).select_related("level__badge"))
    return completions, awards
