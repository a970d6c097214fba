"""The dashboard reads aggregates: its number of queries does not grow with the club."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from campaigns.insights.selectors import dashboard, ledger, members, vouchers
from campaigns.insights.selectors.period import trend_months
from campaigns.models import CampaignSettings
from tests.campaigns.conftest import MARCH, NOW, at, buy
from tests.factories import MemberFactory, PlanFactory

pytestmark = pytest.mark.django_db

PERIODS = {"current": MARCH, "previous": MARCH.previous}
MOMENTS = [MARCH.start, MARCH.end, MARCH.previous.start]

# Each KPI's selector and the queries it may make (conftest.py's club, then more members).
SELECTORS = {
    "members at each moment": (lambda: members.member_counts(MOMENTS, PERIODS), 1),
    "activity and churn": (
        lambda: members.activity(
            MOMENTS,
            window=timedelta(days=90),
            churn={"current": (MARCH.start, MARCH.end)},
            location_id=None,
        ),
        1,
    ),
    # How far the rollups reach, the rolled-up days, the entries since (read directly).
    "the bucketed ledger": (lambda: ledger.ledger_flows(MOMENTS, location_id=None), 3),
    "buyers and repeat buyers": (lambda: ledger.buyers(PERIODS, location_id=None), 1),
    "segments": (lambda: ledger.segments(MARCH, location_id=None, shares=CampaignSettings()), 1),
    "sign-up channels": (lambda: members.joins_by_channel({"now": MARCH}, location_id=None), 1),
    "vouchers expired and outstanding": (
        lambda: vouchers.voucher_figures(PERIODS, trend_months(MARCH.last), now=NOW, location_id=None),
        1,
    ),
    # The rolled-up days, the vouchers issued and the uses written since.
    "vouchers issued and used": (
        lambda: vouchers.voucher_sums(PERIODS, trend_months(MARCH.last), location_id=None, rolled_until=NOW),
        3,
    ),
    "consents": (lambda: members.consents(MARCH.end), 1),
    "tiers": (lambda: members.tier_counts(), 2),
    "upgrades": (lambda: members.upgrades(PERIODS), 1),
}


def _queries(fn) -> int:
    with CaptureQueriesContext(connection) as captured:
        fn()
    return len(captured.captured_queries)


def _more_members(club, count: int) -> None:
    for i in range(count):
        member = MemberFactory(joined_at=at(2025, 1, 2))
        buy(member, 100 + i, club.s1 if i % 2 else club.s2, at(2025, 3, 3 + i % 20))


@pytest.mark.parametrize("name", list(SELECTORS))
def test_each_kpi_query_is_one_aggregate_whatever_the_number_of_members(club, name):
    fn, budget = SELECTORS[name]
    before = _queries(fn)
    _more_members(club, 12)
    assert _queries(fn) == before <= budget  # the same for more members, and within its budget


def test_the_whole_dashboard_makes_as_many_queries_for_a_big_club_as_for_a_small_one(club):
    PlanFactory()  # a club that sells a paid membership: its table is read too
    dashboard(period=MARCH, now=NOW)  # the settings rows exist from here on
    small = _queries(lambda: dashboard(period=MARCH, now=NOW))
    _more_members(club, 12)
    big = _queries(lambda: dashboard(period=MARCH, location=club.s1, now=NOW))
    # economics, campaign settings, program, members, activity, ledger (the rollups' reach,
    # the rolled-up days, the entries since), buyers, segments,
    # sign-up channels, campaigns, vouchers (expired and outstanding; issued and used: 2
    # without rollups), owed points, consents (2), tiers (2), upgrades,
    # referral figures (5 + 4), NPS (answers, surveys, invitations), paid membership (plans,
    # memberships, fees, extra points, monthly vouchers), partner vouchers used
    assert small == big <= 39
