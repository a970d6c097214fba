"""Bench api_purchase: the POS API's purchase endpoint over HTTP, beside the bare baseline.

The real side is the project as production runs it (tests.bench.http_load.production_env):
gunicorn with 2 sync workers serving clubsite.wsgi. Each of the REGISTERS registers has an
API key of its own (scope "credit", its own calls-a-minute limit, counted in Redis like any
key's) at the bench's shop, and members of its own. wrk (tests/bench/counter_credit.lua in
its API shape) sends POST /api/v1/purchases/ with a JSON body {"member", "amount": "129.50",
"receipt_id"} and an Idempotency-Key, both a fresh uuid4 per request: every call is a new
purchase. The path through the project is the whole of it: the API key's hash, the scope,
the rate limit, the idempotency record, the wallet write, the call log.

The bare side is counter_credit's (tests.bench.bare_app): a Django view without middleware
that does the same database work in one transaction (lock the wallet, insert an operation
and a ledger entry, update the balance), gunicorn with 2 workers, the same load generator at
the same concurrency, members of its own. A short warm-up of each, then ROUNDS rounds,
alternating which side goes first, so that the machine's drift hits both alike.

Afterwards, receipt by receipt (warm-ups included): every 2xx answer made exactly one
purchase and every purchase is one the bench sent (answered <= credited <= sent), the
ledger entries match the purchases, and every wallet reconciles. Targets (logged, met or
not): ratio >= 0.4 and p99 <= 100 ms.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

from django.conf import settings
from django.urls import reverse

from members.models import Location
from rewards.models import LedgerEntry, Operation, PosKey, Scope
from rewards.services import wallets_reconcile
from tests.bench import counter_credit, data
from tests.bench.http_load import ensure_tool, gunicorn, percentile, production_env, wrk_run
from tests.bench.log import log

REGISTERS = 8  # connections = wrk threads = API keys
WORKERS = counter_credit.WORKERS
# As at the till: a member bought from more than 5 times a day is flagged (more queries), and
# a register sees different customers.
MEMBERS_PER_REGISTER = counter_credit.MEMBERS_PER_TILL
AMOUNT = "129.50"  # as a register sends it: a JSON string with a decimal point
WARMUP_S = counter_credit.WARMUP_S
SECONDS = counter_credit.SECONDS
ROUNDS = counter_credit.ROUNDS
SIDES = ("real", "bare")


def _registers(shop: Location) -> list[tuple[PosKey, str, list[str]]]:
    """REGISTERS API keys at `shop`, each with its raw key and its members' numbers."""
    registers = []
    for i in range(REGISTERS):
        key, raw = PosKey.objects.create_key(
            name=f"Bench register {i}", location=shop, scopes=[Scope.CREDIT], per_minute=10_000
        )
        numbers = [m.number for m in data.members_join(f"api{i}-", MEMBERS_PER_REGISTER)]
        registers.append((key, raw, numbers))
    return registers


def run() -> Iterator[dict]:
    """Yields the result line, then raises if answers and purchases disagree (the caller prints)."""
    wrk = ensure_tool("wrk", "wrk")
    database_url = os.environ["DATABASE_URL"]
    data.club_configure()
    shop = Location.objects.create(name="Bench API-kasse")
    registers = _registers(shop)
    bare_wallets = counter_credit.own_wallets("api-bare")
    log(f"api_purchase: {REGISTERS} registers, {REGISTERS * MEMBERS_PER_REGISTER} members")

    env = production_env(database_url, settings.SECRET_KEY)
    apps = {
        "real": ("clubsite.wsgi:application", env),
        "bare": (
            "tests.bench.bare_app:application",
            {**env, "DJANGO_SETTINGS_MODULE": "tests.bench.bare_settings"},
        ),
    }
    lines = {
        "real": [
            f"Authorization: Api-Key {raw}\t-\t{AMOUNT}\t{' '.join(numbers)}"
            for _key, raw, numbers in registers
        ],
        # The bare view reads the amount as the till types it.
        "bare": ["-\t-\t129%2C50\t" + " ".join(f"/bare/{pk}/" for pk in ws) for ws in bare_wallets],
    }
    api_path = {"real": reverse("api:purchases"), "bare": ""}
    sent = {side: set() for side in SIDES}
    answered = {side: set() for side in SIDES}
    measured = {side: [] for side in SIDES}
    with tempfile.TemporaryDirectory(prefix="lojal-bench-") as tmp, contextlib.ExitStack() as servers:
        workdir = Path(tmp)
        urls = {
            side: servers.enter_context(gunicorn(*apps[side], workdir, name=f"api-{side}", workers=WORKERS))
            for side in SIDES
        }

        def load(side: str, seconds: float) -> dict:
            result = wrk_run(wrk, urls[side], lines[side], seconds, workdir, api_path=api_path[side])
            sent[side] |= result["sent"]
            answered[side] |= result["answered"]
            log(
                f"api_purchase {side}: {result['ok']} 2xx + {result['other']} other in {result['s']:.2f}s"
                f" = {result['ok'] / result['s']:.1f}/s; p50 {percentile(result['latencies'], 50):.1f} ms,"
                f" p99 {percentile(result['latencies'], 99):.1f} ms"
            )
            return result

        for side in SIDES:
            load(side, WARMUP_S)
        for rnd in range(ROUNDS):
            for side in SIDES if rnd % 2 == 0 else reversed(SIDES):
                measured[side].append(load(side, SECONDS))

    def rate(side: str) -> float:
        return sum(r["ok"] for r in measured[side]) / sum(r["s"] for r in measured[side])

    prefixes = [f"api:{key.prefix}:receipt:" for key, _raw, _numbers in registers]
    receipts = {
        op_key.split(":receipt:", 1)[1]
        for op_key in Operation.objects.filter(key__startswith="api:").values_list("key", flat=True)
        if op_key.startswith(tuple(prefixes))
    }
    entries = LedgerEntry.objects.filter(location=shop, kind=LedgerEntry.Kind.EARN).count()
    credited = {"real": receipts, "bare": counter_credit.bare_credits(bare_wallets)}
    consistent = entries == len(receipts)
    for side in SIDES:
        log(
            f"api_purchase {side}: {len(answered[side])} answered 2xx, {len(credited[side])} credited,"
            f" {len(sent[side])} sent" + (f", {entries} ledger entries" if side == "real" else "")
        )
        consistent &= answered[side] <= credited[side] <= sent[side]
    latencies = [ms for r in measured["real"] for ms in r["latencies"]]
    rps, bare_rps = rate("real"), rate("bare")
    line = {
        "bench": "api_purchase",
        "registers": REGISTERS,
        "rps": round(rps, 1),
        "p50_ms": round(percentile(latencies, 50), 1),
        "p99_ms": round(percentile(latencies, 99), 1),
        "bare_rps": round(bare_rps, 1),
        "ratio": round(rps / bare_rps, 3),
        "answered_2xx": len(answered["real"]),
        "credited": len(receipts),
        "wallets_off": len(wallets_reconcile()),
    }
    targets = {"ratio >= 0.4": line["ratio"] >= 0.4, "p99 <= 100 ms": line["p99_ms"] <= 100}
    log(
        "api_purchase: targets: "
        + ", ".join(f"{n} {'met' if ok else 'NOT met'}" for n, ok in targets.items())
    )
    yield line
    if not consistent:
        raise RuntimeError("api_purchase: 2xx answers and purchases disagree (see the log above)")
