"""Random sequences of wallet operations, checked against a small model of the ledger.

Hypothesis drives purchases, bonuses, deductions, redemptions, hand-backs, voucher use,
reversals of any entry, retries of a key, the owner changing the program, the clock moving
on by days or months, and the nightly expiry job. The model keeps its own lots (oldest
first, calendar-month expiry) and predicts every refusal and every ledger row: kind,
points and which lots each row took from. After every step the database must agree with
the model and with the wallet's invariants, judged from the rows alone.
"""

from __future__ import annotations

import copy
import itertools
from collections import defaultdict
from decimal import Decimal

from dateutil.relativedelta import relativedelta
from django.db import transaction
from django.test import TestCase
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, precondition, rule

from rewards.config import forget
from rewards.errors import RewardsError
from rewards.models import LedgerAllocation, LedgerEntry, PointsProgram, Reward, Voucher, Wallet
from rewards.services import (
    entry_reverse,
    points_award,
    points_deduct,
    points_expire_due,
    purchase_register,
    reward_redeem,
    voucher_cancel,
    voucher_use,
    wallet_get_or_create,
    wallets_reconcile,
)
from tests.factories import MemberFactory, RewardFactory
from tests.rewards.ledger_model import (
    CREDITS,
    MEMBERS,
    REWARDS,
    START,
    Kind,
    Model,
    Refused,
    WalletModel,
    Write,
)


class WalletMachine(RuleBasedStateMachine):
    def __init__(self):
        super().__init__()
        # Each example runs in its own savepoint, rolled back in teardown().
        self._atomic = transaction.atomic()
        self._atomic.__enter__()
        forget()  # the cached program and tiers (rewards.config) of a rolled-back example
        self.keys = itertools.count()
        self.now = START
        self.model = Model(wallets=[WalletModel() for _ in range(MEMBERS)])
        self.writes: list[Write] = []  # every successful keyed write, for the retry rules

    def teardown(self):
        transaction.set_rollback(True)
        self._atomic.__exit__(None, None, None)
        forget()

    @initialize()
    def open_the_club(self):
        PointsProgram.load()
        self.members = [MemberFactory() for _ in range(MEMBERS)]
        self.wallets = [wallet_get_or_create(m) for m in self.members]
        self.rewards = [
            RewardFactory(cost_points=cost, stock=stock, per_member_limit=limit, voucher_valid_days=days)
            for cost, stock, limit, days in REWARDS
        ]

    # --- running an operation against both the services and the model

    def key(self) -> str:
        return f"machine:{next(self.keys)}"

    def attempt(self, m: int, key: str, predict, call, amount_ore: int | None = None):
        """Predict with the model (rolled back if it refuses), call the service, compare."""
        before = copy.deepcopy(self.model)
        try:
            predict()
            expected = None
        except Refused as refusal:
            self.model, expected = before, refusal.code
        try:
            result = call(self.now)
        except RewardsError as error:
            assert error.code == expected, f"service refused {error.code!r}, model expected {expected!r}"
            self.sync()
            return None
        assert expected is None, f"service succeeded, model expected {expected!r}"
        assert not result.replayed
        self.sync()
        self.writes.append(Write(m, key, amount_ore, call, result))
        return result

    def sync(self):
        """Every row the services added must be the row the model expected, in order."""
        for w_model, wallet in zip(self.model.wallets, self.wallets, strict=True):
            rows = list(LedgerEntry.objects.filter(wallet=wallet, pk__gt=w_model.last_pk).order_by("pk"))
            taken = defaultdict(dict)
            for entry_id, lot_id, points in LedgerAllocation.objects.filter(entry__in=rows).values_list(
                "entry_id", "lot_id", "points"
            ):
                taken[entry_id][lot_id] = points
            actual = [(r.kind, r.points, taken[r.pk]) for r in rows]
            expected = [
                (e.kind, e.points, {lot.pk: p for lot, p in e.taken.items()}) for e in w_model.pending
            ]
            assert actual == expected
            for row, entry in zip(rows, w_model.pending, strict=True):
                entry.pk = row.pk
                if entry.lot is not None:
                    entry.lot.pk = row.pk
                    assert (row.created_at, row.expires_at) == (entry.lot.created_at, entry.lot.expires_at)
            w_model.entries.extend(w_model.pending)
            w_model.pending.clear()
            w_model.last_pk = max([w_model.last_pk, *(r.pk for r in rows)])

    # --- rules

    @rule(m=st.integers(0, MEMBERS - 1), amount_ore=st.integers(1, 300_000))
    def purchase(self, m, amount_ore):
        key = self.key()
        self.attempt(
            m,
            key,
            lambda: self.model.purchase(m, amount_ore, self.now),
            lambda at: purchase_register(
                member=self.members[m], amount_ore=amount_ore, idempotency_key=key, at=at
            ),
            amount_ore=amount_ore,
        )

    @rule(m=st.integers(0, MEMBERS - 1), points=st.integers(1, 3_000))
    def award_bonus(self, m, points):
        key = self.key()
        self.attempt(
            m,
            key,
            lambda: self.model.award(m, points, self.now),
            lambda at: points_award(
                member=self.members[m], points=points, reason="bonus", idempotency_key=key, at=at
            ),
        )

    @rule(m=st.integers(0, MEMBERS - 1), points=st.integers(1, 500))
    def deduct(self, m, points):
        key = self.key()
        self.attempt(
            m,
            key,
            lambda: self.model.deduct(m, points, self.now),
            lambda at: points_deduct(
                member=self.members[m], points=points, reason="correction", idempotency_key=key, at=at
            ),
        )

    @rule(m=st.integers(0, MEMBERS - 1), r=st.integers(0, len(REWARDS) - 1))
    def redeem(self, m, r):
        key, predicted = self.key(), []
        result = self.attempt(
            m,
            key,
            lambda: predicted.append(self.model.redeem(m, r, self.now)),
            lambda at: reward_redeem(
                member=self.members[m], reward=self.rewards[r], idempotency_key=key, at=at
            ),
        )
        if result is not None:
            predicted[0].pk = result.voucher.pk
            assert result.voucher.expires_at == predicted[0].expires_at

    @precondition(lambda self: self.model.vouchers)
    @rule(pick=st.integers(0, 10**6))
    def hand_back_a_voucher(self, pick):
        voucher = self.model.vouchers[pick % len(self.model.vouchers)]
        key, m = self.key(), voucher.owner
        self.attempt(
            m,
            key,
            lambda: self.model.cancel(m, voucher, self.now),
            lambda at: voucher_cancel(
                voucher=Voucher.objects.get(pk=voucher.pk), member=self.members[m], idempotency_key=key, at=at
            ),
        )

    @precondition(lambda self: self.model.vouchers)
    @rule(pick=st.integers(0, 10**6))
    def use_a_voucher(self, pick):
        voucher = self.model.vouchers[pick % len(self.model.vouchers)]
        key, code = self.key(), Voucher.objects.get(pk=voucher.pk).code
        self.attempt(
            voucher.owner,
            key,
            lambda: self.model.use(voucher, self.now),
            lambda at: voucher_use(code=code, idempotency_key=key, at=at),
        )

    @precondition(lambda self: any(w.entries for w in self.model.wallets))
    @rule(pick=st.integers(0, 10**6))
    def reverse_an_entry(self, pick):
        choices = [(m, e) for m, w in enumerate(self.model.wallets) for e in w.entries]
        m, entry = choices[pick % len(choices)]
        key = self.key()
        self.attempt(
            m,
            key,
            lambda: self.model.reverse(m, entry, self.now),
            lambda at: entry_reverse(
                entry=LedgerEntry.objects.get(pk=entry.pk), reason="mistake", idempotency_key=key, at=at
            ),
        )

    @rule(months=st.integers(0, 13), days=st.integers(0, 45))
    def time_passes(self, months, days):
        self.now += relativedelta(months=months, days=days)

    @rule()
    def the_nightly_expiry_job_runs(self):
        expected = self.model.expiry_job(self.now)
        assert points_expire_due(now=self.now) == expected
        self.sync()

    @rule(hundredths=st.sampled_from([50, 100, 150, 200]), months=st.sampled_from([0, 1, 6, 12]))
    def the_owner_changes_the_program(self, hundredths, months):
        program = PointsProgram.load()
        program.points_per_krone = Decimal(hundredths) / 100
        program.expiry_months = months
        program.save()
        self.model.hundredths_per_krone, self.model.expiry_months = hundredths, months

    @precondition(lambda self: self.writes)
    @rule(pick=st.integers(0, 10**6))
    def an_earlier_write_arrives_again(self, pick):
        write = self.writes[pick % len(self.writes)]
        first = write.result
        again = write.call(self.now)  # however much later: the first answer, nothing changed
        assert again.replayed
        assert again.balance == first.balance
        assert [e.pk for e in again.entries] == [e.pk for e in first.entries]
        assert [v.pk for v in again.vouchers] == [v.pk for v in first.vouchers]
        self.sync()  # nothing new may appear

    @precondition(lambda self: self.writes)
    @rule(pick=st.integers(0, 10**6), m=st.integers(0, MEMBERS - 1), amount_ore=st.integers(1, 300_000))
    def an_earlier_key_arrives_with_other_details(self, pick, m, amount_ore):
        last = self.writes[pick % len(self.writes)]
        if (m, amount_ore) == (last.member, last.amount_ore):
            amount_ore += 1  # other details, always
        try:
            purchase_register(
                member=self.members[m], amount_ore=amount_ore, idempotency_key=last.key, at=self.now
            )
        except RewardsError as error:
            assert error.code == "duplicate_request"
        else:
            raise AssertionError("a reused key with other details was accepted")
        self.sync()

    # --- invariants, judged from the rows alone (and then against the model)

    @invariant()
    def the_ledger_adds_up(self):
        if not hasattr(self, "wallets"):
            return
        balances = dict(
            Wallet.objects.filter(pk__in=[w.pk for w in self.wallets]).values_list("pk", "balance")
        )
        rows = defaultdict(list)
        for wallet_id, *row in LedgerEntry.objects.filter(wallet__in=self.wallets).values_list(
            "wallet_id", "pk", "kind", "points", "remaining"
        ):
            rows[wallet_id].append(row)
        allocations = LedgerAllocation.objects.filter(entry__wallet__in=self.wallets).order_by("pk")
        allocations = list(allocations.values_list("entry_id", "lot_id", "points", "entry__kind"))
        moved = defaultdict(int)
        for entry_id, _lot_id, points, _kind in allocations:
            moved[entry_id] += points

        for w_model, wallet in zip(self.model.wallets, self.wallets, strict=True):
            balance = balances[wallet.pk]
            assert balance == sum(points for _pk, _kind, points, _rest in rows[wallet.pk]) >= 0
            assert balance == sum(rest for _pk, _kind, points, rest in rows[wallet.pk] if points > 0)
            assert balance == w_model.balance
            lots = {pk: (points, rest) for pk, kind, points, rest in rows[wallet.pk] if kind in CREDITS}
            assert {pk: rest for pk, (_points, rest) in lots.items()} == {
                lot.pk: lot.remaining for lot in w_model.lots
            }
            # Replay every lot from its allocations, in the order they were written: a lot
            # never goes below zero, and an expiry takes exactly the unspent rest, so it can
            # never expire points that were spent.
            left = {pk: points for pk, (points, _rest) in lots.items()}
            for _entry_id, lot_id, points, kind in allocations:
                if lot_id not in left:
                    continue  # the other wallet's lot
                left[lot_id] -= points
                assert 0 <= left[lot_id] <= lots[lot_id][0], f"lot {lot_id} overdrawn or overfilled"
                if kind == Kind.EXPIRE:
                    assert left[lot_id] == 0, f"expiry of lot {lot_id} left {left[lot_id]} unexpired"
            assert left == {pk: rest for pk, (_points, rest) in lots.items()}
            # Every row but an earning says where its points came from or went.
            for pk, kind, points, _rest in rows[wallet.pk]:
                if kind not in CREDITS:
                    assert moved[pk] == -points, f"{kind} entry {pk} is not fully allocated"

        assert wallets_reconcile() == []
        assert dict(Voucher.objects.values_list("pk", "status")) == {
            v.pk: v.status for v in self.model.vouchers
        }
        stock = dict(Reward.objects.values_list("pk", "stock"))
        assert [stock[r.pk] for r in self.rewards] == self.model.stock


# Examples, deadline and health checks from the profile (tests/conftest.py: more in CI).
WalletMachine.TestCase.settings = settings(stateful_step_count=50)


# The machine's TestCase comes first: its `settings` must win over Django's settings() helper.
# Django's TestCase around it gives the database; each example is a savepoint of its own.
class TestWalletUnderRandomOperations(WalletMachine.TestCase, TestCase):
    def test_balance_lots_and_expiry_agree_with_the_model_after_every_step(self):
        self.runTest()
