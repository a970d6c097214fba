"""Bench 1, ledger_ops: wallet writes per second through the services, beside raw SQL.

An "op" is one wallet write. Workers alternate an earn (purchase_register) with a spend
(points_deduct) of exactly the points just earned, so balances stay >= 0 and every pair
leaves the wallet as it found it; a worker only stops between pairs.

The raw baseline does per op what the brief calls the essential work, with psycopg on the
same database: BEGIN; SELECT the wallet FOR UPDATE; INSERT an operation (the ledger row's
NOT NULL FK needs one, and the service writes one too); INSERT the ledger row; UPDATE the
balance; COMMIT. A raw spend also takes its points off the lot the paired earn created
(one UPDATE): without it the raw wallets would break the invariant balance == unspent lots
and wallets_reconcile would report them. That is the only work beyond the brief's list.

Each thread has its own connection (Django's are per thread; raw ones are opened here) and
its own slice of the members, so threads contend for the CPU and the database, not for a
wallet row. Service and raw runs alternate in short rounds so that drift in a noisy machine
hits both alike.
"""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Callable, Iterator

import psycopg
from django.db import connections

from members.models import Member
from rewards.models import Wallet
from rewards.services import points_deduct, purchase_register
from tests.bench.log import log
from tests.bench.raw_sql import RAW_BALANCE, RAW_ENTRY, RAW_LOCK, RAW_LOT, RAW_OPERATION

MEMBERS = 64  # per side (service, raw): threads spread over them, as the brief asks
SECONDS = 8.0  # measured time per (variant, thread count), split over ROUNDS
ROUNDS = 2
WARMUP_PAIRS = 3  # per worker, not counted: connections, statement caches, imports
AMOUNT_ORE = 12_345  # 123 points at the default 1 point per krone


class ServiceWorker:
    """One thread's writes through rewards.services (Django opens its connection lazily)."""

    def __init__(self, name: str, members: list[Member]):
        self.name, self.members, self.n = name, members, 0

    def pair(self) -> None:
        member = self.members[self.n % len(self.members)]
        key = f"{self.name}:{self.n}"
        earned = purchase_register(member=member, amount_ore=AMOUNT_ORE, idempotency_key=f"{key}:earn")
        points_deduct(
            member=member, points=earned.entry.points, reason="bench", idempotency_key=f"{key}:spend"
        )
        self.n += 1

    def close(self) -> None:
        connections.close_all()  # this thread's connections only (they are thread-local)


class RawWorker:
    """One thread's writes as plain SQL over its own psycopg connection."""

    def __init__(self, name: str, wallet_ids: list[int], dsn: str, points: int):
        self.name, self.wallet_ids, self.n, self.points = name, wallet_ids, 0, points
        # Not autocommit: psycopg sends BEGIN before the first statement, as Django's atomic does.
        self.conn = psycopg.connect(dsn)

    def _write(self, wallet_id: int, kind: str, points: int, key: str, lot_id: int | None) -> int:
        with self.conn.cursor() as cur:
            cur.execute(RAW_LOCK, (wallet_id,))
            (balance,) = cur.fetchone()
            cur.execute(RAW_OPERATION, (key, kind, wallet_id))
            (operation_id,) = cur.fetchone()
            earn = points > 0
            cur.execute(
                RAW_ENTRY,
                (
                    wallet_id,
                    operation_id,
                    "earn" if earn else "adjust",
                    points,
                    points if earn else 0,  # a new lot is wholly unspent; a debit has none
                    None,  # the default program's expiry is a Python computation; not the DB's work
                    earn,
                    AMOUNT_ORE if earn else None,
                    "" if earn else "bench",
                ),
            )
            (entry_id,) = cur.fetchone()
            if lot_id is not None:
                cur.execute(RAW_LOT, (-points, lot_id))
            cur.execute(RAW_BALANCE, (balance + points, wallet_id))
        self.conn.commit()
        return entry_id

    def pair(self) -> None:
        wallet_id = self.wallet_ids[self.n % len(self.wallet_ids)]
        key = f"{self.name}:{self.n}"
        lot_id = self._write(wallet_id, "purchase", self.points, f"{key}:earn", None)
        self._write(wallet_id, "deduct", -self.points, f"{key}:spend", lot_id)
        self.n += 1

    def close(self) -> None:
        self.conn.close()


def run_threads(make_worker: Callable[[int], object], threads: int, seconds: float) -> tuple[int, float]:
    """Run `threads` workers for `seconds` after a shared start; return (ops, wall seconds)."""
    barrier = threading.Barrier(threads + 1)
    pairs = [0] * threads
    errors: list[BaseException] = []

    def body(index: int) -> None:
        worker = None
        try:
            worker = make_worker(index)
            for _ in range(WARMUP_PAIRS):
                worker.pair()
            barrier.wait()
            deadline = time.perf_counter() + seconds
            done = 0
            while time.perf_counter() < deadline:
                worker.pair()
                done += 1
            pairs[index] = done
        except BaseException as exc:
            errors.append(exc)
            barrier.abort()  # do not leave the others waiting for a thread that died
        finally:
            if worker is not None:
                worker.close()

    pool = [threading.Thread(target=body, args=(i,), name=f"bench-{i}") for i in range(threads)]
    for thread in pool:
        thread.start()
    with contextlib.suppress(threading.BrokenBarrierError):  # a worker failed: join and report it
        barrier.wait()
    started = time.perf_counter()
    for thread in pool:
        thread.join()
    elapsed = time.perf_counter() - started  # includes the pairs in flight at the deadline
    if errors:
        raise RuntimeError(f"a bench thread failed: {errors[0]!r}") from errors[0]
    return 2 * sum(pairs), elapsed


def _slices(items: list, threads: int) -> list[list]:
    return [items[i::threads] for i in range(threads)]


def _round(threads: int, rnd: int, service_slices, raw_slices, dsn: str, points: int) -> dict:
    """One round: the service, then raw SQL, each for SECONDS / ROUNDS. Returns (ops, s) per variant."""
    workers = {
        "service": lambda i: ServiceWorker(f"svc:{threads}:{rnd}:{i}", service_slices[i]),
        "raw": lambda i: RawWorker(f"raw:{threads}:{rnd}:{i}", raw_slices[i], dsn, points),
    }
    measured = {}
    for variant, make in workers.items():
        ops, elapsed = run_threads(make, threads, SECONDS / ROUNDS)
        log(f"ledger_ops {variant:7} threads={threads} round={rnd}: {ops} ops in {elapsed:.2f}s")
        measured[variant] = (ops, elapsed)
    return measured


def run(*, service_members: list[Member], raw_members: list[Member], dsn: str) -> Iterator[dict]:
    """Both thread counts; yields each result line as soon as it is measured (the caller prints)."""
    raw_wallets = list(
        Wallet.objects.filter(member__in=raw_members).order_by("pk").values_list("pk", flat=True)
    )
    # The raw side earns what the service earns for the same purchase, so both move alike.
    probe = purchase_register(member=service_members[0], amount_ore=AMOUNT_ORE, idempotency_key="bench:probe")
    points = probe.entry.points
    points_deduct(
        member=service_members[0], points=points, reason="bench", idempotency_key="bench:probe:back"
    )
    for threads in (1, 8):
        service_slices, raw_slices = _slices(service_members, threads), _slices(raw_wallets, threads)
        rounds = [_round(threads, rnd, service_slices, raw_slices, dsn, points) for rnd in range(ROUNDS)]
        ops_per_s, raw_ops_per_s = (
            sum(r[variant][0] for r in rounds) / sum(r[variant][1] for r in rounds)
            for variant in ("service", "raw")
        )
        yield {
            "bench": "ledger_ops",
            "threads": threads,
            "ops_per_s": round(ops_per_s, 1),
            "raw_ops_per_s": round(raw_ops_per_s, 1),
            "ratio": round(ops_per_s / raw_ops_per_s, 3),
        }
