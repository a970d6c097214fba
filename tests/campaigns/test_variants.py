"""A campaign tests two subject lines (issue 16): the members not held out are split evenly
between the variants, each gets their variant's text, and the page compares each variant
with the holdout."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from django.conf import settings
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from campaigns.errors import CampaignsError
from campaigns.experiments.assignment import group_for
from campaigns.experiments.results import experiment_result
from campaigns.models import CampaignContent
from campaigns.sending import pipeline
from campaigns.services import campaign_schedule
from members import roles
from rewards import services
from tests.campaigns.sending_helpers import campaign, subscriber
from tests.factories import LocationFactory, staff_user

pytestmark = pytest.mark.django_db
START = timezone.make_aware(datetime(2026, 12, 3, 12, 0))


def with_b(made, language="nb") -> None:
    CampaignContent.objects.create(
        campaign=made, language=language, variant="B", subject="Siste sjanse, {first_name}!", body="Tekst B"
    )


def send(made) -> None:
    campaign_schedule(campaign=made, now=START)
    pipeline.campaigns_run(now=START, hand_out=lambda ids: pipeline.messages_deliver(ids=ids, now=START))
    made.refresh_from_db()


def test_each_member_gets_the_subject_of_their_variant_and_the_holdout_nothing():
    members = [subscriber() for _ in range(60)]
    made = campaign(holdout_percent=20)
    with_b(made)

    send(made)

    shares = [("holdout", 20), ("A", 40), ("B", 40)]
    expected = {m.pk: group_for(m.pk, f"campaign:{made.pk}", shares) for m in members}
    assert dict(made.messages.values_list("member_id", "group")) == expected
    assert {"A", "B", "holdout"} <= set(expected.values())
    subjects = {m.to[0]: m.subject for m in mail.outbox}
    for member in members:
        group = expected[member.pk]
        if group == "holdout":
            assert member.user.email not in subjects
        else:
            first = member.user.first_name
            wanted = f"Hei {first}!" if group == "A" else f"Siste sjanse, {first}!"
            assert subjects[member.user.email] == wanted


def test_a_variant_without_its_norwegian_text_cannot_be_sent():
    subscriber()
    made = campaign()
    with_b(made, language="sv")

    with pytest.raises(CampaignsError) as refused:
        campaign_schedule(campaign=made, now=START)
    assert refused.value.code == "no_text"


def test_without_a_holdout_variant_b_is_compared_with_a():
    shop = LocationFactory()
    members = [subscriber() for _ in range(60)]
    made = campaign()
    with_b(made)
    send(made)
    b_group = set(made.messages.filter(group="B").values_list("member_id", flat=True))
    for member in members:
        if member.pk in b_group:
            services.purchase_register(
                member=member,
                amount_ore=5000,
                idempotency_key=f"b{member.pk}",
                location=shop,
                at=START + timedelta(days=1),
            )

    result = experiment_result(made)

    (compared,) = result.comparisons
    assert (compared.group, compared.against) == ("B", "A")
    assert compared.conversion.estimate == pytest.approx(1.0)
    assert compared.conversion.clear


def test_the_page_names_each_variant_against_the_holdout():
    for _ in range(40):
        subscriber()
    made = campaign(holdout_percent=30)
    with_b(made)
    send(made)
    client = Client()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "nb"
    client.force_login(staff_user(roles.OWNER))

    page = client.get(reverse("admin:campaigns_campaign_change", args=[made.pk]))

    text = page.content.decode()
    assert "Variant A mot Holdt utenfor" in text and "Variant B mot Holdt utenfor" in text
