"""Giving points to a good cause (issue 18): a ledger debit with what it is worth to the cause,
a running total, a receipt in the member's history, the payout report, and the owner's
reversal with a reason."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from django.db.models import Sum
from django.urls import reverse
from django.utils import timezone

from members import roles
from rewards.errors import RewardsError
from rewards.models import Cause, Donation, LedgerEntry, Wallet
from rewards.services import entry_reverse
from rewards.services.causes import cause_totals, payout_report, points_donate
from tests.factories import MemberFactory, staff_user
from tests.rewards.wallet_helpers import give

pytestmark = pytest.mark.django_db


@pytest.fixture
def football(program):
    return Cause.objects.create(name="Løkka IL", description="Fotball for alle", points=100, kr=10)


def balance(member) -> int:
    return Wallet.objects.get(member=member).balance


def test_a_gift_takes_the_points_and_is_worth_its_conversion_to_the_cause(football):
    member = MemberFactory()
    give(member, 500)

    points_donate(member=member, cause=football, points=300, idempotency_key="g1")
    points_donate(member=member, cause=football, points=300, idempotency_key="g1")  # a double tap

    assert balance(member) == 200
    gift = Donation.objects.get()
    assert (gift.points, gift.value_ore, gift.entry.kind, gift.entry.points) == (300, 3000, "donation", -300)
    assert cause_totals() == {football.pk: 3000}
    owed = LedgerEntry.objects.filter(wallet__member=member).aggregate(n=Sum("remaining"))["n"]
    assert owed == 200  # the liability moved with the points


def test_a_gift_cannot_exceed_the_balance_or_go_to_a_closed_cause(football):
    member = MemberFactory()
    give(member, 150)

    with pytest.raises(RewardsError) as too_much:
        points_donate(member=member, cause=football, points=200, idempotency_key="g")
    football.is_active = False
    football.save()
    with pytest.raises(RewardsError) as closed:
        points_donate(member=member, cause=football, points=100, idempotency_key="h")

    assert (too_much.value.code, closed.value.code) == ("insufficient_points", "cause_closed")
    assert balance(member) == 150 and not Donation.objects.exists()


def test_the_owner_reverses_a_gift_with_a_reason_and_it_leaves_the_total_and_the_payout(football):
    member, owner = MemberFactory(), staff_user(roles.OWNER)
    give(member, 500)
    points_donate(member=member, cause=football, points=200, idempotency_key="a")
    points_donate(member=member, cause=football, points=100, idempotency_key="b")
    wrong = Donation.objects.get(points=200)

    entry_reverse(entry=wrong.entry, reason="Feil knapp", idempotency_key="r", staff=owner)

    assert balance(member) == 400 and cause_totals() == {football.pk: 1000}
    now = timezone.now()
    (row,) = payout_report(now - timedelta(days=1), now + timedelta(days=1))
    assert (row.gifts, row.points, row.value_ore) == (1, 100, 1000)


def test_the_member_gives_on_the_page_and_sees_the_receipt_in_the_history(member_client, member, football):
    give(member, 500)
    page = member_client.get(reverse("rewards:donate"))
    nonce = page.context["causes"][0][2].initial["nonce"]

    member_client.post(reverse("rewards:donate_to", args=[football.pk]), {"points": "200", "nonce": nonce})
    too_many = member_client.post(
        reverse("rewards:donate_to", args=[football.pk]), {"points": "5000", "nonce": uuid.uuid4()}
    )

    assert balance(member) == 300
    assert too_many.status_code == 409 and "Ikke nok poeng" in too_many.content.decode()
    assert 'value="5000"' in too_many.content.decode()  # what was typed is kept
    history = member_client.get(reverse("rewards:history")).content.decode()
    assert "Løkka IL" in history and "Gitt til en god sak: Løkka IL" in history
    assert "kr\xa020,00" in member_client.get(reverse("rewards:donate")).content.decode()


def test_the_payout_report_for_a_month_and_a_bad_month_is_a_clear_error(client, football):
    client.force_login(staff_user(roles.OWNER))
    member = MemberFactory()
    give(member, 500)
    points_donate(member=member, cause=football, points=100, idempotency_key="p")
    url = reverse("admin:rewards_cause_payout")

    shown = client.get(url, {"month": timezone.localdate().strftime("%Y-%m")})
    bad = client.get(url, {"month": "desember"})

    assert shown.status_code == 200 and "kr\xa010,00" in shown.content.decode()
    assert bad.status_code == 400
