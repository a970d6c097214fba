"""A friend opens a member's link (or types the code), joins, and the invitation is recorded."""

from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from members.models import Member
from referrals import invites
from referrals.models import Referral, ReferralLinkOpen

pytestmark = pytest.mark.django_db

PHONE = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 Mobile/15E148"


def landing(code) -> str:
    return reverse("referrals:landing", args=[code.code])


def join_data(contact="ola@example.org", first_name="Ola", **extra):
    return {"contact": contact, "first_name": first_name, **extra}


def test_the_landing_page_names_the_inviter_and_what_the_friend_gets(english, kari_code):
    body = english.get(landing(kari_code), HTTP_USER_AGENT=PHONE).content.decode()

    assert "Kari invites you" in body
    assert "100 points" in body and "NOK" in body  # the friend's gift and the minimum purchase
    assert 'name="contact"' in body and 'name="first_name"' in body and 'name="marketing_consent"' in body
    assert "kari@example.com" not in body and kari_code.member.number not in body


def test_opening_the_link_is_remembered_in_the_session_and_a_signed_cookie_for_the_programme_days(
    client, kari_code, program
):
    response = client.get(landing(kari_code), HTTP_USER_AGENT=PHONE)

    assert client.session[invites.SESSION_KEY] == kari_code.code
    cookie = response.cookies[invites.INVITE_COOKIE]
    assert cookie["max-age"] == program.cookie_days * 24 * 60 * 60 and cookie["httponly"]
    assert cookie.value != kari_code.code  # signed
    assert response.cookies[invites.DEVICE_COOKIE].value


def test_an_open_is_counted_once_per_device_and_link_previews_are_not_people(client, kari_code):
    client.get(landing(kari_code), HTTP_USER_AGENT=PHONE)
    client.get(landing(kari_code), HTTP_USER_AGENT=PHONE)
    Client().get(landing(kari_code), HTTP_USER_AGENT="WhatsApp/2.23.20.0 A")
    Client().get(landing(kari_code), HTTP_USER_AGENT="facebookexternalhit/1.1")

    assert ReferralLinkOpen.objects.filter(code=kari_code).count() == 1


def test_joining_on_the_landing_page_records_the_invitation_and_tells_the_friend(english, kari_code):
    opened = english.get(landing(kari_code), HTTP_USER_AGENT=PHONE)

    response = english.post(landing(kari_code), join_data(), follow=True)

    friend = Member.objects.get(user__email="ola@example.org")
    referral = Referral.objects.get(friend=friend)
    assert (referral.referrer, referral.channel, referral.status) == (
        kari_code.member,
        Referral.Channel.LINK,
        Referral.Status.PENDING,
    )
    assert referral.opened_at is not None and referral.link_open.code == kari_code
    assert response.redirect_chain[-1][0] == reverse("members:welcome")
    assert "Kari invited you" in response.content.decode()
    assert opened.cookies[invites.DEVICE_COOKIE].value and referral.device_hash


def test_a_friend_who_browses_around_and_joins_on_the_normal_page_is_still_attributed(english, kari_code):
    english.get(landing(kari_code), HTTP_USER_AGENT=PHONE)
    english.get(reverse("home"))

    response = english.post(reverse("members:join"), join_data(), follow=True)

    referral = Referral.objects.get(friend__user__email="ola@example.org")
    assert referral.referrer == kari_code.member and referral.channel == Referral.Channel.LINK
    assert referral.friend.channel == Member.Channel.REFERRAL  # the dashboard's sign-up channel
    assert "Kari invited you" in response.content.decode()
    assert invites.SESSION_KEY not in english.session


def test_the_signed_cookie_carries_the_invitation_when_the_session_is_gone(client, kari_code):
    cookie = client.get(landing(kari_code), HTTP_USER_AGENT=PHONE).cookies[invites.INVITE_COOKIE].value
    later = Client()  # a new browser session, days later, with the cookie still there
    later.cookies[invites.INVITE_COOKIE] = cookie

    later.post(reverse("members:join"), join_data())

    assert Referral.objects.get(friend__user__email="ola@example.org").referrer == kari_code.member


def test_a_forged_invitation_cookie_is_ignored(client, kari_code):
    client.cookies[invites.INVITE_COOKIE] = kari_code.code  # unsigned

    client.post(reverse("members:join"), join_data())

    assert Member.objects.filter(user__email="ola@example.org").exists()
    assert not Referral.objects.exists()


def test_an_existing_member_logging_in_after_opening_a_link_is_not_a_new_friend(client, kari_code):
    client.get(landing(kari_code), HTTP_USER_AGENT=PHONE)
    old = Member.objects.create(
        user=type(kari_code.member.user).objects.create_user(email="per@example.org"),
        number="PER2345Q",
        card_secret="x" * 64,
        joined_at=timezone.now() - timedelta(days=90),
    )

    client.force_login(old.user)

    assert not Referral.objects.exists()


def test_a_code_typed_at_sign_up_records_the_invitation(english, kari_code):
    page = english.get(reverse("referrals:enter"))
    assert list(page.context["form"].fields) == ["code", "contact", "first_name", "marketing_consent"]

    response = english.post(reverse("referrals:enter"), join_data(code=f"  {kari_code.display.lower()} "))

    assert response.status_code == 302
    referral = Referral.objects.get(friend__user__email="ola@example.org")
    assert referral.channel == Referral.Channel.CODE and referral.referrer == kari_code.member


def test_the_normal_join_page_points_to_the_code_page(english):
    assert reverse("referrals:enter") in english.get(reverse("members:join")).content.decode()


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("ZZZZ2345", "No member has this invitation code"),
        ("ABC-0O1I", "eight letters and digits"),
        ("<script>", "eight letters and digits"),
        ("🙂🙂🙂🙂🙂🙂🙂🙂", "eight letters and digits"),
        ("x" * 500, "eight letters and digits"),
        ("", "Type the invitation code"),
    ],
)
def test_a_bad_code_at_sign_up_is_refused_with_a_clear_message_and_nobody_joins(
    english, kari_code, typed, message
):
    response = english.post(reverse("referrals:enter"), join_data(code=typed))

    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Member.objects.filter(user__email="ola@example.org").exists()
    assert not Referral.objects.exists()


@pytest.mark.parametrize("code", ["ZZZZ2345", "0O1I0O1I", "%3Cscript%3E", "🙂", "x" * 300])
def test_a_link_with_an_unknown_or_odd_code_says_so_and_offers_the_normal_sign_up(english, kari_code, code):
    response = english.get(f"/verv/{code}/")

    assert response.status_code in (400, 404)
    body = response.content.decode()
    assert "This invitation does not work" in body and reverse("members:join") in body


def test_walking_the_codes_is_stopped_after_twenty_wrong_ones(english, kari_code):
    for n in range(20):
        english.get(f"/verv/ZZZZ{n:04d}/".replace("0", "2").replace("1", "3"))

    response = english.get(landing(kari_code))

    assert response.status_code == 429
    assert "Too many unknown codes" in response.content.decode()


def test_the_own_code_at_sign_up_with_an_alias_address_joins_but_the_invitation_does_not_count(
    english, kari_code
):
    response = english.post(
        reverse("referrals:enter"),
        join_data(contact="Kari+butikk@example.com", code=kari_code.code),
        follow=True,
    )

    referral = Referral.objects.get(friend__user__email="kari+butikk@example.com")
    assert referral.status == Referral.Status.REFUSED and referral.reason_list == ["self_referral"]
    assert "the invitation does not count: Inviting yourself does not count" in response.content.decode()


def test_the_member_opening_their_own_link_is_told_it_is_theirs(english, kari_code):
    english.force_login(kari_code.member.user)

    body = english.get(landing(kari_code)).content.decode()

    assert "This is your own invitation link" in body and 'name="contact"' not in body
    assert not ReferralLinkOpen.objects.exists()


def test_another_member_opening_a_link_is_told_it_is_for_someone_new(english, kari_code, member):
    english.force_login(member.user)

    body = english.get(landing(kari_code)).content.decode()

    assert "You are already a member" in body and 'name="contact"' not in body


def test_with_the_programme_off_links_and_the_code_page_say_so(english, kari_code, program):
    program.is_active = False
    program.save()

    for url in (landing(kari_code), reverse("referrals:enter")):
        response = english.get(url)
        assert response.status_code == 404
        assert "no invite-a-friend offer right now" in response.content.decode()


def test_joining_through_a_link_with_an_address_already_taken_shows_the_join_error(english, kari_code):
    response = english.post(landing(kari_code), join_data(contact="kari@example.com"))

    assert response.status_code == 400
    assert "There is already a member" in response.content.decode()
    assert not Referral.objects.exists()
