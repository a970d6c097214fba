"""What the till sends when the network is back (issue 19): each action with the time it
happened. The wallet records it at that time; a time too old or in the future is refused with
a message staff can read, and nothing changes."""

from datetime import UTC, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from rewards.models import CounterAction, LedgerEntry, StampEntry
from tests.counter.test_counter_pages import HTMX, act, nonce_in

pytestmark = pytest.mark.django_db


def panel_nonce(till, shop, member) -> str:
    return nonce_in(till.get(reverse("rewards:counter_member", args=[shop.pk, member.number]), **HTMX))


def iso(moment) -> str:
    """As the browser's Date.toISOString() writes it."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.000Z")


def test_a_purchase_made_offline_is_recorded_at_the_time_it_happened(till, shop, guest, program):
    two_hours_ago = (timezone.now() - timedelta(hours=2)).replace(microsecond=0)
    data = {"nonce": panel_nonce(till, shop, guest), "amount": "129,50", "happened_at": iso(two_hours_ago)}

    response = act(till, shop, guest, "kjop", data, **HTMX)

    assert response.status_code == 200
    entry = LedgerEntry.objects.get(kind=LedgerEntry.Kind.EARN)
    assert entry.created_at == two_hours_ago
    assert CounterAction.objects.get().created_at == two_hours_ago


def test_stamps_made_offline_are_recorded_at_the_time_they_happened(till, shop, guest, coffee_card, program):
    yesterday = (timezone.now() - timedelta(days=1)).replace(microsecond=0)
    data = {
        "nonce": panel_nonce(till, shop, guest),
        "card": coffee_card.pk,
        "stamps": 1,
        "happened_at": iso(yesterday),
    }

    act(till, shop, guest, "stempel", data, **HTMX)

    assert StampEntry.objects.get().created_at == yesterday


def test_an_action_without_a_time_happens_now(till, shop, guest, program):
    before = timezone.now()

    act(till, shop, guest, "kjop", {"nonce": panel_nonce(till, shop, guest), "amount": "50"}, **HTMX)

    assert LedgerEntry.objects.get().created_at >= before


@pytest.mark.parametrize(
    ("moment", "message"),
    [
        (timedelta(hours=-73), "for mer enn 3 dager siden"),
        (timedelta(hours=1), "i fremtiden"),
    ],
)
def test_an_offline_time_too_old_or_in_the_future_is_refused_and_changes_nothing(
    till, shop, guest, program, moment, message
):
    data = {
        "nonce": panel_nonce(till, shop, guest),
        "amount": "100",
        "happened_at": iso(timezone.now() + moment),
    }

    response = act(till, shop, guest, "kjop", data, **HTMX)

    assert response.status_code == 400
    assert message in response.content.decode()
    assert not LedgerEntry.objects.exists() and not CounterAction.objects.exists()


def test_a_time_that_is_not_a_time_is_refused_without_a_server_error(till, shop, guest, program):
    data = {"nonce": panel_nonce(till, shop, guest), "amount": "100", "happened_at": "i går"}

    response = act(till, shop, guest, "kjop", data, **HTMX)

    assert response.status_code == 400
    assert not LedgerEntry.objects.exists()


def test_the_service_worker_is_javascript_checked_on_every_load_and_needs_no_login(client):
    response = client.get(reverse("rewards:counter_sw"))

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/javascript")
    assert response["Cache-Control"] == "no-cache"
    assert "lojal-till-1" in response.content.decode()


def test_the_till_page_carries_what_the_offline_script_needs(till, shop):
    page = till.get(reverse("rewards:counter_page", args=[shop.pk])).content.decode()

    assert 'id="offline-texts"' in page and "counter_offline.js" in page and "idb-keyval" in page
    assert reverse("rewards:counter_action", args=[shop.pk, "NUMBER", "ACTION"]) in page
