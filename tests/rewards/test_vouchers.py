"""Rewards and vouchers: redeem points for a voucher, hand it back unused, use it at the till."""

from datetime import timedelta

import pytest

from members.services import NUMBER_ALPHABET
from rewards.models import LedgerEntry, Reward, Voucher
from rewards.services import (
    reward_redeem,
    stamps_add,
    voucher_cancel,
    voucher_gift,
    voucher_use,
    voucher_withdraw,
)
from tests.factories import LocationFactory, RewardFactory, StampCardFactory, TierFactory, UserFactory
from tests.rewards.wallet_helpers import (
    T0,
    allocations,
    balance,
    give,
    new_key,
    refused,
    set_tier,
    wallet_state,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def coffee(program):
    return RewardFactory(name="Gratis kaffe", cost_points=100, stock=10, voucher_valid_days=14)


def redeem(member, reward, **kwargs):
    return reward_redeem(member=member, reward=reward, idempotency_key=new_key(), **kwargs)


def stock(reward) -> int | None:
    return Reward.objects.get(pk=reward.pk).stock


def test_redeeming_gives_a_ten_character_voucher_valid_for_the_rewards_days(member, coffee):
    give(member, 250, at=T0)

    result = redeem(member, coffee, at=T0)

    voucher = result.voucher
    assert len(voucher.code) == 10
    assert set(voucher.code) <= set(NUMBER_ALPHABET)
    assert voucher.expires_at == T0 + timedelta(days=14)
    assert voucher.status == Voucher.Status.ACTIVE
    assert voucher.source == Voucher.Source.REDEEM
    assert voucher.reward == coffee
    assert voucher.redeem_entry == result.entry
    assert (result.entry.kind, result.entry.points) == (LedgerEntry.Kind.REDEEM, -100)
    assert result.balance == balance(member) == 150
    assert stock(coffee) == 9


def test_every_voucher_gets_its_own_code(member, program):
    give(member, 2_000)
    reward = RewardFactory(cost_points=100)

    codes = {redeem(member, reward).voucher.code for _ in range(20)}

    assert len(codes) == 20


def test_handing_back_an_unused_voucher_refunds_the_points_as_a_linked_reversal(member, coffee):
    lot = give(member, 250, at=T0)
    redemption = redeem(member, coffee, at=T0)

    result = voucher_cancel(voucher=redemption.voucher, member=member, idempotency_key=new_key(), at=T0)

    reversal = result.entry
    assert reversal.kind == LedgerEntry.Kind.REVERSAL
    assert reversal.points == 100
    assert reversal.reverses == redemption.entry
    assert allocations(reversal) == {lot.pk: -100}
    assert balance(member) == 250
    assert stock(coffee) == 10
    voucher = Voucher.objects.get(pk=redemption.voucher.pk)
    assert voucher.status == Voucher.Status.CANCELLED
    assert voucher.cancelled_at == T0


def test_a_used_voucher_cannot_be_handed_back(member, coffee):
    give(member, 100)
    voucher = redeem(member, coffee).voucher
    voucher_use(code=voucher.code, idempotency_key=new_key())
    before = wallet_state()

    refused("voucher_used", voucher_cancel, voucher=voucher, member=member, idempotency_key=new_key())

    assert wallet_state() == before


def test_a_voucher_cannot_be_handed_back_twice(member, coffee):
    give(member, 100)
    voucher = redeem(member, coffee).voucher
    voucher_cancel(voucher=voucher, member=member, idempotency_key=new_key())
    before = wallet_state()

    refused("already_reversed", voucher_cancel, voucher=voucher, member=member, idempotency_key=new_key())

    assert wallet_state() == before


def test_a_stamp_card_voucher_cannot_be_handed_back_for_points(member, program):
    card = StampCardFactory(stamps_needed=1)
    voucher = stamps_add(member=member, card=card, stamps=1, idempotency_key=new_key()).voucher
    before = wallet_state()

    refused("not_cancellable", voucher_cancel, voucher=voucher, member=member, idempotency_key=new_key())

    assert wallet_state() == before


def test_nobody_can_hand_back_another_members_voucher(member, other_member, coffee):
    give(member, 100)
    voucher = redeem(member, coffee).voucher
    before = wallet_state()

    refused(
        "voucher_not_found", voucher_cancel, voucher=voucher, member=other_member, idempotency_key=new_key()
    )

    assert wallet_state() == before


def test_using_a_voucher_marks_it_used_where_and_by_whom(member, coffee):
    give(member, 100, at=T0)
    voucher = redeem(member, coffee, at=T0).voucher
    location, staff = LocationFactory(), UserFactory()

    voucher_use(code=voucher.code, idempotency_key=new_key(), location=location, staff=staff, at=T0)

    voucher.refresh_from_db()
    assert voucher.status == Voucher.Status.USED
    assert (voucher.used_at, voucher.used_location, voucher.used_by) == (T0, location, staff)
    assert balance(member) == 0  # using a voucher moves no points


def test_a_voucher_can_be_used_once(member, coffee):
    give(member, 100)
    voucher = redeem(member, coffee).voucher
    voucher_use(code=voucher.code, idempotency_key=new_key())
    before = wallet_state()

    refused("voucher_used", voucher_use, code=voucher.code, idempotency_key=new_key())

    assert wallet_state() == before


def test_an_expired_voucher_is_refused_at_the_till(member, coffee):
    give(member, 200, at=T0)
    voucher = redeem(member, coffee, at=T0).voucher
    last_moment = T0 + timedelta(days=14) - timedelta(seconds=1)
    expired = redeem(member, coffee, at=T0).voucher
    before = wallet_state()

    refused(
        "voucher_expired",
        voucher_use,
        code=expired.code,
        idempotency_key=new_key(),
        at=T0 + timedelta(days=14),
    )

    assert wallet_state() == before
    voucher_use(code=voucher.code, idempotency_key=new_key(), at=last_moment)  # still good


def test_a_cancelled_voucher_is_refused_at_the_till(member, coffee):
    give(member, 100)
    voucher = redeem(member, coffee).voucher
    voucher_cancel(voucher=voucher, member=member, idempotency_key=new_key())
    before = wallet_state()

    refused("voucher_cancelled", voucher_use, code=voucher.code, idempotency_key=new_key())

    assert wallet_state() == before


@pytest.mark.parametrize("code", ["", "ZZZZZZZZZZ", "1234567890"])
def test_an_unknown_code_is_refused(member, coffee, code):
    give(member, 100)
    redeem(member, coffee)
    before = wallet_state()

    refused("voucher_not_found", voucher_use, code=code, idempotency_key=new_key())

    assert wallet_state() == before


def test_a_code_typed_in_lower_case_with_a_dash_is_found(member, coffee):
    give(member, 100)
    voucher = redeem(member, coffee).voucher
    typed = f" {voucher.code[:5].lower()}-{voucher.code[5:].lower()} "

    result = voucher_use(code=typed, idempotency_key=new_key())

    assert result.voucher.pk == voucher.pk


def test_the_limit_per_member_is_enforced(member, other_member, program):
    reward = RewardFactory(cost_points=100, per_member_limit=2)
    give(member, 500)
    give(other_member, 100)
    redeem(member, reward)
    redeem(member, reward)
    before = wallet_state()

    refused("limit_reached", reward_redeem, member=member, reward=reward, idempotency_key=new_key())

    assert wallet_state() == before
    redeem(other_member, reward)  # the limit is per member


def test_a_handed_back_voucher_does_not_count_towards_the_limit(member, program):
    reward = RewardFactory(cost_points=100, per_member_limit=1)
    give(member, 200)
    voucher_cancel(voucher=redeem(member, reward).voucher, member=member, idempotency_key=new_key())

    result = redeem(member, reward)

    assert result.voucher is not None
    assert balance(member) == 100


def test_a_used_voucher_still_counts_towards_the_limit(member, program):
    reward = RewardFactory(cost_points=100, per_member_limit=1)
    give(member, 200)
    voucher_use(code=redeem(member, reward).voucher.code, idempotency_key=new_key())

    refused("limit_reached", reward_redeem, member=member, reward=reward, idempotency_key=new_key())


def test_a_reward_for_a_higher_tier_is_refused(member, program, tiers):
    bronse, solv, gull = tiers
    reward = RewardFactory(cost_points=100, min_tier=solv)
    give(member, 300)
    before = wallet_state()

    refused("tier_too_low", reward_redeem, member=member, reward=reward, idempotency_key=new_key())
    set_tier(member, bronse)
    refused("tier_too_low", reward_redeem, member=member, reward=reward, idempotency_key=new_key())

    assert wallet_state()["entries"] == before["entries"]
    set_tier(member, gull)
    assert redeem(member, reward).voucher is not None  # a higher tier than needed is fine


def test_the_reward_of_a_members_own_tier_is_available(member, program):
    solv = TierFactory(name="Sølv", threshold=2000)
    reward = RewardFactory(cost_points=100, min_tier=solv)
    give(member, 100)
    set_tier(member, solv)

    assert redeem(member, reward).voucher is not None


@pytest.mark.parametrize(
    "reward_fields",
    [
        {"is_active": False},
        {"cost_points": None},
        {"valid_from": T0 + timedelta(seconds=1)},
        {"valid_to": T0},
        {"valid_to": T0 - timedelta(days=1)},
    ],
    ids=["inactive", "not-in-catalogue", "not-yet-valid", "ends-now", "ended"],
)
def test_an_unavailable_reward_is_refused(member, program, reward_fields):
    reward = RewardFactory(**{"cost_points": 100, **reward_fields})
    give(member, 300, at=T0)
    before = wallet_state()

    refused(
        "reward_unavailable", reward_redeem, member=member, reward=reward, idempotency_key=new_key(), at=T0
    )

    assert wallet_state() == before


def test_a_reward_inside_its_validity_window_is_available(member, program):
    reward = RewardFactory(cost_points=100, valid_from=T0, valid_to=T0 + timedelta(days=1))
    give(member, 100, at=T0)

    assert redeem(member, reward, at=T0).voucher is not None


def test_a_sold_out_reward_is_refused(member, program):
    reward = RewardFactory(cost_points=100, stock=1)
    give(member, 300)
    redeem(member, reward)
    before = wallet_state()

    refused("out_of_stock", reward_redeem, member=member, reward=reward, idempotency_key=new_key())

    assert wallet_state() == before
    assert stock(reward) == 0


def test_redeeming_without_enough_points_is_refused(member, coffee):
    give(member, 99)
    before = wallet_state()

    refused("insufficient_points", reward_redeem, member=member, reward=coffee, idempotency_key=new_key())

    assert wallet_state() == before


def test_an_expired_voucher_cannot_be_handed_back_for_points(member, coffee):
    give(member, 100, at=T0)
    voucher = redeem(member, coffee, at=T0).voucher
    before = wallet_state()

    refused(
        "voucher_expired",
        voucher_cancel,
        voucher=voucher,
        member=member,
        idempotency_key=new_key(),
        at=voucher.expires_at + timedelta(minutes=1),
    )

    assert wallet_state() == before


def test_a_gift_voucher_costs_no_points_or_stock_and_a_repeated_key_gives_the_same_one(member, coffee):
    key = new_key()
    first = voucher_gift(member=member, reward=coffee, idempotency_key=key)
    again = voucher_gift(member=member, reward=coffee, idempotency_key=key)

    assert again.pk == first.pk
    assert (first.source, first.status) == (Voucher.Source.GIFT, Voucher.Status.ACTIVE)
    assert balance(member) == 0 and stock(coffee) == 10


def test_an_unused_gift_voucher_can_be_withdrawn_but_a_used_one_cannot(member, coffee):
    unused = voucher_gift(member=member, reward=coffee, idempotency_key=new_key())
    used = voucher_gift(member=member, reward=coffee, idempotency_key=new_key())
    voucher_use(code=used.code, idempotency_key=new_key())

    voucher_withdraw(voucher=unused, idempotency_key=new_key())

    assert Voucher.objects.get(pk=unused.pk).status == Voucher.Status.CANCELLED
    refused("voucher_used", voucher_withdraw, voucher=used, idempotency_key=new_key())
