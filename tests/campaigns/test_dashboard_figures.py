"""Every figure of the dashboard on the small club of conftest.py, computed here by hand.

A point is worth 10 øre (1000 points = 100 kr). Members at the start of March: A, B, C, E,
F; at its end: A, B, C, D, F (E was erased on the 20th); at the start of the previous
period (29 January): A, B, E, F.
"""

from __future__ import annotations

from datetime import date
from decimal import ROUND_HALF_UP, Decimal

import pytest
from django.utils import translation

from campaigns.insights.selectors import dashboard
from rewards import services
from tests.campaigns.conftest import MARCH, NOW, at, key
from tests.factories import StampCardFactory

pytestmark = pytest.mark.django_db

POINT_ORE = 10


def pct(part, whole) -> Decimal:
    return (Decimal(100) * part / whole).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


@pytest.fixture
def march(club):
    with translation.override("en"):  # labels are compared in their source language
        return dashboard(period=MARCH, now=NOW)


def test_member_counts_and_sign_ups(march):
    kpis = march.kpis
    assert (kpis["members"].current, kpis["members"].previous) == (5, 5)
    assert (kpis["new_members"].current, kpis["new_members"].previous) == (1, 1)  # D; C
    assert kpis["signup_rate"].current == pct(1, 5)
    assert kpis["signup_rate"].previous == pct(1, 4)


def test_active_share_and_churn_use_visits_and_purchases_in_the_last_90_days(march):
    kpis = march.kpis
    # End of March: A, B, C bought and D visited in the 90 days before; E was erased.
    assert kpis["active_share"].current == pct(4, 5)
    # 1 March: only B (February) and E (December) had bought in the 90 days before.
    assert kpis["active_share"].previous == pct(2, 5)
    # Of B and E, E was no longer active at the end; of E alone (29 January), nobody left.
    assert kpis["churn"].current == pct(1, 2)
    assert kpis["churn"].previous == pct(0, 1)


def test_purchases_net_of_the_refund(march):
    kpis = march.kpis
    revenue = (300 + 100 + 400 - 400 + 1000) * 100
    purchases = 4 - 1  # four registered, one refunded
    assert (kpis["revenue"].current, kpis["revenue"].previous) == (revenue, 500 * 100)
    assert (kpis["purchases"].current, kpis["purchases"].previous) == (purchases, 1)
    # Buyers: A (2 purchases) and C (1); B's only March purchase was refunded.
    assert kpis["frequency"].current == Decimal("1.50")
    assert kpis["frequency"].previous == Decimal("1.00")
    assert kpis["average_purchase"].current == revenue // purchases
    assert kpis["repeat_share"].current == pct(1, 2)
    assert kpis["repeat_share"].previous == pct(0, 1)


def test_points_and_vouchers_redeemed_against_issued(march):
    kpis = march.kpis
    issued = 300 + 100 + 400 + 1000 + 50 - 400  # purchases, D's bonus, less the refund
    redeemed = 100 + 100 - 100  # B's and A's rewards, A's handed back
    assert (kpis["points_issued"].current, kpis["points_issued"].previous) == (issued, 500)
    assert (kpis["points_redeemed"].current, kpis["points_redeemed"].previous) == (redeemed, 0)
    assert kpis["redemption_rate"].current == pct(redeemed, issued)
    # Issued: B's and A's vouchers in March, C's gift in February; used: B's.
    assert (kpis["vouchers_issued"].current, kpis["vouchers_issued"].previous) == (2, 1)
    assert (kpis["vouchers_used"].current, kpis["vouchers_used"].previous) == (1, 0)
    assert kpis["voucher_rate"].current == pct(1, 2)
    assert kpis["voucher_rate"].previous == pct(0, 1)


def test_tier_upgrades_referrals_and_consent(march):
    kpis = march.kpis
    assert kpis["upgrade_rate"].current == pct(1, 5)  # C reached Sølv
    assert kpis["upgrade_rate"].previous == pct(0, 5)
    # One referrer (A) among today's 5 members; D has not bought yet.
    assert kpis["referral_rate"].current == pct(1, 5)
    assert kpis["referral_conversion"].current == pct(0, 1)
    assert kpis["referral_conversion"].previous is None
    # E-mail at the end: D (A withdrew, E was erased); at the start: A and E. SMS: B.
    assert kpis["consent_email"].current == pct(1, 5)
    assert kpis["consent_email"].previous == pct(2, 5)
    assert kpis["consent_sms"].current == kpis["consent_sms"].previous == pct(1, 5)
    # Everything ever bought by members who are not erased: A, B, C; D was referred.
    assert kpis["referred_spend"].current == 0
    assert kpis["other_spend"].current == (60_000 + 50_000 + 100_000) // 4


def test_liability_and_breakage(march):
    kpis = march.kpis
    a, b, c, d, e = 200 + 300 + 100 - 200, 500 - 100, 1000, 50, 250
    assert kpis["liability"].current == (a + b + c + d + e) * POINT_ORE
    assert kpis["liability"].previous == (200 + 500 + 250) * POINT_ORE
    # A's 200 points of March 2024 expired, and C's gift voucher (worth 50 kr) lapsed unused.
    assert kpis["breakage"].current == 200 * POINT_ORE + 50 * 100
    assert kpis["breakage"].previous == 0
    # Owed today: the same points (nothing happened since), no usable voucher left.
    assert march.owed.points == a + b + c + d + e
    assert march.owed.points_ore == (a + b + c + d + e) * POINT_ORE
    assert (march.owed.vouchers, march.owed.vouchers_ore) == (0, 0)


def test_retention_ltv_and_roi_follow_the_seed_formulas(march, economics):
    retention, ltv, roi = march.formulas
    # Of B and E, active on 1 March, E was not at the end; of E alone (29 January), nobody
    # left. With joined members instead of active ones it was 100 % in both (issue 14).
    assert retention.current == pct(2 - 1, 2)
    assert retention.previous == pct(1 - 0, 1)

    average = Decimal(140_000) / 3
    per_year = (Decimal(3) / 2 * 365 / 31).quantize(Decimal("0.01"))
    expected_ltv = average * per_year * pct(1, 2) / 100
    assert ltv.current == int(expected_ltv.quantize(Decimal(1), rounding=ROUND_HALF_UP))

    extra = 140_000 * Decimal("0.10")
    gain = extra * Decimal("0.40")
    benefits = 100 * POINT_ORE  # B's voucher, used in March, costs 100 points
    operation = (Decimal(3000 * 100) * 12 * 31 / 365).quantize(Decimal(1), rounding=ROUND_HALF_UP)
    discounts = 140_000 * Decimal("0.05")
    costs = benefits + operation + discounts
    assert roi.current == pct(gain - costs, costs)
    terms = {str(term.label): term.current for term in roi.terms}
    assert terms["Extra revenue"] == extra and terms["Costs"] == costs


def test_segments_split_buyers_by_spend(march):
    vip, regulars, occasional = march.segments
    # Two buyers with spend above zero: C (1000 kr) is the top 10 % (one of two, rounded
    # up); the next 30 % rounds up to the same one place, so nobody; A is occasional.
    assert (vip.members, vip.spend_ore) == (1, 100_000)
    assert (regulars.members, regulars.spend_ore) == (0, 0)
    assert (occasional.members, occasional.spend_ore) == (1, 40_000)
    assert vip.share == pct(100_000, 140_000)


def test_tiers_today(march):
    rows = {str(row.name): row.members for row in march.tiers}
    assert rows == {"No tier yet": 4, "Sølv": 1}


def test_monthly_trend_and_breakage(march):
    trend = {row.month: row for row in march.trend}
    assert march.trend[0].month == date(2024, 4, 1) and march.trend[-1].month == date(2025, 3, 1)
    march_row, february = trend[date(2025, 3, 1)], trend[date(2025, 2, 1)]
    assert (march_row.members, march_row.active_share) == (5, pct(4, 5))
    assert (march_row.points_redeemed, march_row.vouchers_used) == (100, 1)
    assert march_row.liability_ore == 2100 * POINT_ORE
    assert (february.members, february.active_share, february.liability_ore) == (
        5,
        pct(2, 5),
        950 * POINT_ORE,
    )
    assert trend[date(2024, 4, 1)].members == 3  # A, E, F
    breakage = {row.month: row for row in march.breakage}
    assert breakage[date(2025, 3, 1)].total_ore == 200 * POINT_ORE + 50 * 100
    assert breakage[date(2025, 2, 1)].total_ore == 0


def test_a_location_narrows_what_happened_there_to_the_shop(club):
    torget = dashboard(period=MARCH, location=club.s2, now=NOW).kpis
    assert torget["revenue"].current == (100 + 400 - 400 + 1000) * 100
    assert torget["purchases"].current == 3 - 1
    assert torget["vouchers_used"].current == 0
    assert torget["points_issued"].current == 100 + 400 + 1000 - 400


def test_a_shops_ltv_is_of_its_purchases_and_its_roi_the_whole_clubs(club, march):
    _retention, ltv, roi = dashboard(period=MARCH, location=club.s2, now=NOW).formulas
    assert ltv.terms[0].current == (100 + 400 - 400 + 1000) * 100 // 2  # two purchases, net
    assert roi.current == march.formulas[2].current


def test_a_location_narrows_the_member_figures_to_its_own_members(club):
    # Home shops: A, B and E first bought at Sentrum, C at Torget; D and F have none yet
    # (D's visit was written without the till, F never came).
    sentrum = dashboard(period=MARCH, location=club.s1, now=NOW).kpis
    torget = dashboard(period=MARCH, location=club.s2, now=NOW).kpis
    assert (sentrum["members"].current, sentrum["members"].previous) == (2, 3)  # E erased
    assert (torget["members"].current, torget["new_members"].previous) == (1, 1)  # C joined in February
    # A (also at Torget: anywhere counts) and B bought in the window; B and E were active
    # on 1 March, E is erased.
    assert sentrum["active_share"].current == pct(2, 2)
    assert sentrum["churn"].current == pct(1, 2)
    assert torget["active_share"].current == pct(1, 1)
    assert sentrum["consent_sms"].current == pct(1, 2)  # B
    assert sentrum["consent_email"].current == pct(0, 2)  # A withdrew
    assert sentrum["referral_rate"].current == pct(1, 2)  # A brought D
    assert torget["referral_rate"].current == pct(0, 1)
    assert (sentrum["upgrade_rate"].current, torget["upgrade_rate"].current) == (pct(0, 2), pct(1, 1))
    a, b, e = 200 + 300 + 100 - 200, 500 - 100, 250
    assert sentrum["liability"].current == (a + b + e) * POINT_ORE
    assert torget["liability"].current == 1000 * POINT_ORE
    # A's expired points are Sentrum's; C's lapsed gift voucher (50 kr) is Torget's.
    assert (sentrum["breakage"].current, torget["breakage"].current) == (200 * POINT_ORE, 50 * 100)
    for kpi in ("members", "liability", "breakage", "revenue"):
        assert sentrum[kpi].of_members == (kpi != "revenue")


def test_a_shops_tiers_and_points_owed_are_its_own_members(club):
    with translation.override("en"):
        torget = dashboard(period=MARCH, location=club.s2, now=NOW)
    assert {str(row.name): row.members for row in torget.tiers} == {"No tier yet": 0, "Sølv": 1}
    assert torget.owed.points == 1000  # C's
    assert [row.liability_ore for row in torget.trend][-2:] == [0, 1000 * POINT_ORE]


def test_the_active_window_is_the_owners_choice(club, economics):
    economics.active_window_days = 12
    economics.save()
    # In the last 12 days of March (from the 20th on) only A (20th) and C (25th) bought.
    assert dashboard(period=MARCH, now=NOW).kpis["active_share"].current == pct(2, 5)


def test_a_voucher_is_issued_at_the_shop_where_it_was_bought_or_its_card_filled(club):
    # B's and A's coffee were bought with points at Sentrum; C's gift came from no shop.
    card = StampCardFactory(stamps_needed=2, max_stamps_per_visit=2)
    services.stamps_add(
        member=club.c, card=card, stamps=2, idempotency_key=key(), location=club.s2, at=at(2025, 3, 5)
    )
    club_kpis = dashboard(period=MARCH, now=NOW).kpis
    sentrum = dashboard(period=MARCH, location=club.s1, now=NOW).kpis
    torget = dashboard(period=MARCH, location=club.s2, now=NOW).kpis
    assert (club_kpis["vouchers_issued"].current, club_kpis["vouchers_issued"].previous) == (3, 1)
    assert (sentrum["vouchers_issued"].current, sentrum["vouchers_issued"].previous) == (2, 0)
    assert (torget["vouchers_issued"].current, torget["vouchers_issued"].previous) == (1, 0)
