"""The owner reaches the members who have not been in for a while, in a real browser and in
Norwegian: builds the segment and sees its count, writes a campaign with a coffee offer,
previews it, sends it; the member finds the voucher in the wallet and unsubscribes with the
link in the e-mail (issue 15)."""

from datetime import time, timedelta

import pytest
from django.core import mail
from django.utils import timezone

from campaigns.models import CampaignSettings, Message
from members import roles
from members.models import ConsentEvent, Location
from rewards import services
from tests.campaigns.sending_helpers import subscriber
from tests.factories import MemberFactory, RewardFactory, staff_user

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_the_owner_sends_a_win_back_offer_and_the_member_unsubscribes(logged_in, artifacts):
    rules = CampaignSettings.load()  # the suite runs at any hour; quiet hours have tests of their own
    rules.day_starts, rules.day_ends, rules.quiet_sundays = time(0), time(23, 59, 59), False
    rules.save()
    shop = Location.objects.create(name="Løkka")
    RewardFactory(name="Kaffe på huset", cost_points=None, voucher_valid_days=14)
    kari = subscriber(user__first_name="Kari")
    services.purchase_register(
        member=kari,
        amount_ore=9_900,
        idempotency_key="k",
        location=shop,
        at=timezone.now() - timedelta(days=45),
    )
    services.purchase_register(  # bought last week: not among those missed
        member=MemberFactory(user__first_name="Nylig"),
        amount_ore=5_000,
        idempotency_key="n",
        location=shop,
        at=timezone.now() - timedelta(days=7),
    )
    page = logged_in(staff_user(roles.OWNER, shop), viewport={"width": 1280, "height": 900}).new_page()

    # The segment: no purchase or visit for 30 days, and the count follows the form.
    page.goto("/admin/campaigns/segment/add/")
    page.fill("input[name=name]", "Savnet")
    page.select_option("#conditions-0 select[name$='-kind']", "last_seen")
    page.select_option("#conditions-0 select[name$='-comparison']", "at_least")
    page.fill("#conditions-0 input[name$='-number']", "30")
    page.wait_for_function("() => document.querySelector('#segment-count').innerText.includes('1 medlem;')")
    page.click("input[name=_save]")

    # The campaign, with the coffee as an offer and a merge field for the code.
    page.goto("/admin/campaigns/campaign/add/")
    page.fill("input[name=name]", "Vi savner deg")
    page.select_option("select[name=segment]", label="Savnet")
    page.select_option("select[name=offer]", label="Kaffe på huset")
    page.select_option("select[name=contents-0-language]", "nb")
    page.fill("input[name=contents-0-subject]", "Vi savner deg, {first_name}!")
    page.fill("textarea[name=contents-0-body]", "Kaffen er på oss: vis koden **{voucher_code}** i kassen.")
    page.click("input[name=_continue]")
    panel = page.locator(".campaign-panel").inner_text()
    assert "1 medlem i segmentet nå; 1 ville fått den." in panel

    page.click("text=Forhåndsvis")
    assert "Vi savner deg, Kari!" in page.locator("#content").inner_text()
    page.go_back()
    page.click("button:has-text('Send nå')")
    assert "Kampanjen er på vei." in page.locator(".messagelist").inner_text()
    # The report draws the days after sending (the same figures as the table under it).
    page.wait_for_function(
        "() => window.Chart && Chart.getChart(document.querySelector('[data-campaign-chart]'))"
    )
    assert page.locator(".campaign-panel table tbody tr").count() == 14
    page.screenshot(path=artifacts / "campaign-sent.png", full_page=True)

    assert [m.to for m in mail.outbox] == [[kari.user.email]]
    message = Message.objects.get()
    assert (message.status, message.voucher.code in mail.outbox[0].body) == (Message.Status.SENT, True)

    # Kari's wallet shows the offer; the e-mail's link unsubscribes her.
    member = logged_in(kari.user).new_page()
    member.goto("/medlem/lommebok/")
    assert "Tilbud til deg" in member.locator("main").inner_text()
    link = mail.outbox[0].extra_headers["List-Unsubscribe"].strip("<>").split("/avmeld/")[1]
    member.goto(f"/avmeld/{link}")
    member.get_by_role("button", name="Ja, meld meg av").click()
    assert member.locator("[role=status]").is_visible()
    latest = ConsentEvent.objects.filter(member=kari, channel="email").latest("created_at", "id")
    assert latest.granted is False
