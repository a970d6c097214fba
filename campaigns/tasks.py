"""The sending pipeline's Celery tasks: thin, ids in, each safe to run twice.

`campaigns_run` is beat's, every minute: it starts what is due and hands out batches of
claimed message ids to `messages_deliver`. `flows_tick`, every ten minutes, enters members
into the steps of the flows that are on (their messages go out with the next run). Nothing
waits in the broker: a message due later (scheduled, or waiting out quiet hours) waits in
the database, in `due_at`.
"""

from collections import Counter

from celery import shared_task
from django.utils import timezone

from campaigns.flows.services import flows_enter
from campaigns.sending import pipeline


@shared_task
def campaigns_run() -> int:
    return pipeline.campaigns_run(now=timezone.now(), hand_out=messages_deliver.delay)


@shared_task(acks_late=True)
def messages_deliver(ids: list[int]) -> dict[str, int]:
    return dict(Counter(pipeline.messages_deliver(ids=ids)))


@shared_task
def flows_tick() -> int:
    return flows_enter(now=timezone.now())


@shared_task
def rollups_update() -> int:
    """The dashboard's daily rollups, from their watermark (safe to run twice, or at once)."""
    from campaigns.insights.rollups import ledger_roll_up

    return ledger_roll_up()


@shared_task
def dashboard_keep_counted() -> int:
    """The default period's member-level figures, counted again for every shop."""
    from campaigns.insights.snapshots import keep_default_counted

    return keep_default_counted()


@shared_task
def dashboard_count(first: str, last: str, location_id: int | None) -> None:
    """A period's member-level figures, counted because a visit found them old."""
    from campaigns.insights.snapshots import count_in_background

    count_in_background(first, last, location_id)


@shared_task
def detractor_notify(answer_id: int) -> int:
    """Tell the owners of a detractor's answer (within the day, as the guides ask)."""
    from campaigns.nps import detractor_mail

    return detractor_mail(answer_id=answer_id)
