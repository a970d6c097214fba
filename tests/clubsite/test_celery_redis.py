"""The welcome message goes through a real Redis broker to a real Celery worker.

Everywhere else tests run tasks eagerly; this one proves the production path: the task is
queued after commit, crosses Redis and is executed by a worker thread.
"""

import time

import pytest
from django.core import mail

from members.services import member_join
from tests.clubsite.redis_server import celery_worker_on, needs_redis, redis_url

REDIS_URL = redis_url(15)
pytestmark = needs_redis(REDIS_URL)


@pytest.fixture
def redis_worker():
    with celery_worker_on(REDIS_URL):
        yield


@pytest.mark.redis
@pytest.mark.django_db(transaction=True)
def test_the_welcome_email_is_sent_by_a_worker_through_redis(redis_worker):
    member = member_join(first_name="Kari", email="kari@example.com")

    deadline = time.monotonic() + 30
    while not mail.outbox and time.monotonic() < deadline:
        time.sleep(0.1)

    assert [m.to for m in mail.outbox] == [["kari@example.com"]]
    assert member.display_number in mail.outbox[0].body


@pytest.mark.redis
@pytest.mark.django_db(transaction=True)
def test_a_webhook_is_delivered_by_a_worker_after_the_purchase_commits(redis_worker):
    from clubsite.webhooks.models import Delivery, Endpoint, EventType
    from clubsite.webhooks.receiver import Receiver
    from rewards.services import purchase_register
    from tests.factories import MemberFactory

    receiver = Receiver().start()
    try:
        endpoint = Endpoint.objects.create(url=receiver.url, events=[EventType.PURCHASE_RECORDED])
        receiver.secret = endpoint.secret
        member = MemberFactory()  # no join signal: the worker's only work is what the purchase queues
        purchase_register(member=member, amount_ore=10_000, idempotency_key="webhook-by-worker")

        deadline = time.monotonic() + 30
        while not receiver.heard and time.monotonic() < deadline:
            time.sleep(0.1)
    finally:
        receiver.stop()

    assert [(h.verified, h.type) for h in receiver.heard] == [(True, "purchase.recorded")]
    deadline = time.monotonic() + 10  # the worker writes the outcome just after the answer
    while Delivery.objects.get().status != Delivery.Status.DELIVERED and time.monotonic() < deadline:
        time.sleep(0.1)
    assert Delivery.objects.get().status == Delivery.Status.DELIVERED
