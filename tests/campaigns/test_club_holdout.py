"""The club's standing holdout (issue 16): a share of all members gets no marketing for a
period, drawn anew each period, and the dashboard shows what the messages add over them."""

from __future__ import annotations

from datetime import datetime, time, timedelta

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from campaigns.experiments.results import club_holdout_period, club_holdout_result, in_club_holdout
from campaigns.models import CampaignSettings, Message
from campaigns.sending import pipeline
from campaigns.services import campaign_schedule
from members import roles
from members.models import Member
from rewards import services
from tests.campaigns.sending_helpers import campaign, subscriber
from tests.factories import LocationFactory, staff_user

pytestmark = pytest.mark.django_db


def oslo(*args) -> datetime:
    return timezone.make_aware(datetime(*args))


@pytest.fixture
def held_out_club():
    rules = CampaignSettings.load()
    rules.club_holdout_percent, rules.club_holdout_months = 20, 3
    rules.day_starts, rules.day_ends, rules.quiet_sundays = time(0), time(23, 59, 59), False
    rules.save()
    return rules


def test_the_periods_start_on_1_january_and_roll_over_the_new_year():
    start, end, name = club_holdout_period(oslo(2026, 12, 3, 12), 3)
    assert (start, end, name) == (oslo(2026, 10, 1), oslo(2027, 1, 1), "2026-3")
    start, end, name = club_holdout_period(oslo(2026, 11, 3, 12), 5)  # Nov-Dec: a short last period
    assert (start, end, name) == (oslo(2026, 11, 1), oslo(2027, 1, 1), "2026-2")


def test_members_in_the_standing_holdout_get_no_campaign_and_the_draw_changes_each_period(held_out_club):
    members = [subscriber() for _ in range(50)]
    now = oslo(2026, 12, 3, 12)
    made = campaign()
    campaign_schedule(campaign=made, now=now)
    pipeline.campaigns_run(now=now, hand_out=lambda ids: pipeline.messages_deliver(ids=ids, now=now))

    held = {m.pk for m in members if in_club_holdout(m.pk, now, held_out_club)}
    suppressed = set(
        made.messages.filter(reason=Message.Reason.CLUB_HOLDOUT).values_list("member_id", flat=True)
    )
    next_period = {m.pk for m in members if in_club_holdout(m.pk, oslo(2027, 1, 2), held_out_club)}
    assert suppressed == held and 0 < len(held) < 50
    assert next_period != held


def test_the_dashboard_shows_what_the_messages_add(held_out_club):
    shop = LocationFactory()
    members = [subscriber() for _ in range(60)]
    Member.objects.update(joined_at=oslo(2026, 1, 1))
    now = oslo(2026, 12, 3, 12)
    for member in members:
        if not in_club_holdout(member.pk, now, held_out_club):
            services.purchase_register(
                member=member,
                amount_ore=5000,
                idempotency_key=f"p{member.pk}",
                location=shop,
                at=now - timedelta(days=5),
            )

    result = club_holdout_result(now)

    held = sum(1 for m in members if in_club_holdout(m.pk, now, held_out_club))
    assert (result.groups["holdout"].members, result.groups["holdout"].buyers) == (held, 0)
    assert (result.groups[""].members, result.groups[""].buyers) == (60 - held, 60 - held)
    client = Client()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "nb"
    client.force_login(staff_user(roles.OWNER))
    page = client.get(reverse("campaigns:dashboard"))
    assert "Hva meldingene gir" in page.content.decode()


def test_the_owner_sets_the_sending_rules_and_the_standing_holdout_in_admin():
    client = Client()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "nb"
    client.force_login(staff_user(roles.OWNER))
    url = reverse("admin:campaigns_campaignsettings_change", args=[CampaignSettings.load().pk])

    page = client.get(url).content.decode()

    for field in ("emails_per_month", "day_ends", "attribution_days", "club_holdout_percent", "nps_points"):
        assert f'name="{field}"' in page
