"""Staff type a friend's invitation code for the member on the counter panel."""

from types import SimpleNamespace

import pytest
from django.urls import reverse
from django.utils import translation

from members import roles
from referrals.models import Referral
from referrals.services import referral_code_get_or_create
from rewards.models import ScanRefusal
from tests.factories import LocationFactory, MemberFactory, staff_user
from tests.referrals.helpers import balance, buy, invited, new_friend, referral_part

pytestmark = pytest.mark.django_db


def type_code(client, shop, member, code, **headers):
    url = reverse("referrals:counter_code", args=[shop.pk, member.number])
    return client.post(url, {"code": code}, **headers)


def test_a_code_typed_for_a_new_member_records_the_invitation_with_staff_and_shop(
    till, english, shop, cashier, kari_code
):
    friend = new_friend()

    response = type_code(till, shop, friend, kari_code.display.lower(), HTTP_HX_REQUEST="true")

    assert response.status_code == 200
    assert "Registered: Kari invited this member" in response.context["referral_notice"]
    referral = Referral.objects.get(friend=friend)
    assert (referral.channel, referral.staff, referral.location) == (Referral.Channel.COUNTER, cashier, shop)
    assert referral.status == Referral.Status.PENDING


def test_the_url_is_not_taken_by_the_counters_own_actions(till, shop, kari_code):
    response = type_code(till, shop, new_friend(), kari_code.code)

    assert response.status_code == 200
    assert response.templates[0].name == "rewards/counter/page.html"  # without htmx: the whole page


def test_a_double_tap_registers_once_and_says_it_is_already_done(till, english, shop, kari_code):
    friend = new_friend()
    type_code(till, shop, friend, kari_code.code)

    again = type_code(till, shop, friend, kari_code.code, HTTP_HX_REQUEST="true")

    assert again.status_code == 200 and "Already registered" in again.context["referral_notice"]
    assert Referral.objects.count() == 1


def test_a_code_for_an_already_qualified_friend_is_refused_clearly_and_pays_nothing(
    till, english, shop, kari_code, no_hold, after_commit
):
    referral = invited(kari_code)
    with after_commit():
        buy(referral.friend)
    assert referral.payouts.count() == 2
    other = MemberFactory(user__first_name="Per")
    per_code = referral_code_get_or_create(member=other)

    response = type_code(till, shop, referral.friend, per_code.code, HTTP_HX_REQUEST="true")

    assert response.status_code == 409
    assert "already invited by someone else" in response.content.decode()
    assert Referral.objects.count() == 1 and balance(other) == 0
    assert ScanRefusal.objects.get().reason == "already_referred"


@pytest.mark.parametrize(
    ("typed", "status", "message"),
    [
        ("ZZZZ2345", 404, "No member has this invitation code"),
        ("K@RI!!", 400, "eight letters and digits"),
        ("'; DROP TABLE referrals; --", 400, "eight letters and digits"),
        ("", 400, "Type the invitation code"),
        ("x" * 1000, 400, "eight letters and digits"),
    ],
)
def test_bad_codes_at_the_counter_get_a_clear_message_and_nothing_is_recorded(
    till, english, shop, kari_code, typed, status, message
):
    response = type_code(till, shop, new_friend(), typed, HTTP_HX_REQUEST="true")

    assert response.status_code == status
    assert message in response.content.decode()
    assert not Referral.objects.exists()


def test_the_members_own_code_at_the_counter_is_refused(till, english, shop, kari_code):
    response = type_code(till, shop, kari_code.member, kari_code.code, HTTP_HX_REQUEST="true")

    assert response.status_code == 409
    assert "own invitation code" in response.content.decode()
    assert not Referral.objects.exists()


def test_a_code_for_a_long_standing_customer_is_recorded_as_refused_with_the_reason(
    till, english, shop, kari_code, after_commit
):
    regular = new_friend()
    with after_commit():
        buy(regular)

    response = type_code(till, shop, regular, kari_code.code, HTTP_HX_REQUEST="true")

    assert response.status_code == 409
    assert "already a member or customer" in response.content.decode()
    assert Referral.objects.get().reason_list == ["already_member"]


def test_only_staff_at_this_shop_may_type_codes(client, shop, kari_code, member):
    friend = new_friend()
    assert type_code(client, shop, friend, kari_code.code).status_code == 302  # anonymous: log in
    client.force_login(member.user)
    assert type_code(client, shop, friend, kari_code.code).status_code == 403
    client.force_login(staff_user(roles.COUNTER_STAFF, LocationFactory()))
    assert type_code(client, shop, friend, kari_code.code).status_code == 403
    assert not Referral.objects.exists()


def test_an_unknown_member_number_is_not_found(till, shop, kari_code):
    assert type_code(till, shop, SimpleNamespace(number="ZZZZ9999"), kari_code.code).status_code == 404


def test_the_panel_part_offers_the_code_field_and_later_shows_who_invited(english, shop, kari_code):
    friend = new_friend()

    with translation.override("en"):
        form = referral_part(friend, shop)
        invited_friend = invited(kari_code).friend
        shown = referral_part(invited_friend, shop)

    assert 'name="code"' in form and reverse("referrals:counter_code", args=[shop.pk, friend.number]) in form
    assert "Invited by Kari" in shown and 'name="code"' not in shown


def test_the_panel_part_is_empty_when_the_programme_is_off(shop, program):
    program.is_active = False
    program.save()

    html = referral_part(new_friend(), shop)

    assert html == ""
