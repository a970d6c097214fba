"""Reminders before a paid membership's trial ends and before it is due for renewal (issue
17): sent by the flows through the same pipeline, as service messages: whatever the member's
marketing choices, not counted in the contact budget, and saying what they are."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail

from campaigns.models import CampaignSettings, Message
from campaigns.services import campaign_schedule
from members import roles
from members.models import ConsentEvent
from rewards.services.membership import membership_cancel, membership_pay, trial_start
from rewards.services.membership_payments import marked_paid_by_owner
from tests.campaigns.flow_helpers import flow_on, oslo, tick
from tests.campaigns.sending_helpers import campaign, consent
from tests.factories import MemberFactory, PlanFactory, staff_user

pytestmark = pytest.mark.django_db
START = oslo(2026, 11, 2, 10, 0)


def to(member) -> list[str]:
    return [m.body for m in mail.outbox if m.to == [member.user.email]]


def headers_to(member) -> list[dict]:
    return [m.extra_headers for m in mail.outbox if m.to == [member.user.email]]


def test_a_trial_ending_in_a_week_is_told_once_even_to_a_member_who_said_no_to_offers(program):
    flow_on("trial_ending", at=START)
    vip = PlanFactory()
    said_no = MemberFactory(marketing_paused=True)
    consent(said_no, ConsentEvent.Channel.EMAIL, granted=False)
    trial_start(member=said_no, plan=vip, at=START)  # ends 2 December
    week_before = START + timedelta(days=23, hours=1)

    tick(week_before - timedelta(days=1))
    assert to(said_no) == []
    tick(week_before)
    tick(week_before + timedelta(hours=1))

    (body,) = to(said_no)
    assert "tjenestemelding om medlemskapet ditt" in body
    assert "List-Unsubscribe" not in headers_to(said_no)[0]  # not marketing: the note instead
    message = Message.objects.get(member=said_no)
    assert message.service and message.occasion == "2026-12-02"


def test_a_cancelled_trial_is_not_reminded(program):
    flow_on("trial_ending", at=START)
    member = MemberFactory()
    trial = trial_start(member=member, plan=PlanFactory(), at=START)
    membership_cancel(membership=trial, at=START + timedelta(days=1))

    tick(START + timedelta(days=24))

    assert to(member) == []


def test_a_renewal_reminder_does_not_use_up_the_budget_for_offers(program):
    rules = CampaignSettings.load()
    rules.emails_per_month = 1
    rules.save()
    flow_on("renewal", at=START)
    member = MemberFactory()
    consent(member, ConsentEvent.Channel.EMAIL)
    vip = PlanFactory(period="month")
    membership_pay(
        member=member,
        plan=vip,
        payment=marked_paid_by_owner(plan=vip, key="m", owner=staff_user(roles.OWNER)),
        at=START,
    )
    reminded_at = START + timedelta(days=24)
    tick(reminded_at)  # a month from 2 November ends on 2 December: a week before
    offer = campaign()
    campaign_schedule(campaign=offer, now=reminded_at)
    tick(reminded_at)

    assert len(to(member)) == 2
    assert offer.messages.get(member=member).status == Message.Status.SENT
