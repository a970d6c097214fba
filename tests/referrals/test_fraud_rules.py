"""Each fraud control, with the reason code the owner sees: refused ones never pay, flagged
ones wait for review."""

from datetime import timedelta

import pytest
from django.utils import timezone

from members.models import User
from referrals import services
from referrals.errors import ReferralsError
from referrals.models import Referral
from referrals.services.fraud import email_canonical, is_self_referral, month_start
from tests.factories import MemberFactory
from tests.referrals.helpers import balance, buy, fresh, invited, new_friend

pytestmark = pytest.mark.django_db


def refused_with(referral: Referral, reason: str) -> bool:
    return referral.status == Referral.Status.REFUSED and reason in referral.reason_list


# --- Self-referral


@pytest.mark.parametrize(
    ("theirs", "mine"),
    [
        ("Kari+venn@Example.com", "kari@example.com"),
        ("kari+a+b@example.com", "kari@example.com"),
        ("k.a.r.i+2@googlemail.com", "kari@gmail.com"),
        ("KARI@EXAMPLE.COM", "kari@example.com"),
    ],
)
def test_e_mail_addresses_are_compared_without_case_and_plus_alias(theirs, mine):
    assert email_canonical(theirs) == email_canonical(mine)


def test_a_friend_with_the_referrers_address_under_a_plus_alias_is_a_self_referral(
    kari_code, no_hold, after_commit
):
    referral = invited(kari_code, email="kari+ny@example.com")

    with after_commit():
        buy(referral.friend)

    assert refused_with(fresh(referral), "self_referral")
    assert balance(kari_code.member) == 0


def test_one_mobile_number_on_two_accounts_is_a_self_referral():
    # Joining refuses a number in use, so this takes two accounts that came by one number
    # otherwise (an import); the check looks at it all the same.
    assert is_self_referral(User(pk=1, phone="+4791234567"), User(pk=2, phone="+4791234567"))
    assert not is_self_referral(User(pk=1, phone="+4791234567"), User(pk=2, phone="+4791234568"))


def test_the_members_own_code_for_themself_is_refused_and_nothing_is_recorded(kari_code):
    with pytest.raises(ReferralsError) as error:
        services.referral_attribute(
            friend=kari_code.member, code=kari_code.code, channel=Referral.Channel.COUNTER
        )

    assert error.value.code == "own_code"
    assert not Referral.objects.exists()


# --- Already a member or known customer


def test_a_member_who_joined_before_the_qualifying_window_is_already_a_member(kari_code):
    old = MemberFactory(user__email="old@example.org")
    old.joined_at = timezone.now() - timedelta(days=31)
    old.save(update_fields=["joined_at"])

    referral = services.referral_attribute(friend=old, code=kari_code.code, channel=Referral.Channel.COUNTER)

    assert refused_with(referral, "already_member")


def test_a_new_member_who_has_already_bought_is_a_known_customer(kari_code, after_commit):
    friend = new_friend()
    with after_commit():
        buy(friend)

    referral = services.referral_attribute(
        friend=friend, code=kari_code.code, channel=Referral.Channel.COUNTER
    )

    assert refused_with(referral, "already_member")
    assert services.refusal_error(referral).code == "already_member"


def test_a_friend_invited_twice_counts_for_the_first_inviter_only(kari_code):
    referral = invited(kari_code)
    other = services.referral_code_get_or_create(member=MemberFactory())

    with pytest.raises(ReferralsError) as error:
        services.referral_attribute(friend=referral.friend, code=other.code, channel=Referral.Channel.COUNTER)

    assert error.value.code == "already_referred"
    again = services.referral_attribute(
        friend=referral.friend, code=kari_code.code, channel=Referral.Channel.LINK
    )
    assert again.replayed and again.pk == referral.pk
    assert Referral.objects.count() == 1


# --- Cap per referrer per month


def test_the_eleventh_friend_in_a_month_is_refused_with_cap_reached(kari_code, program):
    start = month_start(timezone.now())
    for n in range(10):
        assert invited(kari_code, at=start + timedelta(minutes=n), ip=f"192.0.2.{n}").status == "pending"

    eleventh = invited(kari_code, at=start + timedelta(hours=1))

    assert refused_with(eleventh, "cap_reached")
    assert services.refusal_error(eleventh).code == "cap_reached"


def test_refused_referrals_do_not_use_up_the_cap_and_a_new_month_starts_afresh(kari_code, program):
    program.cap_per_month = 1
    program.save()
    # Last month and this one: both starts are in the past whatever today's date, so the
    # friends (who join now) never sign up more than a month before their invitation.
    start = month_start(month_start(timezone.now()) - timedelta(days=1))
    refused = invited(kari_code, email="kari+x@example.com", at=start)
    assert refused_with(refused, "self_referral")
    assert invited(kari_code, at=start + timedelta(minutes=1)).status == "pending"
    assert refused_with(invited(kari_code, at=start + timedelta(minutes=2)), "cap_reached")

    next_month = month_start(start + timedelta(days=32))
    later = invited(kari_code, at=next_month + timedelta(minutes=1))

    assert later.status == "pending"


def test_no_cap_when_the_owner_sets_zero(kari_code, program):
    program.cap_per_month = 0
    program.save()
    for n in range(12):
        assert invited(kari_code, ip=f"198.51.100.{n}").status == "pending"


# --- Bursts: flagged for review, never paid automatically


def test_a_burst_of_sign_ups_from_one_ip_flags_all_of_them_for_review(kari_code, no_hold, after_commit):
    first, second = invited(kari_code, ip="203.0.113.9"), invited(kari_code, ip="203.0.113.9")
    assert first.review == second.review == Referral.Review.NONE

    third = invited(kari_code, ip="203.0.113.9")

    for referral in (first, second, third):
        referral = fresh(referral)
        assert referral.review == Referral.Review.WAITING and referral.reason_list == ["burst_ip"]
    with after_commit():
        buy(third.friend)
    assert fresh(third).status == Referral.Status.QUALIFIED  # qualified, but not paid
    assert balance(kari_code.member) == 0 and balance(third.friend) == 150  # the purchase only


def test_a_burst_from_one_device_cookie_is_flagged_too(kari_code):
    for _n in range(3):
        last = invited(kari_code, device="one-phone-device-id-1234", ip=None)

    assert fresh(last).reason_list == ["burst_device"] and fresh(last).waits_for_review


def test_sign_ups_spread_out_in_time_are_not_a_burst(kari_code):
    now = timezone.now()
    for n in range(3):
        last = invited(kari_code, ip="203.0.113.9", at=now + timedelta(minutes=61 * n))

    assert not fresh(last).waits_for_review


# --- Same household: flagged


@pytest.mark.parametrize(
    ("kari_contact", "friend_contact"),
    [
        ({"email": "kari.nordmann@gmail.com"}, {"email": "ola.nordmann@hotmail.com"}),
        ({"phone": "+4791234567"}, {"phone": "+4791234598"}),
    ],
)
def test_a_friend_from_the_same_household_is_flagged_for_review(kari_code, kari_contact, friend_contact):
    user = kari_code.member.user
    user.email, user.phone = kari_contact.get("email"), kari_contact.get("phone")
    user.save(update_fields=["email", "phone"])

    referral = invited(kari_code, **friend_contact)

    assert referral.status == Referral.Status.PENDING
    assert referral.review == Referral.Review.WAITING and referral.reason_list == ["same_household"]


def test_unrelated_contacts_are_not_a_household(kari_code):
    assert invited(kari_code, email="ola.hansen@example.org").review == Referral.Review.NONE
    assert invited(kari_code, phone="+4748123456").review == Referral.Review.NONE


# --- The owner's review


def test_an_approved_flagged_referral_is_paid_and_a_rejected_one_never(
    kari_code, no_hold, cashier, after_commit
):
    user = kari_code.member.user
    user.email = "kari.nordmann@gmail.com"
    user.save(update_fields=["email"])
    approved = invited(kari_code, email="ola.nordmann@gmail.com")
    rejected = invited(kari_code, email="per.nordmann@gmail.com")
    with after_commit():
        buy(approved.friend)
        buy(rejected.friend)

    services.referral_approve(referral=approved, by=cashier)
    services.referral_reject(referral=rejected, by=cashier)
    services.referrals_pay_due(now=timezone.now() + timedelta(days=60))

    assert fresh(approved).status == Referral.Status.PAID and balance(approved.friend) == 150 + 100
    rejected = fresh(rejected)
    assert refused_with(rejected, "rejected") and rejected.review == Referral.Review.REJECTED
    assert balance(rejected.friend) == 150 and balance(kari_code.member) == 200
    assert not rejected.payouts.exists()


def test_approving_what_is_not_waiting_and_rejecting_what_is_paid_are_refused(
    kari_code, no_hold, cashier, after_commit
):
    referral = invited(kari_code)
    with after_commit():
        buy(referral.friend)

    for call, code in (
        (services.referral_approve, "not_waiting_for_review"),
        (services.referral_reject, "already_settled"),
    ):
        with pytest.raises(ReferralsError) as error:
            call(referral=referral, by=cashier)
        assert error.value.code == code
    assert fresh(referral).status == Referral.Status.PAID
