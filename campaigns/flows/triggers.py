"""Who enters a flow's step now, and for which occasion: one query per step, on Member,
never a loop over the members (issue 16).

Each trigger returns the members as a queryset annotated with `occasion`, the text that
makes "once per occasion" (the unique Message row): "" for the welcome (once ever), the
birthday's year, the date of the last purchase before a lapse, the date points expire.
Members who already have the step's message for that occasion are left out, so that a tick
writes only what is new.
"""

from __future__ import annotations

import calendar
from collections.abc import Iterator
from datetime import date, datetime, time, timedelta

from django.db.models import (
    Case,
    CharField,
    Exists,
    F,
    Max,
    Min,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Cast, Coalesce, TruncDate
from django.utils import timezone

from campaigns.models import Campaign, Flow, Message, NpsAnswer, TierChange
from clubsite.batches import in_batches
from members.models import Member
from rewards.config import config
from rewards.models import LedgerEntry, Membership, PointsProgram, QualifyingMonth, Tier, Voucher
from rewards.services.tiers import window

# A welcome that is a week late is no welcome: a step whose day passed longer ago is skipped.
WELCOME_LATE_DAYS = 7


def _as_text(expression) -> Cast:
    return Cast(expression, output_field=CharField())


def _welcome(flow: Flow, step: Campaign, now: datetime) -> QuerySet:
    due_if_joined_before = now - timedelta(days=step.delay_days)
    joined = Q(
        joined_at__lte=due_if_joined_before,
        joined_at__gt=due_if_joined_before - timedelta(days=WELCOME_LATE_DAYS),
    )
    if flow.only_from_now and flow.enabled_at:
        joined &= Q(joined_at__gte=flow.enabled_at)
    return Member.objects.filter(joined).annotate(occasion=Value("", output_field=CharField()))


def _this_week(now: datetime) -> list[date]:
    today = timezone.localdate(now)
    monday = today - timedelta(days=today.weekday())
    return [monday + timedelta(days=n) for n in range(7)]


def _dates_this_week(field: str, now: datetime) -> tuple[Q, Case]:
    """Members whose `field` (a date, or a moment read in the club's time zone) falls on a day
    of this week, Monday to Sunday, in any year, and the year of that day as the occasion;
    29 February counts on the 28th in other years."""
    whens, matches = [], Q()
    for day in _this_week(now):
        on_day = Q(**{f"{field}__month": day.month, f"{field}__day": day.day})
        if (day.month, day.day) == (2, 28) and not calendar.isleap(day.year):
            on_day |= Q(**{f"{field}__month": 2, f"{field}__day": 29})
        matches |= on_day
        whens.append(When(on_day, then=Value(str(day.year))))
    return matches, Case(*whens, output_field=CharField())


def _birthday(flow: Flow, step: Campaign, now: datetime) -> QuerySet:
    """Birthdays in this week, entered `delay_days` into the week; the occasion is the year."""
    matches, year = _dates_this_week("birthday", now - timedelta(days=step.delay_days))
    return Member.objects.filter(matches).annotate(occasion=year)


def _anniversary(flow: Flow, step: Campaign, now: datetime) -> QuerySet:
    """The week of the day they joined, a year or more ago; the occasion is the year."""
    moment = now - timedelta(days=step.delay_days)
    matches, year = _dates_this_week("joined_at", moment)
    this_week = timezone.make_aware(datetime.combine(_this_week(moment)[0], time.min))
    return Member.objects.filter(matches, joined_at__lt=this_week).annotate(occasion=year)


def _purchases_per_member(**filters) -> QuerySet:
    """Ledger rows grouped by member (`member_id`), of members not erased: for the triggers
    that read the whole ledger, one GROUP BY instead of a subquery per member."""
    return (
        LedgerEntry.objects.filter(wallet__member__erased_at=None, **filters)
        .order_by()
        .values(member_id=F("wallet__member"))
    )


def _win_back(flow: Flow, step: Campaign, now: datetime) -> QuerySet:
    """No purchase for `days` (+ the step's delay); once per lapse: the occasion is the date
    of the last purchase, so buying again and lapsing again is a new occasion."""
    lapsed_since = now - timedelta(days=flow.days + step.delay_days)
    members = (
        _purchases_per_member(kind=LedgerEntry.Kind.EARN, amount_ore__isnull=False)
        .annotate(last_purchase=Max("created_at"))
        .filter(last_purchase__lte=lapsed_since)
    )
    if flow.only_from_now and flow.enabled_at:
        members = members.filter(last_purchase__gte=flow.enabled_at - timedelta(days=flow.days))
    return members.annotate(occasion=_as_text(TruncDate("last_purchase")))


def _points_expiring(flow: Flow, step: Campaign, now: datetime) -> QuerySet:
    """Unspent points that expire within `days` (less the step's delay); the occasion is the
    first expiry date."""
    horizon = now + timedelta(days=max(flow.days - step.delay_days, 0))
    return (
        _purchases_per_member(remaining__gt=0, expires_at__gt=now)
        .annotate(first_expiry=Min("expires_at"))
        .filter(first_expiry__lte=horizon)
        .annotate(occasion=_as_text(TruncDate("first_expiry")))
    )


def _welcome_gift(flow: Flow, step: Campaign, now: datetime) -> QuerySet:
    """The welcome gift still unused, `days` (less the step's delay) before it expires; the
    occasion is the voucher. Used or expired, nothing is sent."""
    horizon = now + timedelta(days=max(flow.days - step.delay_days, 0))
    gift = Voucher.objects.filter(
        wallet__member=OuterRef("pk"),
        source=Voucher.Source.WELCOME,
        status=Voucher.Status.ACTIVE,
        expires_at__gt=now,
        expires_at__lte=horizon,
    ).order_by("expires_at")
    # Exists first: a semi-join the planner runs once, so that the voucher is looked up only
    # for the few members who have one (a scalar subquery alone runs once per member).
    return Member.objects.filter(Exists(gift)).annotate(occasion=_as_text(Subquery(gift.values("pk")[:1])))


def _qualifying_total(now: datetime) -> Coalesce:
    """The tiers' measure over the tier window (points, or whole kroner spent), per member,
    from the monthly sums the wallet keeps (rewards.services.tiers)."""
    first, last = window(now)
    column = "spend_ore" if config().program.tier_basis == PointsProgram.TierBasis.SPEND else "points"
    months = (
        QualifyingMonth.objects.filter(wallet__member=OuterRef("pk"), month__gte=first, month__lte=last)
        .order_by()
        .values("wallet")
        .annotate(total=Sum(column))
        .values("total")
    )
    total = Coalesce(Subquery(months), 0)
    return total / 100 if column == "spend_ore" else total


def _next_tier(flow: Flow, step: Campaign, now: datetime) -> QuerySet:
    """Within `points` of a tier above their own; the occasion is that tier and the month,
    so a member near the same tier hears of it once a month at most."""
    month = timezone.localdate(now).strftime("%Y-%m")
    whens, near = [], Q()
    tiers = list(Tier.objects.filter(threshold__gt=0).order_by("threshold"))
    for tier in tiers:
        close = Q(total__gte=tier.threshold - flow.points, total__lt=tier.threshold)
        near |= close
        whens.append(When(close, then=Value(f"{tier.pk}:{month}")))
    if not whens:
        return Member.objects.none()
    members = Member.objects.all()
    if tiers[0].threshold - flow.points > 0:  # a member with nothing in the window is near no tier
        first, last = window(now)
        members = members.filter(
            Exists(
                QualifyingMonth.objects.filter(
                    wallet__member=OuterRef("pk"), month__gte=first, month__lte=last
                )
            )
        )
    return (
        members.annotate(total=_qualifying_total(now))
        .filter(near)
        .annotate(occasion=Case(*whens, output_field=CharField()))
    )


def _tier_reached(flow: Flow, step: Campaign, now: datetime) -> QuerySet:
    """Moved up a tier in the last week (the tier history); the occasion is that change."""
    since = now - timedelta(days=step.delay_days + 7)
    if flow.only_from_now and flow.enabled_at:
        since = max(since, flow.enabled_at)
    up = TierChange.objects.filter(
        member=OuterRef("pk"),
        upgrade=True,
        changed_at__gte=since,
        changed_at__lte=now - timedelta(days=step.delay_days),
    ).order_by("-changed_at")
    return Member.objects.filter(Exists(up)).annotate(occasion=_as_text(Subquery(up.values("pk")[:1])))


def _tier_lapsing(flow: Flow, step: Campaign, now: datetime) -> QuerySet:
    """A tier that will not hold at its review in `days` (less the delay), at the rate so
    far: a soft landing before it goes. The occasion is the review date."""
    horizon = timezone.localdate(now) + timedelta(days=max(flow.days - step.delay_days, 0))
    return (
        Member.objects.filter(
            wallet__tier__isnull=False,
            wallet__tier_review_at__gt=timezone.localdate(now),
            wallet__tier_review_at__lte=horizon,
        )
        .annotate(total=_qualifying_total(now))
        .filter(total__lt=F("wallet__tier__threshold"))
        .annotate(occasion=_as_text("wallet__tier_review_at"))
    )


def _activation(flow: Flow, step: Campaign, now: datetime) -> QuerySet:
    """Joined `days` (+ the delay) ago and never used a benefit: no reward redeemed, no
    voucher used. Once; a week late it is skipped, as the welcome is."""
    due_if_joined_before = now - timedelta(days=flow.days + step.delay_days)
    used = Exists(Voucher.objects.filter(wallet__member=OuterRef("pk"), status=Voucher.Status.USED)) | Exists(
        LedgerEntry.objects.filter(wallet__member=OuterRef("pk"), kind=LedgerEntry.Kind.REDEEM)
    )
    return (
        Member.objects.filter(
            joined_at__lte=due_if_joined_before,
            joined_at__gt=due_if_joined_before - timedelta(days=WELCOME_LATE_DAYS),
        )
        .exclude(used)
        .annotate(occasion=Value("", output_field=CharField()))
    )


REFUND_KINDS = (LedgerEntry.Kind.REFUND, LedgerEntry.Kind.REVERSAL)


def _refunded_since(moment) -> Exists:
    return Exists(
        LedgerEntry.objects.filter(
            wallet__member=OuterRef("pk"), kind__in=REFUND_KINDS, created_at__gte=moment
        )
    )


def _nps(flow: Flow, step: Campaign, now: datetime) -> QuerySet:
    """A purchase in the last two days, no survey in the last `days` (90), no refund in the
    last 48 hours; the occasion is the purchase, whose shop the answer is counted for."""
    recent = LedgerEntry.objects.filter(
        wallet__member=OuterRef("pk"),
        kind=LedgerEntry.Kind.EARN,
        amount_ore__isnull=False,
        created_at__gte=now - timedelta(days=2 + step.delay_days),
        created_at__lte=now - timedelta(days=step.delay_days),
    ).order_by("-created_at")
    surveyed = Message.objects.filter(
        member=OuterRef("pk"),
        campaign__flow__kind=Flow.Kind.NPS,
        created_at__gte=now - timedelta(days=flow.days),
    )
    return (
        Member.objects.filter(Exists(recent))
        .exclude(Exists(surveyed))
        .exclude(_refunded_since(now - timedelta(hours=48)))
        .annotate(occasion=_as_text(Subquery(recent.values("pk")[:1])))
    )


def _promoter_invite(flow: Flow, step: Campaign, now: datetime) -> QuerySet:
    """Answered 9 or 10 `days` (2) ago, up to a week; not refunded since. The occasion is the
    answer: one invitation per promoter's answer."""
    answered = NpsAnswer.objects.filter(
        member=OuterRef("pk"),
        score__gte=9,
        answered_at__lte=now - timedelta(days=flow.days + step.delay_days),
        answered_at__gt=now - timedelta(days=flow.days + step.delay_days + 7),
    ).order_by("-answered_at")
    answer_at = Subquery(answered.values("answered_at")[:1])
    refunded_after = Exists(
        LedgerEntry.objects.filter(
            wallet__member=OuterRef("pk"), kind__in=REFUND_KINDS, created_at__gte=OuterRef("answer_at")
        )
    )
    return (
        Member.objects.filter(Exists(answered))
        .annotate(answer_at=answer_at)
        .exclude(refunded_after)
        .annotate(occasion=_as_text(Subquery(answered.values("pk")[:1])))
    )


def _membership_ending(*, trial: bool):
    """A paid membership's trial (or its paid period) that ends within `days` (7, less the
    step's delay), not cancelled: a service message, whatever the member's marketing choices
    (campaigns.sending.pipeline). The occasion is the end date: a renewal's next reminder is
    a year on."""

    def trigger(flow: Flow, step: Campaign, now: datetime) -> QuerySet:
        horizon = now + timedelta(days=max(flow.days - step.delay_days, 0))
        ending = Membership.objects.filter(
            member=OuterRef("pk"),
            cancelled_at=None,
            ends_at__gt=now,
            ends_at__lte=horizon,
            paid_from__isnull=trial,
        ).order_by("ends_at")
        if trial:
            ending = ending.filter(trial_started_at__isnull=False)
        return Member.objects.filter(Exists(ending)).annotate(
            occasion=_as_text(TruncDate(Subquery(ending.values("ends_at")[:1])))
        )

    return trigger


TRIGGERS = {
    Flow.Kind.WELCOME: _welcome,
    Flow.Kind.BIRTHDAY: _birthday,
    Flow.Kind.WIN_BACK: _win_back,
    Flow.Kind.POINTS_EXPIRING: _points_expiring,
    Flow.Kind.WELCOME_REMINDER: _welcome_gift,
    Flow.Kind.NEXT_TIER: _next_tier,
    Flow.Kind.TIER_REACHED: _tier_reached,
    Flow.Kind.TIER_LAPSING: _tier_lapsing,
    Flow.Kind.ANNIVERSARY: _anniversary,
    Flow.Kind.ACTIVATION: _activation,
    Flow.Kind.NPS: _nps,
    Flow.Kind.PROMOTER_INVITE: _promoter_invite,
    Flow.Kind.TRIAL_ENDING: _membership_ending(trial=True),
    Flow.Kind.RENEWAL: _membership_ending(trial=False),
}


TRIGGER_BATCH = 50_000  # (member id, occasion) pairs in memory at a time: a few MB


def entering(flow: Flow, step: Campaign, now: datetime) -> Iterator[tuple[int, str]]:
    """(member id, occasion) of those who enter `step` now and have not for that occasion,
    by member. A trigger gives Members, or ledger rows grouped by `member_id` (erased members
    left out). A batch of members at a time (clubsite.batches), two queries each: who the
    trigger meets, and which of those the step has already entered for that occasion; the
    difference is who enters. (The ledger triggers' occasion is an aggregate, which the ORM
    cannot compare inside a NOT EXISTS.)"""
    found = TRIGGERS[flow.kind](flow, step, now)
    if found.model is Member:
        found = found.filter(erased_at=None).annotate(member_id=F("pk"))
    # Large batches: a trigger that groups the ledger aggregates again for each one.
    for batch in in_batches(found.values_list("member_id", "occasion"), key="member_id", size=TRIGGER_BATCH):
        met = set(batch)
        done = Message.objects.filter(
            campaign=step,
            occasion__in={occasion for _member, occasion in met},
            member_id__gte=batch[0][0],
            member_id__lte=batch[-1][0],
        ).values_list("member_id", "occasion")
        yield from sorted(met - set(done))
