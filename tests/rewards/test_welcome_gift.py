"""The welcome gift is what the owner set (points and/or a voucher), the pages say exactly
that, and it is given once per person (issue 14, items 14 and 15)."""

import pytest
from django.core import mail
from django.urls import reverse

from members.models import Member
from members.services import member_erase, member_join
from rewards.models import Voucher
from rewards.services.welcome import welcome_gift_give
from tests.factories import RewardFactory
from tests.rewards.wallet_helpers import balance

pytestmark = pytest.mark.django_db


@pytest.fixture
def coffee_gift(program):
    coffee = RewardFactory(name="Gratis kaffe", voucher_valid_days=14)
    program.welcome_bonus, program.welcome_reward = 50, coffee
    program.save()
    return coffee


def join(email="kari@example.org", phone=None):
    return member_join(first_name="Kari", email=email, phone=phone)


def welcome_vouchers(member):
    return list(Voucher.objects.filter(wallet__member=member, source=Voucher.Source.WELCOME))


def test_a_new_member_gets_the_points_and_the_coffee_the_setting_promises(coffee_gift, after_commit):
    with after_commit():
        member = join()

    assert balance(member) == 50
    (voucher,) = welcome_vouchers(member)
    assert voucher.reward == coffee_gift and voucher.is_usable
    assert (voucher.expires_at - voucher.issued_at).days == 14


def test_the_join_home_and_welcome_pages_and_the_email_say_what_the_gift_is(
    client, coffee_gift, after_commit
):
    promise = "Velkomstgave: 50 poeng og Gratis kaffe (brukes innen 14 dager)."
    assert promise in client.get(reverse("home")).content.decode()
    assert promise in client.get(reverse("members:join")).content.decode()

    with after_commit():
        client.post(reverse("members:join"), {"contact": "kari@example.org", "first_name": "Kari"})

    assert promise in client.get(reverse("members:welcome")).content.decode()
    assert promise in mail.outbox[-1].body


def test_without_a_gift_the_pages_promise_none(client, program):
    assert "Velkomstgave" not in client.get(reverse("home")).content.decode()


def test_the_card_page_gives_a_first_mission_until_the_coffee_is_used(client, coffee_gift, after_commit):
    with after_commit():
        client.post(reverse("members:join"), {"contact": "kari@example.org", "first_name": "Kari"})
    mission = "Første oppdrag: bruk velkomstgaven din i dag – Gratis kaffe."
    assert mission in client.get(reverse("members:card")).content.decode()

    Voucher.objects.filter(source=Voucher.Source.WELCOME).update(status=Voucher.Status.USED)

    assert mission not in client.get(reverse("members:card")).content.decode()


@pytest.mark.parametrize(
    ("first", "again"),
    [
        ({"email": "kari@example.org"}, {"email": "KARI@example.org"}),
        ({"phone": "+4791234567"}, {"phone": "+4791234567"}),
        (
            {"email": "kari@example.org", "phone": "+4791234567"},
            {"email": "ny@example.org", "phone": "+4791234567"},
        ),
    ],
)
def test_leaving_and_joining_again_gives_no_second_welcome_gift(coffee_gift, after_commit, first, again):
    with after_commit():
        member = join(**first)
    member_erase(member=member)

    with after_commit():
        rejoined = join(**again)

    assert balance(rejoined) == 0 and welcome_vouchers(rejoined) == []


def test_someone_else_still_gets_theirs(coffee_gift, after_commit):
    with after_commit():
        member_erase(member=join())
        other = join(email="ola@example.org")

    assert balance(other) == 50 and len(welcome_vouchers(other)) == 1


def test_the_gift_is_given_once_per_member_however_often_it_is_asked(coffee_gift):
    member = join()

    welcome_gift_give(member=member)
    again = welcome_gift_give(member=member)

    assert again.replayed and balance(member) == 50 and len(welcome_vouchers(member)) == 1


def test_the_privacy_page_says_a_hash_is_kept_for_the_welcome_gift(client, program):
    page = client.get(reverse("privacy")).content.decode()

    assert "Velkomstgaven, én gang per person" in page


def test_the_erased_member_leaves_no_address_in_the_claims(coffee_gift, after_commit):
    from rewards.models import WelcomeClaim

    with after_commit():
        member = join()
    member_erase(member=member)

    assert WelcomeClaim.objects.count() == 1
    assert "kari" not in WelcomeClaim.objects.get().contact_hash
    assert not Member.objects.filter(user__email="kari@example.org").exists()
