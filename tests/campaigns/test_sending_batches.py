"""A delivery task decides its whole batch at once (issue 15's throughput): the rules still
hold per member when one batch, or two batches at the same moment, carry messages of two
campaigns to the same member."""

from __future__ import annotations

from datetime import datetime

import pytest
from django.core import mail
from django.utils import timezone

from campaigns.models import CampaignSettings, Message
from campaigns.sending import pipeline
from campaigns.services import campaign_schedule
from tests.campaigns.sending_helpers import campaign, subscriber
from tests.conftest import requires_postgres
from tests.rewards.wallet_helpers import run_together

NOON = timezone.make_aware(datetime(2026, 12, 3, 12, 0))


def one_email_a_month() -> None:
    rules = CampaignSettings.load()
    rules.emails_per_month = 1
    rules.save()


def two_campaigns_claimed(*members) -> tuple[list[int], list[int]]:
    """Two campaigns to the same members, their messages claimed: (first's ids, second's)."""
    made = [campaign(), campaign()]
    for each in made:
        campaign_schedule(campaign=each, now=NOON)
    pipeline.campaigns_run(now=NOON, hand_out=lambda ids: None)
    return tuple(list(each.messages.values_list("pk", flat=True)) for each in made)


@pytest.mark.django_db
def test_two_campaigns_to_one_member_in_the_same_batch_use_the_budget_once():
    one_email_a_month()
    kari, ola = subscriber(), subscriber()
    first, second = two_campaigns_claimed(kari, ola)

    statuses = pipeline.messages_deliver(ids=first + second, now=NOON)

    assert sorted(statuses) == ["sent", "sent", "suppressed", "suppressed"]
    assert sorted(m.to[0] for m in mail.outbox) == sorted([kari.user.email, ola.user.email])
    assert set(Message.objects.filter(status="suppressed").values_list("reason", flat=True)) == {"budget"}


@pytest.mark.django_db
def test_a_batch_reports_each_message_in_the_order_it_was_given_and_leaves_others_alone():
    subscriber(), subscriber()
    first, second = two_campaigns_claimed()
    pipeline.messages_deliver(ids=first, now=NOON)

    again = pipeline.messages_deliver(ids=[*first, 10_000_000], now=NOON)  # a twin, and a stray id

    assert again == ["sent", "sent", ""]
    assert len(mail.outbox) == 2
    assert set(Message.objects.filter(pk__in=second).values_list("status", flat=True)) == {"claimed"}


@requires_postgres()
@pytest.mark.django_db(transaction=True)
def test_two_batches_at_the_same_moment_for_one_member_send_one_message_within_the_budget():
    one_email_a_month()
    kari = subscriber()
    first, second = two_campaigns_claimed(kari)

    outcomes = run_together(2, lambda n: pipeline.messages_deliver(ids=[first, second][n], now=NOON))

    assert sorted(status for each in outcomes for status in each) == ["sent", "suppressed"]
    assert len(mail.outbox) == 1
