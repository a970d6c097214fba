"""NPS (issue 16): a survey after a purchase through the pipeline, answered once through a
signed link without logging in; promoters invited to refer friends two days later unless
refunded; detractors a follow-up for customer service, with the owner told."""

from __future__ import annotations

from datetime import time, timedelta

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from campaigns.flows.services import flows_enter
from campaigns.models import CampaignSettings, Flow, Message, NpsAnswer
from campaigns.nps import nps_answer, survey_token
from members import roles
from rewards import services
from tests.campaigns.flow_helpers import flow_on, oslo, tick
from tests.campaigns.sending_helpers import subscriber
from tests.factories import LocationFactory, staff_user
from tests.rewards.wallet_helpers import balance

pytestmark = pytest.mark.django_db
ON = oslo(2026, 11, 2, 9, 0)


@pytest.fixture(autouse=True)
def room_in_the_budget():
    rules = CampaignSettings.load()
    rules.emails_per_month = 10
    # One test runs on the real clock, at any hour: quiet hours have tests of their own.
    rules.day_starts, rules.day_ends, rules.quiet_sundays = time(0), time(23, 59, 59), False
    rules.save()


@pytest.fixture
def shop():
    return LocationFactory(name="Løkka")


def buy(member, shop, at, key=None):
    return services.purchase_register(
        member=member, amount_ore=10_000, idempotency_key=key or f"{member.pk}:{at}", location=shop, at=at
    ).entry


def survey_flow():
    flow, (step,) = flow_on("nps", at=ON, only_from_now=False, days=90)
    step.contents.update(subject="Hvordan var besøket?", body="Svar her: {survey_link}")
    return flow, step


def test_after_a_purchase_the_member_gets_one_survey_with_a_link_and_not_again_for_90_days(shop):
    survey_flow()
    kari = subscriber()
    buy(kari, shop, ON + timedelta(hours=1))

    tick(ON + timedelta(hours=2))
    buy(kari, shop, ON + timedelta(days=20))
    tick(ON + timedelta(days=20, hours=1))

    (sent,) = [m for m in mail.outbox if m.to == [kari.user.email]]
    assert "/nps/" in sent.body
    assert Message.objects.filter(member=kari).count() == 1


def test_no_survey_within_48_hours_of_a_refund(shop):
    survey_flow()
    kari = subscriber()
    entry = buy(kari, shop, ON + timedelta(hours=1))
    services.entry_reverse(entry=entry, reason="refund", idempotency_key="r", at=ON + timedelta(hours=2))
    buy(kari, shop, ON + timedelta(hours=3), key="again")

    assert flows_enter(now=ON + timedelta(hours=4)) == 0


def answer_page(client, message, **data):
    url = reverse("campaigns:nps", args=[survey_token(message)])
    return client.post(url, data) if data else client.get(url)


def test_the_member_answers_once_without_logging_in_and_a_tampered_link_is_refused(shop):
    survey_flow()
    kari = subscriber()
    buy(kari, shop, ON + timedelta(hours=1))
    tick(ON + timedelta(hours=2))
    message = Message.objects.get(member=kari)
    client = Client()

    first = answer_page(client, message, score="8", comment="Gode boller")
    second = answer_page(client, message, score="0")
    tampered = client.get(reverse("campaigns:nps", args=[survey_token(message)[:-2] + "xx"]))

    assert first.status_code == 200 and "Takk for svaret" in first.content.decode()
    assert second.status_code == 200 and NpsAnswer.objects.get().score == 8
    assert NpsAnswer.objects.get().location == shop
    assert tampered.status_code == 400 and "ikke gyldig" in tampered.content.decode()


def test_a_score_outside_0_to_10_is_refused_with_a_reason(shop):
    survey_flow()
    kari = subscriber()
    buy(kari, shop, ON + timedelta(hours=1))
    tick(ON + timedelta(hours=2))

    page = answer_page(Client(), Message.objects.get(member=kari), score="11")

    assert page.status_code == 400 and "Velg et tall fra 0 til 10." in page.content.decode()
    assert not NpsAnswer.objects.exists()


def test_a_promoter_is_invited_two_days_later_unless_refunded_meanwhile(shop):
    survey_flow()
    _flow, (invite,) = flow_on("promoter", at=ON, days=2)
    invite.contents.update(subject="Del med en venn", body="Verv her: {referral_link}")
    kari, ola = subscriber(), subscriber()
    entries = {m.pk: buy(m, shop, ON + timedelta(hours=1)) for m in (kari, ola)}
    tick(ON + timedelta(hours=2))
    for member in (kari, ola):
        nps_answer(message=Message.objects.get(member=member), score=10, now=ON + timedelta(hours=3))
    services.entry_reverse(
        entry=entries[ola.pk], reason="refund", idempotency_key="r", at=ON + timedelta(days=1)
    )
    mail.outbox.clear()

    tick(ON + timedelta(days=1, hours=4))  # a day after: not yet
    assert mail.outbox == []
    tick(ON + timedelta(days=2, hours=4))

    assert [m.to for m in mail.outbox] == [[kari.user.email]]
    assert "/medlem/verv/" in mail.outbox[0].body


def test_a_detractor_opens_a_follow_up_and_the_owner_is_told(shop, django_capture_on_commit_callbacks):
    survey_flow()
    owner = staff_user(roles.OWNER)
    kari = subscriber()
    buy(kari, shop, ON + timedelta(hours=1))
    tick(ON + timedelta(hours=2))
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        answer = nps_answer(message=Message.objects.get(member=kari), score=3, comment="Kald kaffe")

    assert answer.follow_up == NpsAnswer.FollowUp.OPEN
    (told,) = mail.outbox
    assert told.to == [owner.email] and "Kald kaffe" in told.body and "3 av 10" in told.subject


def test_points_for_answering_are_given_once_per_survey(shop):
    rules = CampaignSettings.load()
    rules.nps_points = 25
    rules.save()
    survey_flow()
    kari = subscriber()
    buy(kari, shop, ON + timedelta(hours=1))
    tick(ON + timedelta(hours=2))
    before = balance(kari)

    answer_page(Client(), Message.objects.get(member=kari), score="9")
    answer_page(Client(), Message.objects.get(member=kari), score="9")

    assert balance(kari) == before + 25


def test_customer_service_can_follow_up_the_answers_in_admin(shop):
    survey_flow()
    kari = subscriber()
    buy(kari, shop, ON + timedelta(hours=1))
    tick(ON + timedelta(hours=2))
    answer = nps_answer(message=Message.objects.get(member=kari), score=2)
    client = Client()
    client.force_login(staff_user(roles.CUSTOMER_SERVICE, is_staff=True))
    url = reverse("admin:campaigns_npsanswer_change", args=[answer.pk])

    page = client.post(url, {"follow_up": "contacted", "follow_up_note": "Ringte, ga en kaffe"})

    assert page.status_code == 302
    answer.refresh_from_db()
    assert (answer.follow_up, answer.score) == ("contacted", 2)
    assert Flow.objects.filter(kind="nps").exists()


def test_the_card_page_links_to_the_survey_until_it_is_answered(shop):
    survey_flow()
    kari = subscriber()
    buy(kari, shop, timezone.now() - timedelta(hours=3))
    tick(timezone.now() - timedelta(hours=1))
    message = Message.objects.get(member=kari)
    client = Client()
    client.force_login(kari.user)

    before = client.get(reverse("members:card")).content.decode()
    nps_answer(message=message, score=8)
    after = client.get(reverse("members:card")).content.decode()

    assert reverse("campaigns:nps", args=[survey_token(message)]) in before
    assert "/nps/" not in after
