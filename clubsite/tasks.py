"""The webhooks' tasks: thin, each calls one service (clubsite.webhooks.services)."""

from celery import shared_task

from clubsite.webhooks.services import deliveries_attempt_due, delivery_attempt, events_prune


@shared_task
def webhook_deliver(delivery_id: int) -> None:
    delivery_attempt(delivery_id=delivery_id)


@shared_task
def webhooks_due() -> int:
    return deliveries_attempt_due()


@shared_task
def webhooks_prune() -> int:
    return events_prune()
