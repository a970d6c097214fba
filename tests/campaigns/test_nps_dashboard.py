"""NPS on the dashboard (issue 16): answers per month by kind, the score, the response
rate, per shop, and the promoters' invitations that led to a referral."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest

from campaigns.insights.selectors.nps import nps_by_month
from campaigns.insights.selectors.period import Month
from campaigns.models import Message, NpsAnswer
from campaigns.nps import nps_answer
from members.models import Member
from referrals.models import Referral
from tests.campaigns.flow_helpers import flow_on, oslo
from tests.campaigns.sending_helpers import subscriber
from tests.factories import LocationFactory, MemberFactory

pytestmark = pytest.mark.django_db
NOVEMBER = Month(date(2026, 11, 1))


def survey(member, flow_step, at, occasion="1") -> Message:
    return Message.objects.create(
        campaign=flow_step,
        member=member,
        occasion=occasion,
        status=Message.Status.SENT,
        sent_at=at,
        due_at=at,
    )


def test_a_month_of_answers_gives_the_score_the_response_rate_and_the_referrals():
    _flow, (step,) = flow_on("nps", at=oslo(2026, 10, 1, 9))
    _flow, (invite,) = flow_on("promoter", at=oslo(2026, 10, 1, 9))
    shop, other = LocationFactory(), LocationFactory()
    members = [subscriber() for _ in range(10)]
    at = oslo(2026, 11, 10, 12)
    scores = [10, 9, 9, 8, 7, 3, 0, 10]  # 4 promoters, 2 passives, 2 detractors; two never answer
    for member, score in zip(members, scores, strict=False):
        message = survey(member, step, at)
        answer = nps_answer(message=message, score=score, now=at + timedelta(hours=1))
        NpsAnswer.objects.filter(pk=answer.pk).update(location=shop if score != 0 else other)
        Member.objects.filter(pk=member.pk).update(home_location=shop if score != 0 else other)
    for member in members[8:]:
        Member.objects.filter(pk=member.pk).update(home_location=shop)
        survey(member, step, at)
    invited = [survey(m, invite, at + timedelta(days=2), occasion="i") for m in members[:2]]
    Referral.objects.create(
        referrer=members[0], friend=MemberFactory(), created_at=invited[0].sent_at + timedelta(hours=5)
    )

    (club,) = nps_by_month([NOVEMBER])
    (at_shop,) = nps_by_month([NOVEMBER], location_id=shop.pk)

    assert (club.surveys, club.answers, club.promoters, club.passives, club.detractors) == (10, 8, 4, 2, 2)
    assert club.score == 25  # (4 - 2) / 8
    assert club.response_rate == 80
    assert (club.invited, club.referred) == (2, 1)
    # The shop's own members (their home shop): all but the one who answered 0.
    assert (at_shop.answers, at_shop.detractors, at_shop.score) == (7, 1, 43)  # (4 - 1) / 7 = 42.9
    assert (at_shop.surveys, at_shop.invited, at_shop.referred) == (9, 2, 1)
    assert at_shop.response_rate == Decimal("77.8")


def test_a_month_without_answers_shows_no_score():
    (row,) = nps_by_month([NOVEMBER])

    assert (row.answers, row.score, row.response_rate) == (0, None, None)
