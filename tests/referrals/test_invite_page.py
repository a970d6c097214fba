"""The member's "Invite a friend" page: link, QR, share buttons, progress — their own only."""

import re
from datetime import timedelta
from urllib.parse import quote

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from referrals import services
from referrals.models import ReferralLinkOpen
from tests.factories import MemberFactory
from tests.referrals.helpers import buy, invited

pytestmark = pytest.mark.django_db
PAGE = reverse("referrals:invite")


@pytest.fixture
def kari_client(english, kari, program):
    english.force_login(kari.user)
    return english


def test_anonymous_visitors_are_sent_to_log_in(client):
    response = client.get(PAGE)
    assert response.status_code == 302 and response.url.startswith(reverse("account_login"))


def test_the_page_has_the_link_the_code_a_qr_and_what_both_get(kari_client, kari):
    response = kari_client.get(PAGE)
    body = response.content.decode()
    code = services.referral_code_get_or_create(member=kari)

    assert response.status_code == 200
    assert f"http://testserver/verv/{code.code}/" in body and code.display in body
    assert 'class="qr"' in body and 'aria-label="QR code of your invitation link"' in body
    assert "You get 200 points." in body and "Your friend gets 100 points." in body
    assert '<label class="form-label" for="invite-message">' in body  # the editable message has a label


def test_share_links_carry_the_prefilled_message_and_the_script_keeps_them_in_step(kari_client, kari):
    context = kari_client.get(PAGE).context
    message = context["message"]

    assert context["link"] in message
    assert context["sms_href"] == f"sms:?&body={quote(message)}"
    assert context["mailto_href"].startswith("mailto:?subject=") and quote(message) in context["mailto_href"]
    assert context["whatsapp_href"] == f"https://wa.me/?text={quote(message)}"
    body = kari_client.get(PAGE).content.decode()
    assert 'data-href-template="sms:?&amp;body={message}"' in body and "js/invite.js" in body
    assert re.findall(r'<script src="([^"]+)"', body) == [
        "/static/vendor/bootstrap/bootstrap.bundle.min.js",
        "/static/js/invite.js",
    ]  # nothing from a CDN


def test_the_code_is_made_once_and_stays_the_same(kari_client, kari):
    first = kari_client.get(PAGE).context["code"]
    assert kari_client.get(PAGE).context["code"] == first


def test_progress_lists_invited_joined_qualified_and_rewarded_with_first_names_only(
    kari_client, kari, no_hold, after_commit
):
    code = services.referral_code_get_or_create(member=kari)
    services.link_open_record(code=code, device="someone-elses-phone-1234")
    waiting = invited(code, first_name="Nora", email="nora.secret@example.org")
    rewarded = invited(code, first_name="Jonas", phone="+4798765432")
    with after_commit():
        buy(rewarded.friend)

    body = kari_client.get(PAGE).content.decode()

    assert "Nora" in body and "Jonas" in body
    assert "nora.secret@example.org" not in body and "98765432" not in body
    assert waiting.friend.number not in body and rewarded.friend.display_number not in body
    assert "Waiting for the first purchase." in body
    assert "Rewarded" in body and "1 friend has brought you a reward" in body
    assert "Opened your link" in body  # the open that did not join (yet)


def test_a_member_sees_only_their_own_invitations(english, program, kari):
    code = services.referral_code_get_or_create(member=kari)
    invited(code, first_name="Torbjørg")
    ReferralLinkOpen.objects.create(code=code, device_hash="x" * 32)
    other = MemberFactory(user__first_name="Sigrunn")
    english.force_login(other.user)

    response = english.get(PAGE)
    body = response.content.decode()

    assert response.context["progress"].referrals == [] and response.context["progress"].opens == []
    assert "Torbjørg" not in body and code.code not in body and "Kari" not in body


def test_no_member_id_in_the_url_so_another_members_page_cannot_be_addressed(kari_client, kari):
    assert kari_client.get(f"/medlem/verv/{kari.pk}/").status_code == 404


def test_with_the_programme_off_the_page_says_so_and_makes_no_code(kari_client, program):
    program.is_active = False
    program.save()

    response = kari_client.get(PAGE)

    assert "no invite-a-friend offer right now" in response.content.decode()
    assert "code" not in response.context


def test_the_menu_and_the_card_page_lead_to_it(kari_client):
    body = kari_client.get(reverse("members:card")).content.decode()
    assert body.count(f'href="{PAGE}"') == 2


def test_the_page_works_in_norwegian_and_swedish_too(kari, program):
    for language in ("nb", "sv"):
        client = Client()
        client.cookies["lojal_language"] = language
        client.force_login(kari.user)
        assert client.get(PAGE).status_code == 200


def test_the_hold_date_is_shown_while_a_qualified_referral_waits(kari_client, kari, program, after_commit):
    code = services.referral_code_get_or_create(member=kari)
    referral = invited(code)
    with after_commit():
        buy(referral.friend)
    referral.refresh_from_db()

    body = kari_client.get(PAGE).content.decode()

    assert "Reward on" in body and "Qualified" in body
    assert referral.payable_at - referral.qualified_at == timedelta(days=14)


def test_the_page_takes_the_same_queries_however_many_friends(kari_client, kari):
    code = services.referral_code_get_or_create(member=kari)
    invited(code)
    kari_client.get(PAGE)
    with CaptureQueriesContext(connection) as one:
        kari_client.get(PAGE)
    for _n in range(8):
        invited(code)
    with CaptureQueriesContext(connection) as nine:
        kari_client.get(PAGE)
    assert len(nine) == len(one)
