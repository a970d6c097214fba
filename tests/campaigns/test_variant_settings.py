"""A variant may change more than its text (issue 16): its share of the members, its offer and
its timing; and a flow's step, measured like a campaign, rolls its clear winner out."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from campaigns.errors import CampaignsError
from campaigns.experiments.assignment import group_for
from campaigns.experiments.results import experiment_result
from campaigns.experiments.services import experiment_use_winner
from campaigns.models import Campaign, CampaignContent, CampaignSettings, Message, Variant
from campaigns.sending import pipeline
from campaigns.services import campaign_schedule
from members import roles
from rewards import services
from rewards.models import Voucher
from tests.campaigns.flow_helpers import flow_on, oslo, tick
from tests.campaigns.sending_helpers import campaign, subscriber
from tests.factories import LocationFactory, RewardFactory, staff_user

pytestmark = pytest.mark.django_db
START = timezone.make_aware(datetime(2026, 12, 3, 12, 0))


@pytest.fixture(autouse=True)
def room_in_the_budget():
    rules = CampaignSettings.load()
    rules.emails_per_month = 10
    rules.save()


def with_b(made, **variant) -> None:
    CampaignContent.objects.create(
        campaign=made, language="nb", variant="B", subject="B: {first_name}", body="B"
    )
    if variant:
        Variant.objects.create(campaign=made, letter="B", **variant)


def run(at: datetime) -> None:
    pipeline.campaigns_run(now=at, hand_out=lambda ids: pipeline.messages_deliver(ids=ids, now=at))


def test_a_variant_with_a_set_share_gets_that_part_of_the_members_not_held_out():
    members = [subscriber() for _ in range(80)]
    made = campaign(holdout_percent=10)
    with_b(made, share=25)

    campaign_schedule(campaign=made, now=START)
    run(START)

    split = [("holdout", 10), ("A", 67.5), ("B", 22.5)]
    expected = {m.pk: group_for(m.pk, f"campaign:{made.pk}", split) for m in members}
    assert dict(made.messages.values_list("member_id", "group")) == expected


def test_shares_over_a_hundred_or_leaving_a_variant_nothing_are_refused_before_sending():
    subscriber()
    made = campaign()
    with_b(made, share=100)

    with pytest.raises(CampaignsError) as refused:
        campaign_schedule(campaign=made, now=START)
    assert refused.value.code == "shares"


def test_each_variant_gives_its_own_offer_and_the_others_the_campaigns():
    members = [subscriber() for _ in range(30)]
    coffee, bun = RewardFactory(name="Kaffe"), RewardFactory(name="Bolle")
    made = campaign(offer=coffee)
    with_b(made, offer=bun)

    campaign_schedule(campaign=made, now=START)
    run(START)

    given = dict(made.messages.values_list("group", "voucher__reward__name").distinct())
    assert given == {"A": "Kaffe", "B": "Bolle"}
    assert Voucher.objects.filter(source=Voucher.Source.CAMPAIGN).count() == len(members)


def test_a_variant_that_tests_timing_goes_its_hours_later():
    members = [subscriber() for _ in range(30)]
    made = campaign()
    with_b(made, delay_hours=3)
    campaign_schedule(campaign=made, now=START)

    run(START)
    later = {m.user.email for m in members if made.messages.get(member=m).group == "B"}
    assert later and not later & {m.to[0] for m in mail.outbox}

    run(START + timedelta(hours=3))
    assert later <= {m.to[0] for m in mail.outbox}
    assert made.messages.filter(status=Message.Status.SENT).count() == len(members)


def test_a_flow_step_holds_out_its_share_who_get_nothing():
    _flow, (step,) = flow_on("birthday", at=oslo(2026, 1, 1, 9))
    Campaign.objects.filter(pk=step.pk).update(holdout_percent=50)
    members = [subscriber(birthday=date(1990, 3, 10)) for _ in range(30)]

    tick(oslo(2026, 3, 9, 10))

    held = {
        m.pk
        for m in members
        if group_for(m.pk, f"campaign:{step.pk}", [("holdout", 50), ("", 50)]) == "holdout"
    }
    assert (
        held
        and set(step.messages.filter(reason=Message.Reason.HOLDOUT).values_list("member_id", flat=True))
        == held
    )
    reached = {m.to[0] for m in mail.outbox}
    assert all((m.user.email in reached) == (m.pk not in held) for m in members)


def test_a_birthday_offer_is_a_new_voucher_each_year():
    _flow, (step,) = flow_on("birthday", at=oslo(2026, 1, 1, 9))
    Campaign.objects.filter(pk=step.pk).update(
        offer=RewardFactory(name="Bursdagskake", voucher_valid_days=30)
    )
    step.refresh_from_db()
    member = subscriber(birthday=date(1990, 3, 10))

    tick(oslo(2026, 3, 9, 10))
    tick(oslo(2027, 3, 8, 10))

    assert Voucher.objects.filter(wallet__member=member, reward=step.offer).count() == 2


def test_a_flow_steps_clear_winner_is_rolled_out_to_everyone_entering_after():
    shop = LocationFactory()
    _flow, (step,) = flow_on("birthday", at=oslo(2026, 1, 1, 9))
    with_b(step)
    first = [subscriber(birthday=date(1990, 3, 10)) for _ in range(60)]
    tick(oslo(2026, 3, 9, 10))
    for member in first:
        if step.messages.get(member=member).group == "B":  # everyone who got B bought, nobody with A
            services.purchase_register(
                member=member,
                amount_ore=5000,
                idempotency_key=f"b{member.pk}",
                location=shop,
                at=oslo(2026, 3, 10, 12),
            )
    with pytest.raises(CampaignsError):
        experiment_use_winner(step=step, letter="A")  # not the winner: refused

    assert experiment_result(step).winner == "B"
    experiment_use_winner(step=step, letter="B")
    later = [subscriber(birthday=date(1990, 4, 20)) for _ in range(20)]
    tick(oslo(2026, 4, 20, 10))

    assert set(step.messages.filter(member__in=later).values_list("group", flat=True)) == {"B"}
    assert step.messages.filter(member__in=first, group="A").exists()  # who had A keeps it


def test_no_winner_while_the_difference_could_be_chance():
    shop = LocationFactory()
    _flow, (step,) = flow_on("birthday", at=oslo(2026, 1, 1, 9))
    with_b(step)
    members = [subscriber(birthday=date(1990, 3, 10)) for _ in range(24)]
    tick(oslo(2026, 3, 9, 10))
    for member in members[::2]:  # half of each group buys, give or take
        services.purchase_register(
            member=member,
            amount_ore=5000,
            idempotency_key=f"c{member.pk}",
            location=shop,
            at=oslo(2026, 3, 10, 12),
        )

    assert experiment_result(step).winner is None
    with pytest.raises(CampaignsError) as refused:
        experiment_use_winner(step=step, letter="B")
    assert refused.value.code == "no_winner"


def campaign_then_birthday_flow(priority: str) -> tuple[Message, Message]:
    """With a budget of one e-mail a month, a campaign goes out and then a birthday flow's
    step comes due for the same member; their two messages."""
    rules = CampaignSettings.load()
    rules.emails_per_month, rules.priority = 1, priority
    rules.save()
    member = subscriber(birthday=date(1990, 12, 5))
    made = campaign()
    campaign_schedule(campaign=made, now=START)
    run(START)
    _flow, (step,) = flow_on("birthday", at=START)
    tick(START + timedelta(hours=1))
    return made.messages.get(member=member), step.messages.get(member=member)


def test_with_flows_first_a_campaign_leaves_the_last_place_in_the_budget_for_a_flow():
    from_campaign, from_flow = campaign_then_birthday_flow(CampaignSettings.Priority.FLOWS)

    assert from_campaign.reason == Message.Reason.BUDGET
    assert from_flow.status == Message.Status.SENT


def test_first_come_first_served_lets_a_campaign_take_the_last_place():
    from_campaign, from_flow = campaign_then_birthday_flow(CampaignSettings.Priority.EQUAL)

    assert from_campaign.status == Message.Status.SENT
    assert from_flow.reason == Message.Reason.BUDGET


def test_with_campaigns_first_a_flow_leaves_the_last_place_for_a_campaign():
    rules = CampaignSettings.load()
    rules.emails_per_month, rules.priority = 2, CampaignSettings.Priority.CAMPAIGNS
    rules.save()
    member = subscriber(birthday=date(1990, 12, 5))
    _flow, (step,) = flow_on("birthday", at=START)
    first = campaign()
    campaign_schedule(campaign=first, now=START)
    run(START)
    tick(START + timedelta(hours=1))

    assert step.messages.get(member=member).reason == Message.Reason.BUDGET


def test_the_owner_rolls_the_winner_out_from_the_steps_page():
    shop = LocationFactory()
    _flow, (step,) = flow_on("birthday", at=oslo(2026, 1, 1, 9))
    with_b(step)
    members = [subscriber(birthday=date(1990, 3, 10)) for _ in range(60)]
    tick(oslo(2026, 3, 9, 10))
    for member in members:
        if step.messages.get(member=member).group == "B":
            services.purchase_register(
                member=member,
                amount_ore=5000,
                idempotency_key=f"p{member.pk}",
                location=shop,
                at=oslo(2026, 3, 10),
            )
    client = Client()
    client.force_login(staff_user(roles.OWNER))
    page = reverse("admin:campaigns_campaign_change", args=[step.pk])

    assert "Bruk variant B for alle fra nå av" in client.get(page).content.decode()
    answer = client.post(reverse("admin:campaigns_campaign_act", args=[step.pk, "winner"]), {"letter": "B"})

    assert answer.status_code == 302
    step.refresh_from_db()
    assert step.winner == "B"
    assert "Variant B vant" in client.get(page).content.decode()
