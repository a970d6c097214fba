"""Erasure keeps the owner's figures: the dashboard of a period is the same before and after."""

from __future__ import annotations

import pytest
from django.utils import timezone

from campaigns.insights.selectors.dashboard import dashboard
from campaigns.insights.selectors.period import Period
from members.services import member_erase

pytestmark = pytest.mark.django_db

# The referral figures are checked on their own below, so that a failure names them.
TODAY_BASED = {"referral_rate", "referred_spend"}


def figures(now) -> dict:
    board = dashboard(period=Period.last_days(30, today=timezone.localdate(now)), now=now)
    return {
        "kpis": {key: (kpi.current, kpi.previous) for key, kpi in board.kpis.items()},
        "formulas": board.formulas,
        "owed": board.owed,
        "trend": board.trend,
        "breakage": board.breakage,
        "segments": board.segments,
        "tiers": board.tiers,
    }


def test_the_dashboard_shows_the_same_figures_before_and_after_an_erasure(life):
    now = timezone.now()
    before = figures(now)
    assert before["kpis"]["members"][0] == 3, "Zelmira, Olga and Viktor count"
    assert before["kpis"]["consent_email"][0] >= 1

    member_erase(member=life.member)

    after = figures(now)
    assert {k: v for k, v in after.pop("kpis").items() if k not in TODAY_BASED} == {
        k: v for k, v in before.pop("kpis").items() if k not in TODAY_BASED
    }
    assert after == before


def test_the_referral_figures_count_an_erased_member_until_the_erasure(life):
    now = timezone.now()
    before = figures(now)["kpis"]

    member_erase(member=life.member)

    after = figures(now)["kpis"]
    assert {k: after[k] for k in TODAY_BASED} == {k: before[k] for k in TODAY_BASED}
