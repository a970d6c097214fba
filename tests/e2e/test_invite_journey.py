"""Invite a friend as it is used: the member edits the message and sends it, the friend joins."""

from urllib.parse import unquote

import pytest

from referrals.models import Referral, ReferralProgram
from tests.e2e.conftest import watch
from tests.factories import MemberFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}


def test_the_member_edits_the_message_the_links_carry_it_and_the_friend_joins_through_the_link(
    logged_in, browser, live_server, artifacts
):
    program = ReferralProgram.load()
    program.is_active = True
    program.referrer_points, program.friend_points = 200, 100
    program.save()
    kari = MemberFactory(user__first_name="Kari", user__email="kari@example.com")

    # Kari opens "Verv en venn" on her phone and writes her own message.
    page = logged_in(kari.user, **PHONE).new_page()
    page.goto("/medlem/verv/")
    link = page.locator("#invite-link").input_value()
    assert page.locator("[data-copy]").is_visible()  # the copy button shows where it works
    page.fill("#invite-message", f"Bli med i bakeklubben! {link}")
    sms = unquote(page.get_by_role("link", name="Send på SMS").get_attribute("href"))
    whatsapp = unquote(page.get_by_role("link", name="Send på WhatsApp").get_attribute("href"))
    page.screenshot(path=artifacts / "invite.png", full_page=True)

    assert sms.startswith("sms:") and f"Bli med i bakeklubben! {link}" in sms
    assert f"Bli med i bakeklubben! {link}" in whatsapp

    # Her friend opens the link on his own phone: the page names Kari, and he joins.
    friend = watch(browser.new_context(base_url=live_server.url, locale="nb-NO", **PHONE))
    try:
        landing = friend.new_page()
        landing.goto(link)
        assert "Kari inviterer deg" in landing.content()
        landing.fill("input[name=contact]", "ola@example.org")
        landing.fill("input[name=first_name]", "Ola")
        landing.get_by_role("button", name="Bli medlem").click()
        landing.wait_for_url("**/velkommen/**")
    finally:
        friend.close()

    referral = Referral.objects.get(friend__user__email="ola@example.org")
    assert referral.referrer == kari and referral.status == Referral.Status.PENDING
