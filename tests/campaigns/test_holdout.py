"""A campaign with a holdout (issue 16): a share of the segment, drawn before anything is
sent, gets nothing; afterwards the owner sees what the campaign added over them, with a 95 %
interval, and "not clear yet" when the interval includes no difference."""

from __future__ import annotations

import math
from datetime import datetime, timedelta

import pytest
from django.conf import settings
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from campaigns.experiments.assignment import group_for
from campaigns.experiments.results import detectable_lift, experiment_result
from campaigns.sending import pipeline
from campaigns.services import campaign_schedule
from members import roles
from rewards import services
from tests.campaigns.sending_helpers import campaign, subscriber
from tests.factories import LocationFactory, staff_user

pytestmark = pytest.mark.django_db
START = timezone.make_aware(datetime(2026, 12, 3, 12, 0))


def send(made, now=START) -> None:
    campaign_schedule(campaign=made, now=now)
    pipeline.campaigns_run(now=now, hand_out=lambda ids: pipeline.messages_deliver(ids=ids, now=now))
    made.refresh_from_db()


def buy(member, kr, shop, at):
    services.purchase_register(
        member=member, amount_ore=kr * 100, idempotency_key=f"{member.pk}:{at}:{kr}", location=shop, at=at
    )


def test_the_holdout_is_drawn_before_sending_gets_nothing_and_says_why():
    members = [subscriber() for _ in range(40)]
    made = campaign(holdout_percent=25)

    send(made)

    expected = {
        m.pk
        for m in members
        if group_for(m.pk, f"campaign:{made.pk}", [("holdout", 25), ("", 75)]) == "holdout"
    }
    held = set(made.messages.filter(group="holdout").values_list("member_id", flat=True))
    assert held == expected and 0 < len(held) < 40
    assert set(made.messages.filter(group="holdout").values_list("status", "reason")) == {
        ("suppressed", "holdout")
    }
    assert made.messages.filter(group="holdout", sending_at__isnull=False).count() == 0
    assert sorted(m.to[0] for m in mail.outbox) == sorted(m.user.email for m in members if m.pk not in held)


def test_the_result_compares_everyone_picked_with_the_holdout_over_the_same_window():
    shop = LocationFactory()
    members = [subscriber() for _ in range(60)]
    made = campaign(holdout_percent=50)
    send(made)
    picked = list(made.messages.filter(group="").values_list("member_id", flat=True).order_by("member_id"))
    held = list(
        made.messages.filter(group="holdout").values_list("member_id", flat=True).order_by("member_id")
    )
    by_pk = {m.pk: m for m in members}
    # Half the picked buy for 100 kr within the window, a fifth of the holdout; one picked
    # member buys after the 14 days (not counted) and one held member before the start.
    for pk in picked[: len(picked) // 2]:
        buy(by_pk[pk], 100, shop, START + timedelta(days=2))
    for pk in held[: len(held) // 5]:
        buy(by_pk[pk], 100, shop, START + timedelta(days=3))
    buy(by_pk[picked[-1]], 500, shop, START + timedelta(days=20))
    buy(by_pk[held[-1]], 500, shop, START - timedelta(days=1))

    result = experiment_result(made)
    sent_group, held_group = result.groups[""], result.groups["holdout"]
    (compared,) = result.comparisons

    n1, b1, n0, b0 = len(picked), len(picked) // 2, len(held), len(held) // 5
    assert (sent_group.members, sent_group.buyers, held_group.members, held_group.buyers) == (n1, b1, n0, b0)
    assert sent_group.revenue_ore == b1 * 10_000
    assert (compared.group, compared.against) == ("", "holdout")
    p1, p0 = b1 / n1, b0 / n0
    half = 1.959964 * math.sqrt(p1 * (1 - p1) / n1 + p0 * (1 - p0) / n0)
    assert compared.conversion.estimate == pytest.approx(p1 - p0)
    assert (compared.conversion.low, compared.conversion.high) == pytest.approx(
        (p1 - p0 - half, p1 - p0 + half), abs=1e-5
    )


@pytest.fixture
def owner_client():
    client = Client()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "nb"
    client.force_login(staff_user(roles.OWNER))
    return client


def test_before_sending_the_owner_reads_the_smallest_lift_the_audience_can_show(owner_client):
    shop = LocationFactory()
    members = [subscriber() for _ in range(100)]
    for member in members[:20]:
        buy(member, 50, shop, timezone.now() - timedelta(days=3))
    made = campaign(holdout_percent=10)

    found = detectable_lift(made)
    page = owner_client.get(reverse("admin:campaigns_campaign_change", args=[made.pk]))

    # 100 members, 10 held out, a fifth bought in the last 14 days: by hand,
    # (1.959964 + 0.841621) * sqrt(0.2 * 0.8 * (1/90 + 1/10)) = 2.801585 * 0.133333 = 0.37355.
    assert (found.members, found.holdout, found.baseline) == (100, 10, 0.2)
    assert found.lift == pytest.approx(0.37355, abs=1e-4)
    assert "minst 37,4 %-poeng" in page.content.decode()


def members_until(made, *, held: int, picked: int) -> list:
    """Subscribers, made one by one until the campaign's hash has put at least `held` in the
    holdout and `picked` among the others: group sizes that do not hang on luck."""
    members, counts = [], {"holdout": 0, "": 0}
    shares = [("holdout", made.holdout_percent), ("", 100 - made.holdout_percent)]
    while counts["holdout"] < held or counts[""] < picked:
        assert len(members) < 500, "the hash never filled the groups"
        member = subscriber()
        counts[group_for(member.pk, f"campaign:{made.pk}", shares)] += 1
        members.append(member)
    return members


def test_a_small_result_is_labelled_not_clear_yet_on_the_campaign_page(owner_client):
    shop = LocationFactory()
    made = campaign(holdout_percent=50)
    members = members_until(made, held=10, picked=10)
    send(made)
    buy(members[0], 100, shop, START + timedelta(days=1))

    page = owner_client.get(reverse("admin:campaigns_campaign_change", args=[made.pk]))

    text = page.content.decode()
    assert "Løft i kjøp" in text and "Ikke klart ennå" in text
    assert "Plukket ut til å få den" in text and "Holdt utenfor" in text


def test_a_holdout_over_half_the_segment_is_refused_in_the_form(owner_client):
    made = campaign()

    page = owner_client.post(
        reverse("admin:campaigns_campaign_change", args=[made.pk]),
        {
            "name": made.name,
            "segment": made.segment.pk,
            "channel": "email",
            "holdout_percent": "60",
            "repeat": "",
            "contents-TOTAL_FORMS": "0",
            "contents-INITIAL_FORMS": "0",
        },
    )

    assert page.status_code == 200
    assert "Verdien må være mindre enn eller lik 50." in page.content.decode()


def test_with_fewer_than_ten_in_a_group_there_is_no_verdict_at_all():
    made = campaign(holdout_percent=10)
    members_until(made, held=1, picked=10)
    send(made)

    result = experiment_result(made)
    (compared,) = result.comparisons

    assert result.groups["holdout"].members < 10
    assert compared.conversion is None and compared.revenue_per_member_ore is None
