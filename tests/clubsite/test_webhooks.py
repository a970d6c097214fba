"""Outgoing webhooks (issue 19): each event the owner picked reaches the endpoint after commit,
signed per Standard Webhooks so that the `standardwebhooks` verifier accepts it; failures are
retried with backoff, an endpoint gone or failing for three days is turned off, and an erased
member's webhooks carry nothing personal. The endpoint is a real HTTP server on 127.0.0.1."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from django.db import transaction
from django.utils import timezone
from standardwebhooks import Webhook

from clubsite.webhooks import services
from clubsite.webhooks.models import Delivery, Disabled, Endpoint, Event, EventType
from members.services import member_erase, member_join
from rewards.services import purchase_register, voucher_gift, voucher_use
from rewards.services.refunds import purchase_refund
from tests.factories import MemberFactory, RewardFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def endpoint(receiver):
    endpoint = Endpoint.objects.create(url=receiver.url, events=EventType.values)
    receiver.secret = endpoint.secret
    return endpoint


@pytest.fixture
def kari(db):
    return MemberFactory(number="KAR2345Q", user__first_name="Kari", user__email="kari@example.com")


def buy(member, amount_ore=12_950, **kwargs):
    return purchase_register(
        member=member, amount_ore=amount_ore, idempotency_key=f"buy:{uuid.uuid4().hex}", **kwargs
    )


def test_a_purchase_reaches_the_endpoint_signed_so_that_the_verifier_accepts_it(
    endpoint, receiver, kari, program, after_commit
):
    with after_commit():
        bought = buy(kari)

    [heard] = receiver.heard
    assert heard.verified
    payload = Webhook(endpoint.secret).verify(heard.body, heard.headers)
    assert payload["type"] == "purchase.recorded"
    assert payload["data"]["member"] == {"id": kari.pk, "number": "KAR2345Q", "first_name": "Kari"}
    assert payload["data"]["amount"] == "129.50" and payload["data"]["points"] == bought.entry.points
    assert "kari@example.com" not in heard.body.decode()
    delivery = Delivery.objects.get()
    assert delivery.status == Delivery.Status.DELIVERED and delivery.attempts == 1
    assert heard.headers["webhook-id"] == delivery.event.msg_id


def test_a_signature_with_another_secret_is_refused_by_the_verifier(
    endpoint, receiver, kari, program, after_commit
):
    receiver.secret = "whsec_" + "QUJDREVGR0hJSktMTU5PUFFSU1RVVldY"
    with after_commit():
        buy(kari)

    assert [h.verified for h in receiver.heard] == [False]
    assert Delivery.objects.get().status == Delivery.Status.PENDING  # 401: tried again later


def test_nothing_is_sent_when_the_transaction_rolls_back(endpoint, receiver, kari, program, after_commit):
    with after_commit(), pytest.raises(RuntimeError), transaction.atomic():
        buy(kari)
        raise RuntimeError("the register crashed before the sale was saved")

    assert receiver.heard == [] and not Event.objects.exists()


def test_only_the_events_an_endpoint_picked_are_sent_to_it(endpoint, receiver, kari, program, after_commit):
    endpoint.events = [EventType.REFUND_RECORDED]
    endpoint.save()
    with after_commit():
        bought = buy(kari)
    assert receiver.heard == []

    with after_commit():
        purchase_refund(purchase=bought.entry.operation, amount_ore=5_000, idempotency_key="refund:1")

    [heard] = receiver.heard
    assert heard.type == "refund.recorded"
    assert heard.payload["data"]["refunded"] == "50.00" and heard.payload["data"]["remaining"] == "79.50"


def test_a_failed_delivery_is_tried_again_after_a_backoff_and_then_delivered(
    endpoint, receiver, kari, program, after_commit
):
    receiver.answers = [500, 200]
    with after_commit():
        buy(kari)

    delivery = Delivery.objects.get()
    assert delivery.status == Delivery.Status.PENDING and delivery.attempts == 1
    wait = delivery.next_attempt_at - delivery.attempt_log.get().created_at
    assert timedelta(seconds=4) <= wait <= timedelta(seconds=6)  # 5 s ± 10 % jitter
    assert services.deliveries_attempt_due(now=timezone.now()) == 0  # not yet due

    assert services.deliveries_attempt_due(now=timezone.now() + timedelta(seconds=7)) == 1

    delivery.refresh_from_db()
    assert delivery.status == Delivery.Status.DELIVERED and delivery.attempts == 2
    assert len(receiver.ids()) == 1 and len(receiver.heard) == 2  # the same message, twice
    assert Endpoint.objects.get().failing_since is None


def test_an_endpoint_that_fails_every_try_for_about_three_days_is_turned_off(
    endpoint, receiver, kari, program, after_commit
):
    receiver.answers = [503]
    with after_commit():
        buy(kari)
    delivery = Delivery.objects.get()
    start = delivery.created_at

    moment = start
    while Endpoint.objects.get().is_active and moment < start + timedelta(days=4):
        moment = Delivery.objects.get().next_attempt_at or moment + timedelta(hours=1)
        services.deliveries_attempt_due(now=moment)

    endpoint.refresh_from_db()
    assert not endpoint.is_active and endpoint.disabled_reason == Disabled.FAILING
    assert timedelta(days=2, hours=16) <= moment - start <= timedelta(days=3, hours=7)  # ~3 days ± jitter
    assert Delivery.objects.get().status == Delivery.Status.FAILED and len(receiver.heard) == 10
    tries = len(receiver.heard)
    assert services.deliveries_attempt_due(now=moment + timedelta(days=1)) == 0
    with after_commit():
        buy(kari)
    assert len(receiver.heard) == tries  # nothing more goes to a turned-off endpoint


def test_an_endpoint_that_answers_410_gone_is_turned_off_at_once(
    endpoint, receiver, kari, program, after_commit
):
    receiver.answers = [410]
    with after_commit():
        buy(kari)

    endpoint.refresh_from_db()
    assert not endpoint.is_active and endpoint.disabled_reason == Disabled.GONE
    assert Delivery.objects.get().status == Delivery.Status.FAILED


def test_a_delivery_given_up_can_be_sent_again_and_a_turned_off_endpoint_turned_on(
    endpoint, receiver, kari, program, after_commit
):
    receiver.answers = [410, 200]
    with after_commit():
        buy(kari)
    delivery = Delivery.objects.get()

    with after_commit():
        services.endpoint_turn_on(endpoint=endpoint)
        services.delivery_send_again(delivery=delivery)

    delivery.refresh_from_db()
    assert delivery.status == Delivery.Status.DELIVERED and delivery.attempt_log.count() == 2


def test_a_receiver_that_hangs_counts_as_a_failure(endpoint, kari, program, after_commit, monkeypatch):
    import socket

    silent = socket.socket()
    silent.bind(("127.0.0.1", 0))
    silent.listen()  # accepts the connection and never answers
    endpoint.url = f"http://127.0.0.1:{silent.getsockname()[1]}/"
    endpoint.save()
    monkeypatch.setattr(services, "TIMEOUT_SECONDS", 0.5)
    with after_commit():
        buy(kari)
    silent.close()

    attempt = Delivery.objects.get().attempt_log.get()
    assert attempt.status_code is None and "Timeout" in attempt.error


def test_during_a_secret_rotation_both_secrets_verify(endpoint, receiver, kari, program, after_commit):
    old = endpoint.secret
    new = services.endpoint_rotate_secret(endpoint=endpoint)
    receiver.secret = old
    with after_commit():
        buy(kari)

    [heard] = receiver.heard
    assert heard.verified and len(heard.headers["webhook-signature"].split(" ")) == 2
    assert Webhook(new).verify(heard.body, heard.headers)["type"] == "purchase.recorded"


def test_each_kind_of_event_is_announced(endpoint, receiver, program, after_commit):
    reward = RewardFactory(name="Gratis kaffe", cost_points=0)
    with after_commit():
        ola = member_join(first_name="Ola", email="ola@example.org", welcome=False)
    with after_commit():
        voucher = voucher_gift(member=ola, reward=reward, idempotency_key="gift:1")
    with after_commit():
        voucher_use(code=voucher.code, idempotency_key="use:1")

    types = [h.type for h in receiver.heard]
    assert types == ["member.joined", "voucher.issued", "voucher.redeemed"]
    assert receiver.heard[1].payload["data"]["voucher"]["reward"] == "Gratis kaffe"
    assert all(h.verified for h in receiver.heard)


def test_an_erased_member_is_announced_without_personal_data_and_the_log_forgets_them(
    endpoint, receiver, kari, program, after_commit
):
    with after_commit():
        buy(kari)
    with after_commit():
        member_erase(member=kari)

    erased = receiver.heard[-1]
    assert erased.type == "member.erased"
    assert erased.payload["data"] == {"member": {"id": kari.pk, "erased": True}}
    for event in Event.objects.all():
        assert "Kari" not in str(event.payload) and "KAR2345Q" not in str(event.payload)
    for delivery in Delivery.objects.all():
        assert all("Kari" not in a.request_body for a in delivery.attempt_log.all())


def test_no_event_is_stored_when_no_endpoint_listens(receiver, kari, program, after_commit):
    Endpoint.objects.create(url=receiver.url, events=EventType.values, is_active=False)
    with after_commit():
        buy(kari)
    assert not Event.objects.exists() and receiver.heard == []


def test_the_log_keeps_thirty_days(endpoint, receiver, kari, program, after_commit):
    with after_commit():
        buy(kari)
    assert services.events_prune(now=timezone.now() + timedelta(days=29)) == 0
    assert services.events_prune(now=timezone.now() + timedelta(days=31)) > 0
    assert not Delivery.objects.exists()
