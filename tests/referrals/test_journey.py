"""The whole story in one test, through the real pages and with real commits: Kari shares her
link, Ola opens it and joins, buys at the till, the hold passes and the scheduled task pays
both, then the purchase is refunded and both rewards are reversed in the ledger."""

import uuid
from datetime import timedelta
from unittest.mock import patch

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from members import roles
from members.models import Member
from referrals import tasks
from referrals.models import Referral
from rewards.models import LedgerEntry
from rewards.services import entry_reverse, wallets_reconcile
from tests.factories import staff_user
from tests.referrals.helpers import balance

PHONE = "Mozilla/5.0 (Linux; Android 14) AppleWebKit/537.36 Mobile Safari/537.36"


@pytest.mark.django_db(transaction=True)
def test_link_opened_friend_joins_buys_hold_passes_both_rewarded_refund_reverses_both(kari, program, shop):
    # Kari opens "Invite a friend" and copies her link.
    kari_phone = Client()
    kari_phone.force_login(kari.user)
    invite_page = kari_phone.get(reverse("referrals:invite"))
    link = invite_page.context["link"]
    assert link.endswith(f"/verv/{invite_page.context['code'].code}/")

    # Ola opens it on his phone, looks around, and joins with the three fields.
    ola_phone = Client()
    assert "Kari" in ola_phone.get(link, HTTP_USER_AGENT=PHONE).content.decode()
    ola_phone.get(reverse("home"))
    assert kari_phone.get(reverse("referrals:invite")).context["progress"].opens  # "invited"
    joined = ola_phone.post(link, {"contact": "ola@example.org", "first_name": "Ola"})
    assert joined.status_code == 302
    ola = Member.objects.get(user__email="ola@example.org")
    referral = Referral.objects.get(friend=ola)
    assert referral.status == Referral.Status.PENDING and referral.opened_at is not None

    # His first purchase at the till qualifies the invitation; the hold starts.
    till = Client()
    till.force_login(staff_user(roles.COUNTER_STAFF, shop))
    till.get(reverse("rewards:counter_member", args=[shop.pk, ola.number]))
    bought = till.post(
        reverse("rewards:counter_action", args=[shop.pk, ola.number, "kjop"]),
        {"nonce": uuid.uuid4().hex, "amount": "150"},
    )
    assert bought.status_code == 200
    referral.refresh_from_db()
    assert referral.status == Referral.Status.QUALIFIED
    assert (balance(kari), balance(ola)) == (0, 150)

    # Fourteen days later the hourly task pays both sides.
    later = timezone.now() + timedelta(days=14, hours=1)
    with patch("django.utils.timezone.now", return_value=later):
        assert tasks.pay_due.delay().get() == 1
    referral.refresh_from_db()
    assert referral.status == Referral.Status.PAID
    assert (balance(kari), balance(ola)) == (200, 150 + 100)
    progress = kari_phone.get(reverse("referrals:invite")).content.decode()
    assert "Ola" in progress and "ola@example.org" not in progress
    history = kari_phone.get(reverse("rewards:history")).content.decode()
    assert "Takk for at du vervet en venn" in history  # the label, in nb

    # Customer service refunds the purchase: the wallet reverses it, and the referral rewards.
    purchase = LedgerEntry.objects.get(wallet__member=ola, kind=LedgerEntry.Kind.EARN)
    entry_reverse(entry=purchase, reason="refund", idempotency_key="refund:journey")
    referral.refresh_from_db()
    assert referral.status == Referral.Status.REVERSED
    assert (balance(kari), balance(ola)) == (0, 0)
    reversed_rewards = LedgerEntry.objects.filter(reverses__in=[p.entry for p in referral.payouts.all()])
    assert reversed_rewards.count() == 2
    assert wallets_reconcile() == []
