"""The database itself refuses what the wallet's rules never write: the last line behind the
services, if a rule ever had a gap. Each constraint is tried once, on both databases."""

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from rewards.models import (
    CounterAction,
    LedgerAllocation,
    LedgerEntry,
    MemberStampCard,
    Operation,
    QualifyingMonth,
    Reward,
    StampEntry,
    Voucher,
    Wallet,
)
from rewards.services import purchase_register, reward_redeem, stamps_add
from tests.factories import LocationFactory, RewardFactory, StampCardFactory, staff_user
from tests.rewards.wallet_helpers import give, new_key

pytestmark = pytest.mark.django_db


def refused_by_the_database(write) -> None:
    with pytest.raises(IntegrityError), transaction.atomic():
        write()


def test_a_balance_below_zero_is_refused(member):
    wallet = give(member, 10).wallet
    refused_by_the_database(lambda: Wallet.objects.filter(pk=wallet.pk).update(balance=-1))


def test_a_lot_cannot_keep_more_than_it_earned_or_less_than_nothing(member):
    lot = give(member, 10)
    refused_by_the_database(lambda: LedgerEntry.objects.filter(pk=lot.pk).update(remaining=11))
    refused_by_the_database(lambda: LedgerEntry.objects.filter(pk=lot.pk).update(remaining=-1))


def test_entries_and_allocations_of_zero_points_are_refused(member):
    lot = give(member, 10)
    refused_by_the_database(
        lambda: LedgerEntry.objects.create(
            wallet=lot.wallet, operation=lot.operation, kind=LedgerEntry.Kind.BONUS, points=0
        )
    )
    refused_by_the_database(lambda: LedgerAllocation.objects.create(entry=lot, lot=lot, points=0))


def test_an_entry_is_reversed_at_most_once(member):
    lot = give(member, 10)
    for _ in range(2):
        reversal = LedgerEntry(
            wallet=lot.wallet,
            operation=lot.operation,
            kind=LedgerEntry.Kind.REVERSAL,
            points=-1,
            reverses=lot,
        )
        if LedgerEntry.objects.filter(reverses=lot).exists():
            refused_by_the_database(reversal.save)
        else:
            reversal.save()


def test_an_idempotency_key_is_stored_once(member):
    op = give(member, 10).operation
    refused_by_the_database(
        lambda: Operation.objects.create(key=op.key, kind="award", fingerprint="x", wallet=op.wallet)
    )


def test_a_stamp_card_is_kept_once_per_member_and_never_below_zero(member):
    card = StampCardFactory()
    stamps_add(member=member, card=card, stamps=1, idempotency_key=new_key())
    progress = MemberStampCard.objects.get(wallet__member=member)
    refused_by_the_database(lambda: MemberStampCard.objects.create(wallet=progress.wallet, card=card))
    refused_by_the_database(lambda: MemberStampCard.objects.filter(pk=progress.pk).update(stamps=-1))
    refused_by_the_database(
        lambda: StampEntry.objects.create(progress=progress, operation=Operation.objects.first(), stamps=0)
    )


def test_a_wallet_has_one_row_of_tier_sums_per_month(member):
    purchase_register(member=member, amount_ore=10_000, idempotency_key=new_key())
    month = QualifyingMonth.objects.get(wallet__member=member)
    refused_by_the_database(lambda: QualifyingMonth.objects.create(wallet=month.wallet, month=month.month))


def test_a_rewards_stock_never_goes_below_zero(db):
    reward = RewardFactory(stock=0)
    refused_by_the_database(lambda: Reward.objects.filter(pk=reward.pk).update(stock=-1))


def test_a_voucher_code_and_a_counter_nonce_are_each_used_once(member):
    give(member, 100)
    voucher = reward_redeem(
        member=member, reward=RewardFactory(cost_points=10), idempotency_key=new_key()
    ).voucher
    refused_by_the_database(
        lambda: Voucher.objects.create(
            wallet=voucher.wallet,
            reward=voucher.reward,
            code=voucher.code,
            source=Voucher.Source.GIFT,
            expires_at=timezone.now(),
        )
    )
    shop = LocationFactory()
    staff = staff_user("Counter staff", shop)
    CounterAction.objects.create(member=member, location=shop, staff=staff, kind="purchase", nonce_key="n-1")
    refused_by_the_database(
        lambda: CounterAction.objects.create(
            member=member, location=shop, staff=staff, kind="purchase", nonce_key="n-1"
        )
    )
