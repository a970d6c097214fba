"""Real races against PostgreSQL (skipped visibly on SQLite, run in CI): the qualifying signal
delivered many times at once pays each side once; sign-ups at once respect the monthly cap."""

from datetime import timedelta

import pytest
from django.utils import timezone

from referrals import services, tasks
from referrals.models import Referral, ReferralPayout
from rewards.models import LedgerEntry
from rewards.services import entry_reverse, purchase_register, wallets_reconcile
from tests.conftest import requires_postgres
from tests.referrals.helpers import balance, invited, new_friend, purchase_signal_held_back
from tests.rewards.wallet_helpers import run_together

pytestmark = [requires_postgres(), pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_the_qualifying_signal_delivered_ten_times_at_once_pays_each_side_once(kari_code, no_hold):
    referral = invited(kari_code)
    with purchase_signal_held_back():
        purchase = purchase_register(
            member=referral.friend, amount_ore=15_000, idempotency_key="the-purchase"
        )

    run_together(10, lambda n: tasks.qualify_purchase(referral.friend_id, purchase.entry.pk, 15_000))

    referral.refresh_from_db()
    assert referral.status == Referral.Status.PAID
    assert ReferralPayout.objects.filter(referral=referral).count() == 2
    assert LedgerEntry.objects.filter(reason__startswith="referral_").count() == 2
    assert (balance(kari_code.member), balance(referral.friend)) == (200, 150 + 100)
    assert wallets_reconcile() == []


def test_the_hourly_job_and_the_owners_approval_at_once_pay_once(kari_code, program, cashier):
    user = kari_code.member.user
    user.email = "kari.nordmann@gmail.com"
    user.save(update_fields=["email"])
    referral = invited(kari_code, email="ola.nordmann@gmail.com")  # flagged: same household
    purchase = purchase_register(member=referral.friend, amount_ore=15_000, idempotency_key="p")
    services.referral_qualify(friend_id=referral.friend_id, entry_id=purchase.entry.pk, amount_ore=15_000)
    Referral.objects.filter(pk=referral.pk).update(payable_at=timezone.now() - timedelta(minutes=1))

    def act(n):
        if n == 0:
            return services.referral_approve(referral=referral, by=cashier)
        return services.referrals_pay_due()

    run_together(4, act)

    assert ReferralPayout.objects.filter(referral=referral).count() == 2
    assert balance(kari_code.member) == 200
    assert wallets_reconcile() == []


def test_sign_ups_at_once_for_a_referrer_one_place_below_the_cap_let_exactly_one_through(kari_code, program):
    program.cap_per_month = 3
    program.save()
    for n in range(2):
        invited(kari_code, ip=f"192.0.2.{n}")
    friends = [new_friend(f"Venn{n}") for n in range(6)]

    outcomes = run_together(
        6,
        lambda n: services.referral_attribute(
            friend=friends[n], code=kari_code.code, channel=Referral.Channel.LINK, ip=f"198.51.100.{n}"
        ),
    )

    statuses = sorted(o.status for o in outcomes)
    assert statuses == ["pending"] + ["refused"] * 5
    assert all(o.reason_list == ["cap_reached"] for o in outcomes if o.status == "refused")


def test_rounds_of_the_qualifying_signal_racing_the_pay_job_and_a_refund_settle_each_referral_once(
    kari_code, no_hold
):
    """Each round a new friend buys; eight threads at once deliver the purchase's signal
    (a queue redelivering it), run the payment job, or refund the purchase. Whatever the
    order, each side is paid at most once, and a refunded purchase leaves nothing paid."""
    kari_code.member.refresh_from_db()
    no_hold.cap_per_month = 100
    no_hold.save()
    for round_no in range(8):
        referral = invited(kari_code, ip=f"203.0.113.{round_no}")
        with purchase_signal_held_back():
            purchase = purchase_register(
                member=referral.friend, amount_ore=15_000, idempotency_key=f"buy-{round_no}"
            )
        refunds = round_no % 2  # every other round, the purchase is refunded meanwhile

        def act(n, referral=referral, purchase=purchase, refunds=refunds):
            if n == 7 and refunds:
                entry_reverse(
                    entry=purchase.entry, reason="returned", idempotency_key=f"refund-{purchase.entry.pk}"
                )
                return tasks.refund_purchase(referral.friend_id, purchase.entry.pk)
            if n % 3 == 2:
                return services.referrals_pay_due()
            return tasks.qualify_purchase(referral.friend_id, purchase.entry.pk, 15_000)

        run_together(8, act)

        referral.refresh_from_db()
        payouts = ReferralPayout.objects.filter(referral=referral)
        assert payouts.count() <= 2 and payouts.values("side").distinct().count() == payouts.count()
        taken_back = payouts.exclude(reversed_at=None).count()
        if refunds:
            assert referral.status in (
                Referral.Status.CANCELLED,
                Referral.Status.REVERSED,
                Referral.Status.PENDING,
            )
            assert taken_back == payouts.count(), f"round {round_no}: a refunded purchase left a reward paid"
        else:
            assert referral.status == Referral.Status.PAID and payouts.count() == 2
        assert wallets_reconcile() == []
