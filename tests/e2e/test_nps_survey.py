"""A member answers the survey from the link in their message on a phone, without logging
in (issue 16)."""

from datetime import time, timedelta

import pytest
from django.utils import timezone

from campaigns.flows.services import flow_switch, flows_enter
from campaigns.models import Campaign, CampaignContent, CampaignSettings, Flow, Message, NpsAnswer
from campaigns.nps import survey_token
from rewards import services
from tests.campaigns.sending_helpers import subscriber
from tests.e2e.conftest import watch
from tests.factories import LocationFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_a_member_answers_the_survey_on_a_phone(browser, live_server, artifacts):
    rules = CampaignSettings.load()  # the suite runs at any hour; quiet hours have tests of their own
    rules.day_starts, rules.day_ends, rules.quiet_sundays = time(0), time(23, 59, 59), False
    rules.save()
    flow = Flow.objects.get(kind="nps")
    step = Campaign.objects.create(name="NPS", flow=flow, channel="email")
    CampaignContent.objects.create(
        campaign=step, language="nb", subject="Hvordan var det?", body="{survey_link}"
    )
    flow_switch(flow=flow, on=True)
    kari = subscriber(user__first_name="Kari")
    services.purchase_register(
        member=kari, amount_ore=8900, idempotency_key="k", location=LocationFactory(), at=timezone.now()
    )
    flows_enter(now=timezone.now() + timedelta(minutes=1))
    message = Message.objects.get(member=kari)
    context = watch(
        browser.new_context(base_url=live_server.url, locale="nb-NO", viewport={"width": 360, "height": 740})
    )
    page = context.new_page()

    page.goto(f"/nps/{survey_token(message)}/")
    page.get_by_role("button", name="Send svaret").click()  # nothing chosen: told so
    assert "Velg et tall fra 0 til 10." in page.locator("main").inner_text()
    page.screenshot(path=artifacts / "nps-form.png", full_page=True)
    page.locator("label[for=score-9]").click()  # the big "9" button is the label of a hidden radio
    page.get_by_label("Hva er hovedgrunnen til svaret ditt? (valgfritt)").fill("Beste kanelbollene i byen")
    assert page.get_by_label("9", exact=True).is_checked()
    page.get_by_role("button", name="Send svaret").click()

    assert "Takk! Så hyggelig at du liker oss." in page.locator("[role=status]").inner_text()
    page.screenshot(path=artifacts / "nps-answered.png", full_page=True)
    answer = NpsAnswer.objects.get()
    assert (answer.score, answer.comment, answer.member) == (9, "Beste kanelbollene i byen", kari)
    context.close()
