"""What each kind of segment condition needs and means: a Q on Member, never a loop.

A kind lists the values it needs (the other columns of the row stay empty) and builds its Q
from them at a moment `now`, so that a segment means the same whether it is counted while
editing or read when a campaign goes out. Members who were erased are never in a segment.
"""

from __future__ import annotations

import calendar
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db.models import Count, Exists, F, OuterRef, Q, Subquery, Sum
from django.db.models.functions import Coalesce
from django.db.models.lookups import Exact, GreaterThanOrEqual, LessThanOrEqual
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from campaigns.models import SegmentCondition
from campaigns.segments import rfm
from members.models import ConsentEvent
from members.selectors import consent_given
from referrals.models import Referral
from rewards.models import LedgerEntry, Membership, MemberStampCard, Visit, Voucher

Kind = SegmentCondition.Kind
AT_LEAST = SegmentCondition.Comparison.AT_LEAST

YES_NO = [("yes", _("yes")), ("no", _("no"))]
MONTHS = [(str(m), _(calendar.month_name[m])) for m in range(1, 13)]


@dataclass(frozen=True)
class ConditionKind:
    needs: tuple[str, ...]  # the row's columns this kind reads; all required
    build: Callable[[SegmentCondition, datetime], Q]
    choices: list[tuple[str, str]] | None = None  # the values allowed in `choice`


def _compare(lookup: str, condition: SegmentCondition, value) -> Q:
    op = "gte" if condition.comparison == AT_LEAST else "lte"
    return Q(**{f"{lookup}__{op}": value})


def _purchases(since: datetime):
    return LedgerEntry.objects.filter(
        wallet__member=OuterRef("pk"),
        kind=LedgerEntry.Kind.EARN,
        amount_ore__isnull=False,
        created_at__gte=since,
    )


def _last_seen(c: SegmentCondition, now: datetime) -> Q:
    # "At least N days since" includes those never seen; "at most N days" needs a recent one.
    since = now - timedelta(days=c.number)
    seen = Exists(Visit.objects.filter(member=OuterRef("pk"), started_at__gte=since)) | Exists(
        _purchases(since)
    )
    return ~Q(seen) if c.comparison == AT_LEAST else Q(seen)


def _per_member(figures, c: SegmentCondition, number: int) -> Q:
    """A per-member figure from a correlated subquery, compared; a member without rows has 0."""
    figure = Coalesce(Subquery(figures.values("figure")[:1]), 0)
    compare = GreaterThanOrEqual if c.comparison == AT_LEAST else LessThanOrEqual
    return Q(compare(figure, number))


def _purchase_count(c: SegmentCondition, now: datetime) -> Q:
    purchases = _purchases(now - timedelta(days=c.days)).order_by().values("wallet__member")
    return _per_member(purchases.annotate(figure=Count("pk")), c, c.number)


def _spend(c: SegmentCondition, now: datetime) -> Q:
    spent = (
        LedgerEntry.objects.filter(
            wallet__member=OuterRef("pk"), qualifying=True, created_at__gte=now - timedelta(days=c.days)
        )
        .order_by()
        .values("wallet__member")
        .annotate(figure=Sum("amount_ore"))
    )
    return _per_member(spent, c, c.number * 100)


def _expiring(c: SegmentCondition, now: datetime) -> Q:
    return Q(
        Exists(
            LedgerEntry.objects.filter(
                wallet__member=OuterRef("pk"),
                remaining__gt=0,
                expires_at__gt=now,
                expires_at__lte=now + timedelta(days=c.days),
            )
        )
    )


def _stamps(c: SegmentCondition, now: datetime) -> Q:
    stamps = MemberStampCard.objects.filter(wallet__member=OuterRef("pk"), card=c.card_id)
    return _per_member(stamps.annotate(figure=F("stamps")), c, c.number)


def _birthday_soon(c: SegmentCondition, now: datetime) -> Q:
    """Birthdays from today through N days on, across the new year, by month and day ranges
    (at most 13 of them); 29 February counts on 28 February in other years."""
    today = timezone.localdate(now)
    last = today + timedelta(days=min(c.days, 366))
    q = Q()
    start = today
    while start <= last:
        end = min(date(start.year, start.month, calendar.monthrange(start.year, start.month)[1]), last)
        q |= Q(birthday__month=start.month, birthday__day__gte=start.day, birthday__day__lte=end.day)
        if start.month == 2 and end.day == 28 and not calendar.isleap(start.year):
            q |= Q(birthday__month=2, birthday__day=29)
        start = end + timedelta(days=1)
    return q


def _last_shop(c: SegmentCondition, now: datetime) -> Q:
    latest = Visit.objects.filter(member=OuterRef("pk")).order_by("-started_at", "-pk").values("location")[:1]
    return Q(Exact(Subquery(latest), c.location_id))


def _language(c: SegmentCondition, now: datetime) -> Q:
    q = Q(language=c.choice)
    return q | Q(language="") if c.choice == settings.LANGUAGE_CODE else q


def _yes_no(exists: Callable[[], Exists]) -> Callable[[SegmentCondition, datetime], Q]:
    return lambda c, now: Q(exists(now)) if c.choice == "yes" else ~Q(exists(now))


def _unused_voucher(now: datetime) -> Exists:
    return Exists(
        Voucher.objects.filter(
            wallet__member=OuterRef("pk"), status=Voucher.Status.ACTIVE, expires_at__gt=now
        )
    )


def _referred(now: datetime) -> Exists:
    return Exists(Referral.objects.filter(friend=OuterRef("pk")))


def _referrer(now: datetime) -> Exists:
    return Exists(Referral.objects.filter(referrer=OuterRef("pk")))


def _paid_member(now: datetime) -> Exists:
    return Exists(Membership.objects.filter(member=OuterRef("pk"), starts_at__lte=now, ends_at__gt=now))


KINDS: dict[str, ConditionKind] = {
    Kind.RFM: ConditionKind(
        ("choice",), lambda c, now: rfm.member_in_class(c.choice, now), rfm.CLASS_CHOICES
    ),
    Kind.LAST_SEEN: ConditionKind(("comparison", "number"), _last_seen),
    Kind.PURCHASES: ConditionKind(("comparison", "number", "days"), _purchase_count),
    Kind.SPEND: ConditionKind(("comparison", "number", "days"), _spend),
    Kind.TIER: ConditionKind(("tier",), lambda c, now: Q(wallet__tier=c.tier_id)),
    Kind.POINTS: ConditionKind(
        ("comparison", "number"), lambda c, now: _compare("wallet__balance", c, c.number)
    ),
    Kind.EXPIRING: ConditionKind(("days",), _expiring),
    Kind.STAMPS: ConditionKind(("card", "comparison", "number"), _stamps),
    Kind.BIRTHDAY_SOON: ConditionKind(("days",), _birthday_soon),
    Kind.BIRTHDAY_MONTH: ConditionKind(("choice",), lambda c, now: Q(birthday__month=int(c.choice)), MONTHS),
    Kind.JOINED: ConditionKind(
        ("comparison", "number"),
        # At least N days since joining = joined on or before now - N.
        lambda c, now: (
            Q(joined_at__lte=now - timedelta(days=c.number))
            if c.comparison == AT_LEAST
            else Q(joined_at__gte=now - timedelta(days=c.number))
        ),
    ),
    Kind.LAST_SHOP: ConditionKind(("location",), _last_shop),
    # The shop the dashboard counts the member in (members.services.home).
    Kind.HOME_SHOP: ConditionKind(("location",), lambda c, now: Q(home_location=c.location_id)),
    Kind.LANGUAGE: ConditionKind(("choice",), _language, settings.LANGUAGES),
    Kind.INTEREST: ConditionKind(("interest",), lambda c, now: Q(interests=c.interest_id)),
    Kind.VOUCHER: ConditionKind(("choice",), _yes_no(_unused_voucher), YES_NO),
    Kind.REFERRED: ConditionKind(("choice",), _yes_no(_referred), YES_NO),
    Kind.REFERRER: ConditionKind(("choice",), _yes_no(_referrer), YES_NO),
    Kind.PAID_MEMBER: ConditionKind(("choice",), _yes_no(_paid_member), YES_NO),
    Kind.CONSENT: ConditionKind(
        ("choice",), lambda c, now: Q(consent_given(c.choice)), list(ConsentEvent.Channel.choices)
    ),
}
VALUES = ("comparison", "number", "days", "choice", "tier", "card", "location", "interest")


def validate(condition: SegmentCondition) -> None:
    """Each value the kind needs is given and allowed; a value it does not read is refused, so
    that the row says exactly what it means."""
    kind = KINDS.get(condition.kind)
    if kind is None:
        raise ValidationError({"kind": _("Choose a condition.")})
    errors = {}
    for name in VALUES:
        given = getattr(condition, f"{name}_id" if name in ("tier", "card", "location", "interest") else name)
        if name in kind.needs and given in (None, ""):
            errors[name] = _("This condition needs a value here.")
        elif name not in kind.needs and given not in (None, ""):
            errors[name] = _("This condition does not use this value: leave it empty.")
    if "choice" in kind.needs and condition.choice and condition.choice not in dict(kind.choices):
        allowed = ", ".join(str(label) for _value, label in kind.choices)
        errors["choice"] = _("Choose one of: %(allowed)s.") % {"allowed": allowed}
    if errors:
        raise ValidationError(errors)


def condition_q(condition: SegmentCondition, now: datetime) -> Q:
    return KINDS[condition.kind].build(condition, now)


def describe(condition: SegmentCondition) -> str:
    parts = [str(condition.get_kind_display())]
    if condition.comparison:
        parts.append(str(condition.get_comparison_display()))
    for name in ("number", "days"):
        if getattr(condition, name) is not None:
            parts.append(str(getattr(condition, name)))
    kind = KINDS.get(condition.kind)
    if condition.choice:
        parts.append(
            str(dict(kind.choices if kind and kind.choices else []).get(condition.choice, condition.choice))
        )
    for name in ("tier", "card", "location", "interest"):
        if getattr(condition, f"{name}_id"):
            parts.append(str(getattr(condition, name)))
    return " ".join(parts)
