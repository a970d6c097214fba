"""The wallet tells the apps above it what happened only after the transaction commits."""

import pytest

from rewards import signals
from rewards.errors import RewardsError
from rewards.services import entry_reverse, purchase_register, reward_redeem, voucher_use
from tests.factories import LocationFactory, RewardFactory
from tests.rewards.wallet_helpers import give, new_key

pytestmark = pytest.mark.django_db


@pytest.fixture
def heard():
    """heard(signal) -> the list of keyword arguments of every send, while the test runs."""
    receivers = []

    def listen(signal):
        calls = []

        def receiver(sender, **kwargs):
            kwargs.pop("signal")
            calls.append(kwargs)

        signal.connect(receiver, weak=False)
        receivers.append((signal, receiver))
        return calls

    yield listen
    for signal, receiver in receivers:
        signal.disconnect(receiver)


def test_a_purchase_is_announced_after_commit(member, program, heard, django_capture_on_commit_callbacks):
    purchases, balances = heard(signals.purchase_recorded), heard(signals.points_changed)
    location = LocationFactory()

    with django_capture_on_commit_callbacks(execute=True):
        result = purchase_register(member=member, amount_ore=12_300, idempotency_key="k1", location=location)
        assert purchases == [] and balances == []  # nothing is said before the commit

    assert purchases == [
        {
            "member_id": member.pk,
            "entry_id": result.entry.pk,
            "operation_id": result.entry.operation_id,
            "amount_ore": 12_300,
            "location_id": location.pk,
        }
    ]
    assert balances == [{"member_id": member.pk, "balance": 123}]


def test_a_replayed_purchase_is_not_announced_again(
    member, program, heard, django_capture_on_commit_callbacks
):
    purchases = heard(signals.purchase_recorded)
    purchase_register(member=member, amount_ore=12_300, idempotency_key="k1")

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        purchase_register(member=member, amount_ore=12_300, idempotency_key="k1")

    assert callbacks == []
    assert purchases == []


def test_a_refused_redemption_says_nothing(member, program, heard, django_capture_on_commit_callbacks):
    balances = heard(signals.points_changed)

    with django_capture_on_commit_callbacks(execute=True) as callbacks, pytest.raises(RewardsError):
        reward_redeem(member=member, reward=RewardFactory(cost_points=100), idempotency_key=new_key())

    assert callbacks == []
    assert balances == []


def test_a_redemption_announces_the_new_balance(member, program, heard, django_capture_on_commit_callbacks):
    give(member, 250)
    balances = heard(signals.points_changed)

    with django_capture_on_commit_callbacks(execute=True):
        reward_redeem(member=member, reward=RewardFactory(cost_points=100), idempotency_key=new_key())
        assert balances == []

    assert balances == [{"member_id": member.pk, "balance": 150}]


def test_a_used_voucher_is_announced_after_commit(member, program, heard, django_capture_on_commit_callbacks):
    give(member, 100)
    voucher = reward_redeem(
        member=member, reward=RewardFactory(cost_points=100), idempotency_key=new_key()
    ).voucher
    used, location = heard(signals.voucher_redeemed), LocationFactory()

    with django_capture_on_commit_callbacks(execute=True):
        voucher_use(code=voucher.code, idempotency_key=new_key(), location=location)
        assert used == []

    assert used == [{"member_id": member.pk, "voucher_id": voucher.pk, "location_id": location.pk}]


def test_a_reversed_purchase_is_announced_after_commit(
    member, program, heard, django_capture_on_commit_callbacks
):
    purchase = purchase_register(member=member, amount_ore=5_000, idempotency_key=new_key()).entry
    reversed_ = heard(signals.purchase_reversed)

    with django_capture_on_commit_callbacks(execute=True):
        reversal = entry_reverse(entry=purchase, reason="returned", idempotency_key=new_key()).entry
        assert reversed_ == []

    assert reversed_ == [
        {"member_id": member.pk, "entry_id": reversal.pk, "reverses_id": purchase.pk, "remaining_ore": 0}
    ]


def test_a_bonus_announces_its_balance_but_no_purchase(
    member, program, heard, django_capture_on_commit_callbacks
):
    purchases, balances = heard(signals.purchase_recorded), heard(signals.points_changed)

    with django_capture_on_commit_callbacks(execute=True):
        give(member, 30)

    assert purchases == []
    assert balances == [{"member_id": member.pk, "balance": 30}]
