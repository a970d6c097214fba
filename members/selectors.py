"""Queries used in more than one place."""

from __future__ import annotations

from django.db.models import BooleanField, OuterRef, Q, Subquery, Value
from django.db.models.functions import Coalesce

from members.models import ConsentEvent, Member


def consent_current(member: Member, purpose: str = ConsentEvent.Purpose.MARKETING) -> dict[str, bool]:
    """The member's current consent per channel: the latest event for each channel wins.

    Channels with no event at all are absent (never asked means no consent).
    """
    current: dict[str, bool] = {}
    events = (
        ConsentEvent.objects.filter(member=member, purpose=purpose)
        .order_by("channel", "-created_at", "-id")
        .values_list("channel", "granted")
    )
    for channel, granted in events:
        current.setdefault(channel, granted)
    return current


def consent_given(channel: str, purpose: str = ConsentEvent.Purpose.MARKETING) -> Coalesce:
    """A boolean expression on Member: the member's latest choice for `channel` is yes (no
    choice at all is no, not SQL's unknown, so that ~Q(...) of it is true). For filter() and
    Count(filter=...), one subquery per member row."""
    latest = (
        ConsentEvent.objects.filter(member=OuterRef("pk"), purpose=purpose, channel=channel)
        .order_by("-created_at", "-id")
        .values("granted")[:1]
    )
    return Coalesce(Subquery(latest, output_field=BooleanField()), Value(False))


def reachable(channel: str) -> Q:
    """Members a marketing message could reach on `channel` now: an address for it, their
    latest consent for it given, marketing not paused, not erased."""
    address = Q(user__email__isnull=False) & ~Q(user__email="")
    if channel == ConsentEvent.Channel.SMS:
        address = Q(user__phone__isnull=False) & ~Q(user__phone="")
    return address & Q(consent_given(channel)) & Q(marketing_paused=False, erased_at=None)
