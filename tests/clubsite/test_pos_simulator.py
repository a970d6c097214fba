"""Issue 19's "done when": the register simulator runs against a live server with the demo
club, its purchases and refund land in Kari's wallet and history as if made at the till,
and a signed webhook reaches it for each."""

from __future__ import annotations

import io
import socket

import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse

from clubsite.management.commands._demo_api import KARI_NUMBER
from clubsite.webhooks.models import Delivery, Endpoint, EventType
from members.models import Member
from rewards.models import LedgerEntry, PosKey, Refund, Scope
from tests.conftest import load_demo_club
from tests.factories import LocationFactory, MemberFactory

pytestmark = pytest.mark.django_db(transaction=True)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def demo_with_simulator_port():
    load_demo_club()
    port = free_port()
    Endpoint.objects.filter(description__startswith="Kassesimulatoren").update(
        url=f"http://127.0.0.1:{port}/webhooks"
    )
    return port


def test_the_simulator_buys_twice_and_refunds_and_hears_a_signed_webhook_for_each(
    live_server, demo_with_simulator_port
):
    kari = Member.objects.get(number=KARI_NUMBER)
    before = LedgerEntry.objects.filter(wallet__member=kari).count()
    out = io.StringIO()

    call_command("pos_simulator", url=live_server.url, listen=demo_with_simulator_port, wait=20, stdout=out)

    said = out.getvalue()
    assert "All calls answered and every webhook arrived, signed." in said
    assert said.count("signature verified") >= 3 and "balance still" in said
    api_purchases = LedgerEntry.objects.filter(wallet__member=kari, operation__key__contains=":receipt:SIM-")
    assert sorted(e.amount_ore for e in api_purchases) == [8_950, 24_900]
    assert all(e.location.name == "Bakeriet Grünerløkka" for e in api_purchases)
    assert Refund.objects.get(purchase__wallet__member=kari).amount_ore == 10_000
    assert LedgerEntry.objects.filter(wallet__member=kari).count() == before + 3  # the repeat added none
    assert Delivery.objects.filter(status=Delivery.Status.DELIVERED).count() >= 3

    phone = Client()
    phone.force_login(kari.user)
    history = phone.get(reverse("rewards:history")).content.decode()
    assert "249,00" in history and "89,50" in history


def test_the_simulator_says_so_when_the_server_does_not_answer(db):
    with pytest.raises(CommandError, match="Is the server running"):
        call_command(
            "pos_simulator", url=f"http://127.0.0.1:{free_port()}", listen=free_port(), stdout=io.StringIO()
        )


def test_the_simulator_says_so_when_a_webhook_does_not_verify(live_server):
    _key, raw = PosKey.objects.create_key(name="Kasse", location=LocationFactory(), scopes=list(Scope.values))
    member = MemberFactory()
    port = free_port()
    Endpoint.objects.create(url=f"http://127.0.0.1:{port}/webhooks", events=list(EventType.values))

    with pytest.raises(CommandError, match="did not verify"):
        call_command(
            "pos_simulator", url=live_server.url, key=raw, member=member.number, listen=port, wait=5,
            stdout=io.StringIO(),
        )  # fmt: skip
