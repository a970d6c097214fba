"""Tiers: Bronse, Sølv and Gull. Up at once on qualifying earnings, down at most one level
per yearly review; the tier's multiplier applies to purchase points."""

from datetime import date, timedelta
from decimal import Decimal

import pytest

from rewards.models import QualifyingMonth, Wallet
from rewards.services import (
    entry_reverse,
    purchase_register,
    tier_progress,
    tier_review_due,
    wallet_get_or_create,
)
from rewards.services.tiers import qualifying_months_rebuild, tier_base_assign
from tests.factories import TierFactory
from tests.rewards.wallet_helpers import T0, give, new_key, set_tier

pytestmark = pytest.mark.django_db


def buy(member, kroner, *, at=T0):
    return purchase_register(member=member, amount_ore=kroner * 100, idempotency_key=new_key(), at=at)


def wallet(member) -> Wallet:
    return Wallet.objects.select_related("tier").get(member=member)


def tier_name(member) -> str | None:
    tier = wallet(member).tier
    return tier.name if tier else None


def test_the_first_purchase_places_a_member_in_the_lowest_tier(member, program, tiers):
    buy(member, 10)

    assert tier_name(member) == "Bronse"


def test_qualifying_earnings_move_a_member_up_at_once(member, program, tiers):
    buy(member, 2_500)

    assert tier_name(member) == "Sølv"
    assert wallet(member).tier_review_at == (T0 + timedelta(days=365)).date()

    buy(member, 2_000, at=T0 + timedelta(days=30))  # 2 500 points at Sølv's 1.25

    assert tier_name(member) == "Gull"
    assert wallet(member).tier_review_at == (T0 + timedelta(days=395)).date()


def test_one_large_purchase_can_skip_a_tier(member, program, tiers):
    buy(member, 6_000)

    assert tier_name(member) == "Gull"


def test_bonus_points_do_not_count_towards_a_tier(member, program, tiers):
    give(member, 10_000, at=T0)

    assert tier_name(member) == "Bronse"  # where every member starts, not Gull


def test_a_member_is_in_the_base_tier_from_joining_with_the_next_one_ahead(member, program, tiers):
    progress = tier_progress(wallet_get_or_create(member))

    assert (progress.tier.name, progress.next_tier.name, progress.missing) == ("Bronse", "Sølv", 2000)


def test_without_a_tier_from_zero_a_new_member_has_none(member, program, tiers):
    bronse, _solv, _gull = tiers
    bronse.threshold = 100
    bronse.save()

    assert wallet_get_or_create(member).tier is None


def test_members_already_in_the_club_join_a_new_base_tier(member, program):
    wallet_get_or_create(member)
    assert wallet(member).tier is None

    base = TierFactory(name="Bronse", threshold=0)
    assert tier_base_assign() == 1

    assert wallet(member).tier == base


def test_earnings_older_than_a_year_do_not_count(member, program, tiers):
    buy(member, 1_500, at=T0)

    buy(member, 1_000, at=T0 + timedelta(days=366))

    assert tier_name(member) == "Bronse"


def test_the_tier_multiplier_applies_to_purchase_points(member, program, tiers):
    _bronse, solv, gull = tiers
    set_tier(member, gull)

    result = buy(member, 200)

    assert result.entry.points == 300
    set_tier(member, solv)
    assert buy(member, 200).entry.points == 250


def test_multiplied_points_are_rounded_down_to_whole_points(member, program, tiers):
    set_tier(member, tiers[1])  # Sølv, 1.25

    result = purchase_register(member=member, amount_ore=333, idempotency_key=new_key())

    assert result.entry.points == 4  # 3.33 kr x 1.25 = 4.16


def test_the_review_drops_at_most_one_level_per_year(member, program, tiers):
    _bronse, _solv, gull = tiers
    buy(member, 1, at=T0 - timedelta(days=800))  # a wallet with nothing in the last years
    set_tier(member, gull)
    Wallet.objects.filter(member=member).update(tier_review_at=date(2031, 1, 10))

    assert tier_review_due(today=date(2031, 1, 10)) == 1
    assert tier_name(member) == "Sølv"
    next_review = wallet(member).tier_review_at
    assert next_review == date(2031, 1, 10) + timedelta(days=365)

    assert tier_review_due(today=next_review) == 1
    assert tier_name(member) == "Bronse"


def test_the_review_keeps_a_tier_the_year_still_earns(member, program, tiers):
    buy(member, 5_000, at=T0)
    buy(member, 4_000, at=T0 + timedelta(days=100))
    review = wallet(member).tier_review_at

    assert tier_review_due(today=review) == 1

    assert tier_name(member) == "Gull"
    assert wallet(member).tier_review_at == review + timedelta(days=365)


def test_the_review_waits_for_its_date_and_runs_once(member, program, tiers):
    buy(member, 6_000, at=T0)
    review = wallet(member).tier_review_at

    assert tier_review_due(today=review - timedelta(days=1)) == 0
    assert tier_name(member) == "Gull"
    assert tier_review_due(today=review + timedelta(days=400)) == 1
    assert tier_review_due(today=review + timedelta(days=400)) == 0
    assert tier_name(member) == "Sølv"


def test_a_refunded_purchase_takes_back_the_tier_it_reached(member, program, tiers):
    # Issue 14: a tier kept after its only purchase was refunded gave Gull's rate for a year.
    purchase = buy(member, 6_000, at=T0).entry
    entry_reverse(entry=purchase, reason="returned the bike", idempotency_key=new_key(), at=T0)

    assert tier_name(member) == "Bronse"


def test_tiers_can_be_reached_by_kroner_spent(member, program, tiers):
    program.tier_basis = program.TierBasis.SPEND
    program.points_per_krone = Decimal("0.50")
    program.save()

    result = buy(member, 2_500)

    assert result.entry.points == 1_250
    assert tier_name(member) == "Sølv"


def test_progress_shows_what_is_missing_to_the_next_tier(member, program, tiers):
    buy(member, 1_000)

    progress = tier_progress(wallet(member), now=T0)

    assert progress.tier.name == "Bronse"
    assert progress.next_tier.name == "Sølv"
    assert (progress.total, progress.missing, progress.percent) == (1_000, 1_000, 50)


def test_the_monthly_tier_sums_kept_with_each_write_equal_a_recount_of_the_ledger(member, program, tiers):
    first = buy(member, 300, at=T0)
    buy(member, 120, at=T0 + timedelta(days=20))
    buy(member, 80, at=T0 + timedelta(days=45))
    entry_reverse(entry=first.entry, reason="refund", idempotency_key="undo", at=T0 + timedelta(days=50))

    def months():
        return sorted(QualifyingMonth.objects.values_list("month", "points", "spend_ore"))

    kept = months()
    qualifying_months_rebuild(wallet=wallet(member))
    assert kept == months()
    assert sum(points for _month, points, _spend in kept) == 120 + 80
