"""The owner corrects a ledger entry by reversing it, with a reason, through the wallet."""

import pytest
from django.urls import reverse

from rewards import services
from rewards.models import LedgerEntry, Wallet
from tests.factories import MemberFactory

pytestmark = pytest.mark.django_db
LIST = reverse("admin:rewards_ledgerentry_changelist")


@pytest.fixture
def purchase(db):
    member = MemberFactory()
    services.points_award(member=member, points=40, reason="gift", idempotency_key="gift")
    return services.purchase_register(member=member, amount_ore=10_000, idempotency_key="buy").entry


def reverse_by_action(client, entries, reason):
    data = {"action": "reverse_entries", "_selected_action": [e.pk for e in entries], "apply": "1"}
    return client.post(LIST, {**data, "reason": reason}, follow=True)


def balance(entry) -> int:
    return Wallet.objects.get(pk=entry.wallet_id).balance


def shown(response) -> list[str]:
    return [str(m) for m in response.context["messages"]]


def test_the_action_asks_for_a_reason_first_and_changes_nothing_yet(owner_client, purchase):
    page = owner_client.post(LIST, {"action": "reverse_entries", "_selected_action": [purchase.pk]})
    assert page.status_code == 200
    assert "reason" in page.context["form"].fields
    assert not LedgerEntry.objects.filter(reverses=purchase).exists()


@pytest.mark.parametrize("reason", ["", "   "])
def test_a_reversal_without_a_reason_is_refused(owner_client, purchase, reason):
    response = reverse_by_action(owner_client, [purchase], reason)
    assert response.status_code == 200
    assert response.context["form"].errors["reason"]
    assert not LedgerEntry.objects.filter(reverses=purchase).exists()
    assert balance(purchase) == 140


def test_a_reversal_goes_through_the_wallet_with_the_reason_and_the_owner(owner_client, owner, purchase):
    response = reverse_by_action(owner_client, [purchase], "Wrong amount typed at the till")
    assert "Reversed: 1." in shown(response)
    reversal = LedgerEntry.objects.get(reverses=purchase)
    assert (reversal.kind, reversal.points, reversal.reason) == (
        "reversal",
        -100,
        "Wrong amount typed at the till",
    )
    assert reversal.staff == owner
    assert reversal.operation.key == f"admin-reverse:{purchase.pk}"
    assert balance(purchase) == 40
    assert services.wallets_reconcile() == []


def test_reversing_twice_is_refused_with_a_message_and_posts_nothing(owner_client, purchase):
    reverse_by_action(owner_client, [purchase], "Typo")
    again = reverse_by_action(owner_client, [purchase], "Typo again")
    assert any("already been undone" in m for m in shown(again))
    assert LedgerEntry.objects.filter(reverses=purchase).count() == 1
    assert balance(purchase) == 40


def test_an_entry_undone_elsewhere_is_refused_too(owner_client, purchase):
    services.entry_reverse(entry=purchase, reason="counter undo", idempotency_key="undo")
    response = reverse_by_action(owner_client, [purchase], "Again")
    assert any("already been undone" in m for m in shown(response))
    assert balance(purchase) == 40


def test_a_reversal_itself_cannot_be_reversed(owner_client, purchase):
    reversal = services.entry_reverse(entry=purchase, reason="x", idempotency_key="undo").entry
    response = reverse_by_action(owner_client, [reversal], "Undo the undo")
    assert any("cannot be undone" in m for m in shown(response))
    assert balance(purchase) == 40


def test_the_entry_page_has_a_reverse_button_that_asks_for_a_reason(owner_client, purchase):
    page = owner_client.get(reverse("admin:rewards_ledgerentry_change", args=[purchase.pk]))
    url = reverse("admin:rewards_ledgerentry_reverse", args=[purchase.pk])
    assert url in page.content.decode()
    assert owner_client.post(url, {"apply": "1", "reason": ""}).context["form"].errors["reason"]
    done = owner_client.post(url, {"apply": "1", "reason": "Customer returned the goods"}, follow=True)
    assert "Reversed: 1." in shown(done)
    assert balance(purchase) == 40
    after = owner_client.get(reverse("admin:rewards_ledgerentry_change", args=[purchase.pk]))
    assert url not in after.content.decode()


def test_an_unknown_entry_is_a_message_not_an_error(owner_client):
    response = owner_client.get(reverse("admin:rewards_ledgerentry_reverse", args=[999999]), follow=True)
    assert response.status_code == 200
    assert any("cannot be reversed here" in m for m in shown(response))
