"""A flow with Norwegian steps, switched on at a set moment, and a tick of beat at another."""

from __future__ import annotations

from datetime import datetime

from django.utils import timezone

from campaigns.flows.services import flow_switch, flows_enter
from campaigns.models import Campaign, CampaignContent, Flow
from campaigns.sending import pipeline


def oslo(*args) -> datetime:
    return timezone.make_aware(datetime(*args))


def flow_on(kind: str, *delays: int, at: datetime, **settings) -> tuple[Flow, list[Campaign]]:
    flow = Flow.objects.get(kind=kind)
    for name, value in settings.items():
        setattr(flow, name, value)
    flow.save()
    steps = []
    for delay in delays or (0,):
        step = Campaign.objects.create(
            name=f"{kind} dag {delay}", flow=flow, delay_days=delay, channel="email"
        )
        CampaignContent.objects.create(
            campaign=step,
            language="nb",
            subject=f"Hei {{first_name}} ({delay})",
            body="Du har {points} poeng.",
        )
        steps.append(step)
    flow_switch(flow=flow, on=True, now=at)
    for step in steps:
        step.refresh_from_db()  # sending since `at`
    return flow, steps


def tick(now: datetime) -> int:
    """Beat's flows tick, then the pipeline's run, both at `now`; returns how many entered."""
    entered = flows_enter(now=now)
    pipeline.campaigns_run(now=now, hand_out=lambda ids: pipeline.messages_deliver(ids=ids, now=now))
    return entered
