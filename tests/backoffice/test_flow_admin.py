"""The owner runs the flows from admin (issue 16): each club has every kind, switched off; a
step is added on the flow's page and written on its own; switching on dates the start."""

from __future__ import annotations

import pytest
from django.urls import reverse

from campaigns.models import Campaign, Flow

pytestmark = pytest.mark.django_db


def test_the_club_has_every_kind_of_flow_switched_off(owner_client):
    page = owner_client.get(reverse("admin:campaigns_flow_changelist"))

    assert page.status_code == 200
    assert sorted(Flow.objects.values_list("kind", "enabled")) == sorted(
        (kind, False) for kind in Flow.Kind.values
    )
    assert "welcome series" in page.content.decode() and "tier about to lapse" in page.content.decode()


def test_adding_a_step_and_switching_the_flow_on(owner_client):
    flow = Flow.objects.get(kind="win_back")
    url = reverse("admin:campaigns_flow_change", args=[flow.pk])

    page = owner_client.post(
        url,
        {
            "enabled": "on",
            "days": "30",
            "only_from_now": "on",
            "steps-TOTAL_FORMS": "1",
            "steps-INITIAL_FORMS": "0",
            "steps-0-name": "Vi savner deg",
            "steps-0-delay_days": "0",
            "steps-0-channel": "email",
            "steps-0-offer": "",
        },
    )

    assert page.status_code == 302, page.content.decode()[:2000]
    flow.refresh_from_db()
    step = Campaign.objects.get(flow=flow)
    assert flow.enabled and flow.enabled_at is not None
    assert step.status == Campaign.Status.SENDING and step.segment is None
    # The step's own page takes its texts, though it is sending.
    step_page = owner_client.get(reverse("admin:campaigns_campaign_change", args=[step.pk]))
    assert 'name="contents-0-subject"' in step_page.content.decode()


def test_a_campaign_without_a_segment_is_refused_with_a_reason(owner_client):
    page = owner_client.post(
        reverse("admin:campaigns_campaign_add"),
        {
            "name": "Uten segment",
            "channel": "email",
            "repeat": "",
            "holdout_percent": "0",
            "contents-TOTAL_FORMS": "0",
            "contents-INITIAL_FORMS": "0",
        },
    )

    assert page.status_code == 200
    assert "Choose the segment the campaign goes to." in page.content.decode()
    assert not Campaign.objects.exists()
