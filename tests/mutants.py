"""Can the race and constraint tests fail? Take away each lock, conditional update and
constraint in turn, run them against PostgreSQL, and say which test caught it.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/lojal_mutants .venv/bin/python -m tests.mutants
    ... -m tests.mutants referral "stamp entry"     (only the mutants whose names have these)

One line per mutant: "caught by <test>" or "SURVIVED". Each mutant edits one file in the
working tree and puts it back afterwards (also on Ctrl-C). A constraint is taken out of the
model ("*[]": a list element that adds nothing) and the tests build their tables from the
models (--nomigrations), so that the database lacks it too. Not part of `make test`: it
runs the race tests some 25 times.
"""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TESTS = [
    "tests/rewards/test_concurrency.py",
    "tests/rewards/test_concurrency_rounds.py",
    "tests/rewards/test_constraints.py",
    "tests/rewards/test_wallet_writes.py",
    "tests/rewards/test_nightly_concurrency.py",
    "tests/counter/test_counter_concurrency.py",
    "tests/referrals/test_concurrency.py",
    "tests/members/test_join_concurrency.py",
    "tests/members/test_member_concurrency.py",
]


@dataclass(frozen=True)
class Mutant:
    name: str
    path: str
    before: str
    after: str
    constraint: bool = False  # taken out of a model: run with --nomigrations


LOCKS = [
    Mutant(
        "wallet row lock (every wallet write)",
        "rewards/services/core.py",
        'Wallet.objects.select_for_update(of=("self",), skip_locked=skip_locked).select_related("tier")',
        'Wallet.objects.select_related("tier")',
    ),
    Mutant(
        "wallet lock of the yearly tier review",
        "rewards/services/tiers.py",
        'Wallet.objects.select_for_update(of=("self",)).select_related("tier").get(pk=wallet_id)',
        'Wallet.objects.select_related("tier").get(pk=wallet_id)',
    ),
    Mutant(
        "wallet lock of the daily expiry job",
        "rewards/services/points.py",
        "core.locked_wallets(skip_locked=True).filter(pk__in=batch)",
        "Wallet.objects.filter(pk__in=batch)",
    ),
    Mutant(
        "wallet lock before counting today's stamps (daily limit)",
        "rewards/services/counter.py",
        "            core.lock(member)\n            repeat =",
        "            repeat =",
    ),
    Mutant(
        "wallet lock of the till's undo",
        "rewards/services/counter.py",
        "        core.lock(member)\n        known = _known(",
        "        known = _known(",
    ),
    Mutant(
        "referral row lock (qualify, pay, refund, review)",
        "referrals/services/payouts.py",
        "Referral.objects.select_for_update().filter(**lookup).first()",
        "Referral.objects.filter(**lookup).first()",
    ),
    Mutant(
        "referral code lock (the monthly cap)",
        "referrals/services/attribution.py",
        "ReferralCode.objects.select_for_update().get(pk=found.pk)",
        "ReferralCode.objects.get(pk=found.pk)",
    ),
    Mutant(
        "member row lock of a consent change",
        "members/services/accounts.py",
        "Member.objects.select_for_update().filter(pk=member.pk).first()",
        "Member.objects.filter(pk=member.pk).first()",
    ),
    Mutant(
        "member row lock of the erasure",
        "members/services/gdpr.py",
        'Member.objects.select_for_update().select_related("user").get(pk=member.pk)',
        'Member.objects.select_related("user").get(pk=member.pk)',
    ),
]

CONDITIONAL_UPDATES = [
    Mutant(
        "stock taken only while some is left",
        "rewards/services/core.py",
        "filter(pk=reward.pk, stock__gt=0)",
        "filter(pk=reward.pk)",
    ),
    Mutant(
        "voucher status moved only from the status expected",
        "rewards/services/core.py",
        "filter(pk=voucher.pk, status=old)",
        "filter(pk=voucher.pk)",
    ),
    Mutant(
        "undo gives a voucher back only if it is still used",
        "rewards/services/counter.py",
        "filter(pk=voucher.pk, status=Voucher.Status.USED)",
        "filter(pk=voucher.pk)",
    ),
]

_WALLET = "rewards/models/wallet.py"
CONSTRAINTS = [
    Mutant(
        "CHECK balance >= 0",
        _WALLET,
        'models.CheckConstraint(condition=models.Q(balance__gte=0), name="wallet_balance_gte_0")',
        "*[]",
        True,
    ),
    Mutant(
        "CHECK stamps >= 0",
        _WALLET,
        'models.CheckConstraint(condition=models.Q(stamps__gte=0), name="stamps_gte_0")',
        "*[]",
        True,
    ),
    Mutant(
        "CHECK 0 <= remaining <= points",
        _WALLET,
        'condition=Q(remaining__gte=0) & (Q(remaining__lte=F("points")) | Q(remaining=0))',
        "condition=Q(pk__isnull=False)",
        True,
    ),
    Mutant(
        "CHECK stock >= 0 (the column's own, PositiveIntegerField)",
        "rewards/models/catalogue.py",
        'stock = models.PositiveIntegerField(_("stock")',
        'stock = models.IntegerField(_("stock")',
        True,
    ),
    Mutant(
        "UNIQUE idempotency key",
        _WALLET,
        "key = models.CharField(max_length=100, unique=True)",
        "key = models.CharField(max_length=100)",
        True,
    ),
    Mutant(
        "UNIQUE stamp card per member",
        _WALLET,
        'models.UniqueConstraint(fields=["wallet", "card"], name="one_progress_per_card")',
        "*[]",
        True,
    ),
    Mutant(
        "UNIQUE tier sums per wallet and month",
        _WALLET,
        'models.UniqueConstraint(fields=["wallet", "month"], name="one_row_per_wallet_month")',
        "*[]",
        True,
    ),
    Mutant(
        "UNIQUE counter nonce",
        "rewards/models/counter.py",
        "nonce_key = models.CharField(max_length=100, unique=True, editable=False)",
        "nonce_key = models.CharField(max_length=100, editable=False)",
        True,
    ),
    Mutant(
        "UNIQUE voucher code",
        _WALLET,
        'code = models.CharField(_("code"), max_length=16, unique=True)',
        'code = models.CharField(_("code"), max_length=16)',
        True,
    ),
    Mutant(
        "CHECK entry points != 0",
        _WALLET,
        'models.CheckConstraint(condition=~Q(points=0), name="entry_points_not_zero")',
        "*[]",
        True,
    ),
    Mutant(
        "CHECK allocation points != 0",
        _WALLET,
        'models.CheckConstraint(condition=~Q(points=0), name="allocation_not_zero")',
        "*[]",
        True,
    ),
    Mutant(
        "CHECK stamp entry != 0",
        _WALLET,
        'models.CheckConstraint(condition=~Q(stamps=0), name="stamp_entry_not_zero")',
        "*[]",
        True,
    ),
]


def run_tests(*, nomigrations: bool) -> tuple[bool, str]:
    """(passed, the first failing test's id)."""
    args = [sys.executable, "-m", "pytest", "-q", "-x", "-p", "no:randomly", *TESTS]
    if nomigrations:
        args.append("--nomigrations")
    done = subprocess.run(args, cwd=ROOT, capture_output=True, text=True, check=False)  # noqa: S603
    failed = [line.split()[1] for line in done.stdout.splitlines() if line.startswith(("FAILED", "ERROR"))]
    return done.returncode == 0, failed[0] if failed else done.stdout.strip().splitlines()[-1:]


def main() -> int:
    only = sys.argv[1:]  # words of the mutants' names to run (all without)
    if not os.environ.get("DATABASE_URL", "").startswith("postgres"):
        print("set DATABASE_URL to a PostgreSQL database: SQLite cannot race", file=sys.stderr)
        return 2
    for nomigrations in (False, True):
        passed, detail = run_tests(nomigrations=nomigrations)
        if not passed:
            print(f"the tests fail without any mutant ({nomigrations=}): {detail}", file=sys.stderr)
            return 1
    survivors = 0
    for mutant in [*LOCKS, *CONDITIONAL_UPDATES, *CONSTRAINTS]:
        if only and not any(word in mutant.name for word in only):
            continue
        path = ROOT / mutant.path
        original = path.read_text()
        if original.count(mutant.before) != 1:
            print(f"{mutant.name}: its code was not found once in {mutant.path}; update tests/mutants.py")
            survivors += 1
            continue
        try:
            path.write_text(original.replace(mutant.before, mutant.after))
            passed, detail = run_tests(nomigrations=mutant.constraint)
        finally:
            path.write_text(original)
        survivors += passed
        print(f"{mutant.name}: {'SURVIVED' if passed else f'caught by {detail}'}", flush=True)
    return 1 if survivors else 0


if __name__ == "__main__":
    sys.exit(main())
