"""Recording events and delivering them: signed per Standard Webhooks, retried with backoff.

A delivery is written (one per endpoint and event, unique) before anything is sent; each try
is an Attempt row. The first try is queued after commit; retries wait in `next_attempt_at`,
which beat polls every minute (no Celery countdown). A 2xx delivers; a 410 turns the endpoint
off; anything else (another status, a timeout, a refused connection) tries again later, for
about three days; an endpoint where a delivery failed all its tries, with nothing getting
through meanwhile, is turned off.
"""

from __future__ import annotations

import json
import random
import time
import uuid
from datetime import datetime, timedelta

import requests
from celery import current_task
from django.core.cache import cache
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from standardwebhooks import Webhook

from clubsite.webhooks.models import Attempt, Delivery, Disabled, Endpoint, Event

TIMEOUT_SECONDS = 15
# Waits after each failed try: about three days in all (71 h 35 min), then it is given up.
BACKOFF = [
    timedelta(seconds=5),
    timedelta(minutes=5),
    timedelta(minutes=30),
    timedelta(hours=2),
    timedelta(hours=5),
    timedelta(hours=10),
    timedelta(hours=14),
    timedelta(hours=20),
    timedelta(hours=20),
]
CLAIM = timedelta(seconds=TIMEOUT_SECONDS * 4)
KEEP_FOR = timedelta(days=30)
STORED_RESPONSE = 2000


LISTENING = "webhooks:listening"


def _listening() -> dict[str, list[int]]:
    """{event type: ids of the active endpoints that hear it}, from the cache: every purchase
    asks, and the till's statements are counted (tests/counter/test_query_budget.py)."""
    found = cache.get(LISTENING)
    if found is None:
        found = {}
        for pk, events in Endpoint.objects.filter(is_active=True).values_list("pk", "events"):
            for event_type in events or []:
                found.setdefault(event_type, []).append(pk)
        cache.set(LISTENING, found, timeout=300)  # the timeout only covers edits made elsewhere
    return found


def listened(event_type: str) -> bool:
    """Whether any endpoint hears this type: asked first, so that an event nobody hears
    costs no query to describe it."""
    return bool(_listening().get(event_type))


def endpoints_changed() -> None:
    """Call after any change to an endpoint's events or state (admin, the services here)."""
    transaction.on_commit(lambda: cache.delete(LISTENING))


def event_record(
    *, type: str, source: str, member_id: int | None, data: dict, other_member_id: int | None = None
) -> Event | None:
    """Record that something happened and queue a delivery to each active endpoint that hears
    it. Nothing is stored when no endpoint listens. The same source twice makes one event."""
    endpoint_ids = _listening().get(type)
    if not endpoint_ids:
        return None
    now = timezone.now()
    payload = {"type": type, "timestamp": now.isoformat(), "data": data}
    try:
        with transaction.atomic():
            event = Event.objects.create(
                msg_id=f"msg_{uuid.uuid4().hex}",
                type=type,
                source=source,
                member_id=member_id,
                other_member_id=other_member_id,
                payload=payload,
                created_at=now,
            )
            deliveries = Delivery.objects.bulk_create(
                Delivery(endpoint_id=pk, event=event, next_attempt_at=now, created_at=now)
                for pk in endpoint_ids
            )
            for delivery in deliveries:
                transaction.on_commit(lambda pk=delivery.pk: send_soon(pk))
    except IntegrityError:
        return Event.objects.get(source=source)  # heard twice: the first one stands
    return event


def send_soon(delivery_id: int) -> None:
    from clubsite import tasks

    # Celery's eager mode (`make run`, tests) breaks when a task is queued from inside another
    # eager task (a referral paid by the hourly task); there we are off the request's path
    # already, so the first try is made in place.
    if current_task and current_task.request.is_eager:
        delivery_attempt(delivery_id=delivery_id)
    else:
        tasks.webhook_deliver.delay(delivery_id)


def body_of(event: Event) -> bytes:
    return json.dumps(event.payload, separators=(",", ":"), ensure_ascii=False).encode()


def signed_headers(endpoint: Endpoint, event: Event, body: bytes, now: datetime) -> dict:
    signatures = [Webhook(secret).sign(event.msg_id, now, body) for secret in endpoint.secrets_now(now)]
    return {
        "content-type": "application/json",
        "user-agent": "Lojal-Webhooks/1",
        "webhook-id": event.msg_id,
        "webhook-timestamp": str(int(now.timestamp())),
        # Several during a rotation, space-separated: the receiver accepts any one of them.
        "webhook-signature": " ".join(signatures),
    }


def _claim(delivery_id: int, now: datetime) -> Delivery | None:
    """Take a due delivery for one try, by compare-and-set: two workers never send it at once."""
    due = Q(
        pk=delivery_id, status=Delivery.Status.PENDING, endpoint__is_active=True, next_attempt_at__lte=now
    )
    free = Q(claimed_until__isnull=True) | Q(claimed_until__lt=now)
    if not Delivery.objects.filter(due & free).update(claimed_until=now + CLAIM):
        return None
    return Delivery.objects.select_related("endpoint", "event").get(pk=delivery_id)


def delivery_attempt(*, delivery_id: int, now: datetime | None = None) -> Attempt | None:
    """One try at a delivery, if it is due and nobody else is trying it. The HTTP call is made
    outside any transaction; its outcome is written afterwards."""
    now = now or timezone.now()
    delivery = _claim(delivery_id, now)
    if delivery is None:
        return None
    endpoint, event = delivery.endpoint, delivery.event
    body = body_of(event)
    headers = signed_headers(endpoint, event, body, now)
    attempt = Attempt(delivery=delivery, request_headers=headers, request_body=body.decode(), created_at=now)
    started = time.monotonic()
    try:
        response = requests.post(
            endpoint.url, data=body, headers=headers, timeout=TIMEOUT_SECONDS, allow_redirects=False
        )
        attempt.status_code = response.status_code
        attempt.response_body = response.text[:STORED_RESPONSE]
    except requests.RequestException as error:
        attempt.error = f"{type(error).__name__}: {error}"[:300]
    attempt.duration_ms = int((time.monotonic() - started) * 1000)
    _record(delivery, attempt, now)
    return attempt


@transaction.atomic
def _record(delivery: Delivery, attempt: Attempt, now: datetime) -> None:
    attempt.save()
    endpoint = Endpoint.objects.select_for_update().get(pk=delivery.endpoint_id)
    delivery.attempts += 1
    delivery.claimed_until = None
    if attempt.succeeded:
        delivery.status, delivery.delivered_at, delivery.next_attempt_at = (
            Delivery.Status.DELIVERED,
            now,
            None,
        )
        endpoint.failing_since = None
    elif attempt.status_code == 410:
        delivery.status, delivery.next_attempt_at = Delivery.Status.FAILED, None
        _turn_off(endpoint, Disabled.GONE)
    else:
        endpoint.failing_since = endpoint.failing_since or now
        if delivery.attempts <= len(BACKOFF):
            delivery.next_attempt_at = now + _with_jitter(BACKOFF[delivery.attempts - 1])
        else:
            delivery.status, delivery.next_attempt_at = Delivery.Status.FAILED, None
            # Every try of this delivery failed, about three days of them, and nothing got
            # through to this endpoint meanwhile: it is gone or broken, so stop sending.
            if endpoint.failing_since <= delivery.attempt_log.earliest("created_at").created_at:
                _turn_off(endpoint, Disabled.FAILING)
    delivery.save(update_fields=["attempts", "claimed_until", "status", "delivered_at", "next_attempt_at"])
    endpoint.save(update_fields=["failing_since", "is_active", "disabled_reason"])


def _with_jitter(wait: timedelta) -> timedelta:
    # ±10 %, so that deliveries that failed together (an outage) do not all come back at once.
    return wait * random.uniform(0.9, 1.1)


def _turn_off(endpoint: Endpoint, reason: str) -> None:
    endpoint.is_active, endpoint.disabled_reason = False, reason
    endpoints_changed()


def deliveries_attempt_due(*, now: datetime | None = None, limit: int = 200) -> int:
    """Beat's job: try each delivery whose time has come. Returns how many were tried."""
    now = now or timezone.now()
    due = (
        Delivery.objects.filter(
            status=Delivery.Status.PENDING, endpoint__is_active=True, next_attempt_at__lte=now
        )
        .order_by("next_attempt_at")
        .values_list("pk", flat=True)[:limit]
    )
    return sum(1 for pk in list(due) if delivery_attempt(delivery_id=pk, now=now))


def delivery_send_again(*, delivery: Delivery) -> None:
    """The owner's "send again": one more try now, whatever happened before (the receiver
    drops a message it already had by its webhook-id)."""
    Delivery.objects.filter(pk=delivery.pk).update(
        status=Delivery.Status.PENDING, next_attempt_at=timezone.now(), claimed_until=None
    )
    transaction.on_commit(lambda: send_soon(delivery.pk))


def endpoint_turn_on(*, endpoint: Endpoint) -> None:
    """The owner turns an endpoint on again; what waited is tried at the next minute."""
    Endpoint.objects.filter(pk=endpoint.pk).update(is_active=True, disabled_reason="", failing_since=None)
    endpoints_changed()


def endpoint_rotate_secret(*, endpoint: Endpoint, overlap: timedelta = timedelta(hours=24)) -> str:
    """A new signing secret; the old one signs too for `overlap`, while the receiver switches."""
    from clubsite.webhooks.models import new_secret

    endpoint.previous_secret, endpoint.previous_until = endpoint.secret, timezone.now() + overlap
    endpoint.secret = new_secret()
    endpoint.save(update_fields=["secret", "previous_secret", "previous_until"])
    return endpoint.secret


def member_scrub(*, member_id: int) -> int:
    """An erased member's stored events (and the copies sent) keep no personal data: each
    member block about them becomes {"id", "erased": true}. Runs inside the erasure."""
    events = Event.objects.filter(Q(member_id=member_id) | Q(other_member_id=member_id))
    for event in events:
        event.payload = _scrubbed(event.payload, member_id)
        event.save(update_fields=["payload"])
        Attempt.objects.filter(delivery__event=event).update(request_body=body_of(event).decode())
    return len(events)


def _scrubbed(value, member_id: int):
    if isinstance(value, dict):
        if value.get("id") == member_id and "number" in value:
            return {"id": member_id, "erased": True}
        return {k: _scrubbed(v, member_id) for k, v in value.items()}
    if isinstance(value, list):
        return [_scrubbed(v, member_id) for v in value]
    return value


def events_prune(*, now: datetime | None = None) -> int:
    """Events, deliveries and attempts older than 30 days go: the log is for the owner to
    debug an integration, not an archive."""
    cutoff = (now or timezone.now()) - KEEP_FOR
    deleted, _ = Event.objects.filter(created_at__lt=cutoff).delete()
    return deleted
