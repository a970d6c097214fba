"""Queries used in more than one place."""

from __future__ import annotations

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
