"""Who enters a flow's step now, and for which occasion: one query per step, on Member,
never a loop over the members (issue 16).

Each trigger returns the members as a queryset annotated with `occasion`, the text that
makes "once per occasion" (the unique Message row): "" for the welcome (once ever), the
birthday's year, the date of the last purchase before a lapse, the date points expire.
Members who already have the step's message for that occasion are left out, so that a tick
reads only what is new.
"""

from __future__ import annotations

import calendar
from datetime import date, datetime, timedelta

from django.db.models import Case, CharField, Exists, Max, Min, OuterRef, Q, QuerySet, Subquery, Value, When
from django.db.models.functions import Cast, TruncDate
from django.utils import timezone

from campaigns.models import Campaign, Flow, Message
from members.models import Member
from rewards.models import LedgerEntry

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


def _birthday(flow: Flow, step: Campaign, now: datetime) -> QuerySet:
    """Birthdays in this week (Monday to Sunday), entered `delay_days` into the week; born on
    29 February: the 28th in other years. The occasion is the year of the birthday."""
    days = _this_week(now - timedelta(days=step.delay_days))
    whens, matches = [], Q()
    for day in days:
        on_day = Q(birthday__month=day.month, birthday__day=day.day)
        if (day.month, day.day) == (2, 28) and not calendar.isleap(day.year):
            on_day |= Q(birthday__month=2, birthday__day=29)
        matches |= on_day
        whens.append(When(on_day, then=Value(str(day.year))))
    return Member.objects.filter(matches).annotate(occasion=Case(*whens, output_field=CharField()))


def _last_purchase() -> Subquery:
    purchases = (
        LedgerEntry.objects.filter(
            wallet__member=OuterRef("pk"), kind=LedgerEntry.Kind.EARN, amount_ore__isnull=False
        )
        .order_by()
        .values("wallet__member")
        .annotate(last=Max("created_at"))
        .values("last")
    )
    return Subquery(purchases)


def _win_back(flow: Flow, step: Campaign, now: datetime) -> QuerySet:
    """No purchase for `days` (+ the step's delay); once per lapse: the occasion is the date
    of the last purchase, so buying again and lapsing again is a new occasion."""
    lapsed_since = now - timedelta(days=flow.days + step.delay_days)
    members = Member.objects.annotate(last_purchase=_last_purchase()).filter(last_purchase__lte=lapsed_since)
    if flow.only_from_now and flow.enabled_at:
        members = members.filter(last_purchase__gte=flow.enabled_at - timedelta(days=flow.days))
    return members.annotate(occasion=_as_text(TruncDate("last_purchase")))


def _points_expiring(flow: Flow, step: Campaign, now: datetime) -> QuerySet:
    """Unspent points that expire within `days` (less the step's delay); the occasion is the
    first expiry date."""
    first_expiry = (
        LedgerEntry.objects.filter(wallet__member=OuterRef("pk"), remaining__gt=0, expires_at__gt=now)
        .order_by()
        .values("wallet__member")
        .annotate(first=Min("expires_at"))
        .values("first")
    )
    horizon = now + timedelta(days=max(flow.days - step.delay_days, 0))
    return (
        Member.objects.annotate(first_expiry=Subquery(first_expiry))
        .filter(first_expiry__lte=horizon)
        .annotate(occasion=_as_text(TruncDate("first_expiry")))
    )


TRIGGERS = {
    Flow.Kind.WELCOME: _welcome,
    Flow.Kind.BIRTHDAY: _birthday,
    Flow.Kind.WIN_BACK: _win_back,
    Flow.Kind.POINTS_EXPIRING: _points_expiring,
}


def entering(flow: Flow, step: Campaign, now: datetime) -> QuerySet:
    """(member id, occasion) of those who enter `step` now and have not for that occasion."""
    already = Message.objects.filter(campaign=step, member=OuterRef("pk"), occasion=OuterRef("occasion"))
    return (
        TRIGGERS[flow.kind](flow, step, now)
        .filter(erased_at=None)
        .exclude(Exists(already))
        .values_list("pk", "occasion")
        .order_by("pk")
    )
