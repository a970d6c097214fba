"""Switching a flow on and off, and the beat task's tick that enters members into its steps."""

from __future__ import annotations

import itertools
from datetime import datetime

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from campaigns.flows.triggers import entering
from campaigns.models import Campaign, Flow, Message
from campaigns.sending.pipeline import row_maker

ENTER_BATCH = 2000
# The days a flow starts with: win-back after 30 days away, points 14 days before they go,
# the welcome gift 2 days before, a tier 30 days before its review, activation at 14 days.
DEFAULT_DAYS = {
    Flow.Kind.WIN_BACK: 30,
    Flow.Kind.POINTS_EXPIRING: 14,
    Flow.Kind.WELCOME_REMINDER: 2,
    Flow.Kind.TIER_LAPSING: 30,
    Flow.Kind.ACTIVATION: 14,
    Flow.Kind.NPS: 90,
    Flow.Kind.PROMOTER_INVITE: 2,
    Flow.Kind.TRIAL_ENDING: 7,
    Flow.Kind.RENEWAL: 7,
}


def flows_ensure() -> None:
    """One flow of each kind, switched off (idempotent)."""
    for kind in Flow.Kind:
        Flow.objects.get_or_create(kind=kind, defaults={"days": DEFAULT_DAYS.get(kind, 0)})


def flow_switch(*, flow: Flow, on: bool, now: datetime | None = None) -> None:
    """On: its steps send from now (and "only from now on" counts from here). Off: its steps
    pause and the messages not yet sent are dropped: a birthday greeting switched back on a
    month later would come at the wrong time."""
    now = now or timezone.now()
    with transaction.atomic():
        changed = Flow.objects.filter(pk=flow.pk, enabled=not on).update(
            enabled=on, **({"enabled_at": now} if on else {})
        )
        flow.refresh_from_db()
        flow_steps_sync(flow=flow)
        if changed and not on:
            Message.objects.filter(campaign__flow=flow, status=Message.Status.QUEUED).update(
                status=Message.Status.SUPPRESSED, reason=Message.Reason.CANCELLED
            )


def flow_steps_sync(*, flow: Flow) -> None:
    """A flow's steps send while it is on, wait while it is off (new steps included)."""
    status = Campaign.Status.SENDING if flow.enabled else Campaign.Status.PAUSED
    flow.steps.exclude(status=Campaign.Status.CANCELLED).update(status=status, started_at=flow.enabled_at)


def flows_enter(*, now: datetime | None = None) -> int:
    """Write a queued message for every member who enters a step now (those in the step's
    holdout as not sent, the others in their variant); return how many were read to enter.
    The unique (step, member, occasion) makes a second tick, or two at once, write nothing
    twice."""
    now = now or timezone.now()
    written = 0
    for flow in Flow.objects.filter(enabled=True):
        # A step without its Norwegian text (every member's fallback) waits until it has one.
        steps = flow.steps.filter(status=Campaign.Status.SENDING, contents__language=settings.LANGUAGE_CODE)
        for step in steps:
            rows, row = iter(entering(flow, step, now)), row_maker(step, now)
            while batch := list(itertools.islice(rows, ENTER_BATCH)):
                messages = [row(pk, occasion) for pk, occasion in batch]
                written += len(Message.objects.bulk_create(messages, ignore_conflicts=True))
    return written
