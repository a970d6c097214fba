"""Checks that the cached balances agree with the ledger (the wallet's invariants)."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Q, Sum

from rewards.models import Wallet


@dataclass(frozen=True)
class Discrepancy:
    wallet_id: int
    balance: int
    ledger_sum: int
    unspent_sum: int


def wallets_reconcile() -> list[Discrepancy]:
    """Every wallet whose balance differs from the sum of its entries, or from the unspent
    rest of its lots. One aggregate query; an empty list means all is well."""
    rows = Wallet.objects.annotate(
        ledger_sum=Sum("entries__points", default=0),
        unspent_sum=Sum("entries__remaining", filter=Q(entries__remaining__gt=0), default=0),
    ).values_list("pk", "balance", "ledger_sum", "unspent_sum")
    return [Discrepancy(*row) for row in rows if not (row[1] == row[2] == row[3])]
