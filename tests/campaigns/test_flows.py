"""Lifecycle flows (issue 16): the right members enter each step once per occasion, through
the same pipeline as campaigns (consent, budget, quiet hours). The clock is set by each test."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.core import mail

from campaigns.flows import triggers
from campaigns.flows.services import flow_switch, flows_enter
from campaigns.models import CampaignSettings, Flow, Message
from members.models import Member
from rewards import services
from rewards.models import PointsProgram
from tests.campaigns.flow_helpers import flow_on, oslo, tick
from tests.campaigns.sending_helpers import subscriber
from tests.conftest import requires_postgres
from tests.factories import LocationFactory, MemberFactory
from tests.rewards.wallet_helpers import give, run_together

pytestmark = pytest.mark.django_db
ON = oslo(2026, 11, 2, 9, 0)  # a Monday morning


@pytest.fixture(autouse=True)
def room_in_the_budget():
    rules = CampaignSettings.load()
    rules.emails_per_month = 10
    rules.save()


def joined(at, **fields) -> Member:
    member = subscriber(**fields)
    Member.objects.filter(pk=member.pk).update(joined_at=at)
    return member


def received(member) -> list[str]:
    return [m.subject for m in mail.outbox if m.to == [member.user.email]]


def test_the_welcome_series_greets_new_members_on_their_days_and_only_once():
    flow_on("welcome", 0, 2, at=ON)
    before = joined(ON - timedelta(days=1))  # joined before the flow was on: left alone
    kari = joined(ON + timedelta(hours=1), user__first_name="Kari")

    tick(ON + timedelta(hours=2))
    tick(ON + timedelta(hours=2, minutes=10))  # the next tick: nothing twice
    assert received(kari) == ["Hei Kari (0)"]

    tick(ON + timedelta(days=2, hours=2))
    assert received(kari) == ["Hei Kari (0)", "Hei Kari (2)"]
    assert received(before) == []


def test_a_welcome_a_week_late_is_not_sent_when_the_flow_counts_the_past_too():
    flow_on("welcome", 0, at=ON, only_from_now=False)
    recent, old = joined(ON - timedelta(days=3)), joined(ON - timedelta(days=30))

    tick(ON + timedelta(hours=1))

    assert len(received(recent)) == 1 and received(old) == []


def test_birthday_in_its_week_once_a_year_and_the_leap_day_on_28_february():
    flow_on("birthday", at=oslo(2026, 1, 1, 9))
    leap = subscriber(birthday=date(2000, 2, 29))
    other = subscriber(birthday=date(1990, 3, 10))

    tick(oslo(2027, 2, 22, 10))  # the week of Monday 22 to Sunday 28 February 2027
    tick(oslo(2027, 2, 25, 10))  # later the same week: once
    assert len(received(leap)) == 1 and received(other) == []
    assert Message.objects.get(member=leap).occasion == "2027"

    tick(oslo(2028, 2, 28, 10))  # a leap year: the week of the 29th
    assert len(received(leap)) == 2


def test_win_back_after_30_days_once_per_lapse_and_the_second_step_only_if_still_away():
    flow_on("win_back", 0, 14, at=ON, only_from_now=False, days=30)
    shop = LocationFactory()
    kari, ola = subscriber(), subscriber()
    for member in (kari, ola):
        services.purchase_register(
            member=member, amount_ore=5000, idempotency_key=f"{member.pk}:1", location=shop, at=ON
        )

    tick(ON + timedelta(days=29))
    assert Message.objects.count() == 0
    tick(ON + timedelta(days=31))
    assert len(received(kari)) == 1 and len(received(ola)) == 1
    assert Message.objects.filter(member=kari).get().occasion == "2026-11-02"

    services.purchase_register(  # Kari comes back; Ola does not
        member=kari, amount_ore=5000, idempotency_key="k2", location=shop, at=ON + timedelta(days=35)
    )
    tick(ON + timedelta(days=45))
    assert len(received(kari)) == 1 and len(received(ola)) == 2

    tick(ON + timedelta(days=66))  # Kari lapses again: a new occasion
    assert len(received(kari)) == 2


def test_points_about_to_expire_are_announced_once_with_their_date():
    program = PointsProgram.load()
    program.expiry_months = 12
    program.save()
    flow_on("expiring", at=ON, days=14)
    kari = subscriber()
    give(kari, 300, at=ON - timedelta(days=360))  # expires 5 days into the flow

    tick(ON)
    tick(ON + timedelta(days=1))

    assert len(received(kari)) == 1
    assert (
        Message.objects.get().occasion == (ON - timedelta(days=360) + timedelta(days=365)).date().isoformat()
    )


def test_flow_messages_meet_the_same_rules_and_erased_members_never_enter():
    flow_on("welcome", 0, at=ON)
    no_consent = MemberFactory()
    Member.objects.filter(pk=no_consent.pk).update(joined_at=ON + timedelta(hours=1))
    erased = joined(ON + timedelta(hours=1))
    Member.objects.filter(pk=erased.pk).update(erased_at=ON + timedelta(hours=1))

    tick(ON + timedelta(hours=2))

    assert Message.objects.get(member=no_consent).reason == Message.Reason.NO_CONSENT
    assert not Message.objects.filter(member=erased).exists()
    assert mail.outbox == []


def test_switching_a_flow_off_pauses_its_steps_and_drops_what_has_not_gone():
    flow, (step,) = flow_on("welcome", 0, at=ON)
    joined(ON + timedelta(hours=1))
    flows_enter(now=ON + timedelta(hours=2))  # entered, not yet sent

    flow_switch(flow=flow, on=False)
    tick(ON + timedelta(hours=3))

    step.refresh_from_db()
    assert step.status == "paused" and mail.outbox == []
    assert set(Message.objects.values_list("status", "reason")) == {("suppressed", "cancelled")}
    assert Flow.objects.get(pk=flow.pk).enabled is False


def test_a_step_without_its_norwegian_text_waits_for_one():
    _flow, (step,) = flow_on("welcome", 0, at=ON)
    step.contents.all().delete()
    joined(ON + timedelta(hours=1))

    assert flows_enter(now=ON + timedelta(hours=2)) == 0


@requires_postgres()
@pytest.mark.django_db(transaction=True)
def test_two_ticks_at_the_same_moment_enter_each_member_once():
    flow_on("welcome", 0, at=ON)
    members = [joined(ON + timedelta(hours=1)) for _ in range(30)]

    run_together(2, lambda n: flows_enter(now=ON + timedelta(hours=2)))

    assert Message.objects.count() == len(members)


def test_a_club_walked_a_few_members_at_a_time_enters_each_member_once(monkeypatch):
    monkeypatch.setattr(triggers, "TRIGGER_BATCH", 2)  # the walk, in batches smaller than the club
    flow_on("welcome", 0, at=ON)
    newcomers = [joined(ON + timedelta(hours=1), user__first_name=f"Ny{i}") for i in range(5)]

    tick(ON + timedelta(hours=2))
    tick(ON + timedelta(hours=2, minutes=10))

    assert [received(member) for member in newcomers] == [[f"Hei Ny{i} (0)"] for i in range(5)]
