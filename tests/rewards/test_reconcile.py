"""Reconciliation: every cached balance must equal its ledger and the unspent rest of its lots."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from rewards.models import LedgerEntry, Wallet
from rewards.services import points_deduct, purchase_register, wallets_reconcile
from tests.rewards.wallet_helpers import give, new_key

pytestmark = pytest.mark.django_db


@pytest.fixture
def busy_wallets(member, other_member, program):
    purchase_register(member=member, amount_ore=25_000, idempotency_key=new_key())
    points_deduct(member=member, points=80, reason="fix", idempotency_key=new_key())
    give(other_member, 40)
    return member, other_member


def test_the_command_reports_success_when_every_wallet_reconciles(busy_wallets):
    out = StringIO()

    call_command("reconcile_wallets", stdout=out, stderr=StringIO())

    assert wallets_reconcile() == []
    assert "All wallets reconcile" in out.getvalue()


def test_the_command_fails_when_a_balance_was_tampered_with(busy_wallets):
    member, _other = busy_wallets
    wallet = Wallet.objects.get(member=member)
    Wallet.objects.filter(pk=wallet.pk).update(balance=wallet.balance + 1_000)
    err = StringIO()

    with pytest.raises(CommandError, match="1 wallet"):
        call_command("reconcile_wallets", stdout=StringIO(), stderr=err)

    [problem] = wallets_reconcile()
    assert (problem.wallet_id, problem.balance, problem.ledger_sum, problem.unspent_sum) == (
        wallet.pk,
        wallet.balance + 1_000,
        170,
        170,
    )
    assert f"wallet {wallet.pk}" in err.getvalue()


def test_a_lot_whose_unspent_rest_was_tampered_with_is_found(busy_wallets):
    _member, other = busy_wallets
    lot = LedgerEntry.objects.get(wallet__member=other)
    LedgerEntry.objects.filter(pk=lot.pk).update(remaining=10)  # the one column that may move

    [problem] = wallets_reconcile()

    assert (problem.balance, problem.ledger_sum, problem.unspent_sum) == (40, 40, 10)
    with pytest.raises(CommandError):
        call_command("reconcile_wallets", stdout=StringIO(), stderr=StringIO())


def test_an_empty_wallet_reconciles(member, program):
    Wallet.objects.create(member=member)

    assert wallets_reconcile() == []
