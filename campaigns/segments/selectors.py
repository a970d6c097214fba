"""Who is in a segment: its members, how many (and how many can be reached), a sample.

Each works on a match rule and condition rows, saved or not, so that the owner's form can be
counted while it is being edited.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from campaigns.models import Segment, SegmentCondition
from campaigns.segments.conditions import condition_q
from members.models import ConsentEvent, Member
from members.selectors import reachable

SAMPLE_SIZE = 20


@dataclass(frozen=True)
class SegmentCount:
    members: int
    email: int  # of them, reachable by e-mail now
    sms: int  # of them, reachable by SMS now


def segment_filter(match: str, conditions: Iterable[SegmentCondition], now: datetime | None = None) -> Q:
    """The segment as one Q on Member; no conditions means every member."""
    now = now or timezone.now()
    parts = [condition_q(condition, now) for condition in conditions]
    combined = Q()
    for part in parts:
        combined = (combined | part) if match == Segment.Match.ANY and combined else (combined & part)
    return combined


def segment_members(
    match: str, conditions: Iterable[SegmentCondition], now: datetime | None = None
) -> QuerySet[Member]:
    # distinct(): a condition across a many-to-many (interests) may meet a member twice.
    return Member.objects.filter(erased_at=None).filter(segment_filter(match, conditions, now)).distinct()


def segment_count(
    match: str, conditions: Iterable[SegmentCondition], now: datetime | None = None
) -> SegmentCount:
    """Members, and of them those reachable by e-mail and by SMS now: one query."""
    members = Member.objects.filter(pk__in=segment_members(match, conditions, now).values("pk"))
    row = members.aggregate(
        members=Count("pk"),
        email=Count("pk", filter=reachable(ConsentEvent.Channel.EMAIL)),
        sms=Count("pk", filter=reachable(ConsentEvent.Channel.SMS)),
    )
    return SegmentCount(row["members"], row["email"], row["sms"])


def segment_sample(
    match: str, conditions: Iterable[SegmentCondition], now: datetime | None = None, size: int = SAMPLE_SIZE
) -> list[Member]:
    """The segment's newest members, with what the owner recognises them by."""
    members = segment_members(match, conditions, now).select_related("user", "wallet__tier")
    return list(members.order_by("-joined_at", "-pk")[:size])


# --- Segments as the groups a challenge may be restricted to (rewards.registry.audiences)

AUDIENCE_PREFIX = "segment:"


def audience_choices() -> list[tuple[str, str]]:
    return [(f"{AUDIENCE_PREFIX}{pk}", name) for pk, name in Segment.objects.values_list("pk", "name")]


def audience_contains(key: str, member: Member) -> bool | None:
    """Whether the member is in the segment now (None: not a segment's key)."""
    if not key.startswith(AUDIENCE_PREFIX) or not key.removeprefix(AUDIENCE_PREFIX).isdigit():
        return None
    segment = Segment.objects.filter(pk=int(key.removeprefix(AUDIENCE_PREFIX))).first()
    if segment is None:
        return False  # deleted: the challenge is for nobody until the owner picks another
    return segment_members(segment.match, segment.conditions.all()).filter(pk=member.pk).exists()
