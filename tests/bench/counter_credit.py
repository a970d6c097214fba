"""Bench 3, counter_credit: the till's "register purchase" over HTTP, beside a bare baseline.

The real side is the project as production runs it: gunicorn (2 sync workers) serving
clubsite.wsgi with clubsite.settings (DEBUG off, the whole middleware stack, sessions in the
database, the cache in Redis as the README asks for several processes — local memory when
Redis is not there). Only the TLS settings are relaxed (SECURE_SSL_REDIRECT and the secure
cookies off): the bench speaks plain HTTP on the loopback, where production has a TLS proxy.

Each of the TILLS tills is a counter-staff user assigned to the bench's shop, logged in
with a session of its own (made as the test Client's force_login makes it; the server reads
it from the database like any other), with its own members. It opens its first member's
panel once (the htmx GET a scan leads to), which gives it the csrftoken cookie and the
form's csrfmiddlewaretoken, then wrk (tests/bench/counter_credit.lua) sends
POST /kasse/<shop>/medlem/<number>/kjop/ with a fresh uuid4 nonce and "129,50" per request,
rotating over the till's members, one connection per till.

The bare side (tests.bench.bare_app, tests.bench.bare_settings) is gunicorn with 2 workers
serving a Django view without middleware that does the same database work in one
transaction: lock the wallet, insert an operation and a ledger entry, update the balance.
Same load generator, same concurrency, its own members. pgbench's TPC-B (8 clients, a
throwaway database) says what the database server itself manages on this machine.

A third side, the floor (floor_rps): the bare view's work and answer behind all that the
project puts around a counter action (tests.bench.urls.counter_floor, served like the real
side: middleware, the tills' sessions and CSRF tokens, at_location's shop and member check).
floor / bare is what the stack costs before an action does anything of its own; real / floor
is the action's own share. The targets (logged, met or not): p99 <= 100 ms and >= 100
credits/s at 8 tills, real / floor >= 0.35, every credit answered once, every wallet
reconciled.

With BENCH_THREADS=1,4 (see THREADS) every side is also served by gunicorn's threaded
worker, and all the servers are measured in the same rounds.

A short warm-up of each, then ROUNDS rounds of every side, alternating (real first, then
bare first) so that drift on a noisy machine hits them alike. rps is 2xx answers per second
of the measured rounds; latencies are per request, from wrk's send to the end of the answer.
Afterwards, nonce by nonce (warm-ups included): every 2xx answer made exactly one credit and
every credit is one the bench sent (answered <= credited <= sent; the Lua script explains why
they are equal in a clean run); the ledger entries match the counter actions; and every
wallet reconciles. The SQL statements of one credit are counted (and logged) in-process;
tests/bench/counter_credit_profile.py measures its CPU time and where it goes.
"""

from __future__ import annotations

import contextlib
import os
import re
import tempfile
import time
import urllib.request
import uuid
from collections.abc import Iterator
from http.cookies import SimpleCookie
from pathlib import Path

from django.conf import settings
from django.contrib.auth.models import Group
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from members import roles
from members.models import Location, Member, User
from rewards.models import CounterAction, LedgerEntry
from rewards.services import wallet_get_or_create, wallets_reconcile
from tests.bench import data
from tests.bench.http_load import ensure_tool, gunicorn, percentile, pgbench_tps, production_env, wrk_run
from tests.bench.log import log

TILLS = 8  # connections = wrk threads = staff sessions
WORKERS = 2  # gunicorn workers, for every server
# Threads per worker, the same for both servers: 1 is gunicorn's sync worker, more its
# gthread worker. BENCH_THREADS=1,4 serves both deployments side by side and measures them
# in the same rounds (one result line each), so that the comparison is not the noise of two
# runs; the first is the one the README reports.
THREADS = [int(n) for n in os.environ.get("BENCH_THREADS", "1").split(",")]
# A member credited more than 5 times a day raises a counter flag (two more queries per
# credit): real tills see different customers, so each till has enough members to stay
# mostly below that (about rps * 60 s of credits spread over TILLS * MEMBERS_PER_TILL).
MEMBERS_PER_TILL = 160
BARE_MEMBERS_PER_TILL = 16  # the bare and floor views have no per-member work: a few rows suffice
SIDES = ("real", "floor", "bare")
AMOUNT = "129,50"
WARMUP_S = 5  # first requests of a worker: imports, templates, translations
SECONDS = 12  # per round and variant: ROUNDS * SECONDS measured per variant
ROUNDS = 3  # alternating which goes first: this machine drifts by 10-20 % between rounds


# --- Data


def _tills(shop: Location) -> list[tuple[User, list[Member]]]:
    """TILLS counter-staff users working at `shop`, each with MEMBERS_PER_TILL members."""
    group = Group.objects.get(name=roles.COUNTER_STAFF)
    tills = []
    for i in range(TILLS):
        staff = User.objects.create_user(email=f"till{i}@bench.example", first_name=f"Till {i}")
        staff.groups.add(group)
        staff.locations.add(shop)
        tills.append((staff, data.members_join(f"till{i}-", MEMBERS_PER_TILL)))
    return tills


def _session_cookie(user: User) -> str:
    """A logged-in session in the database, as a browser would hold it after logging in."""
    client = Client()
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    return client.cookies[settings.SESSION_COOKIE_NAME].value


def _open_panel(base_url: str, shop: Location, member: Member, session: str) -> tuple[str, str]:
    """GET the member panel as htmx does after a scan: (csrftoken cookie, the form's token)."""
    path = reverse("rewards:counter_member", args=[shop.pk, member.number])
    request = urllib.request.Request(  # noqa: S310 - our own local server
        base_url + path,
        headers={"Cookie": f"{settings.SESSION_COOKIE_NAME}={session}", "HX-Request": "true"},
    )
    with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
        html = response.read().decode()
        cookies = SimpleCookie()
        for header in response.headers.get_all("Set-Cookie") or []:
            cookies.load(header)
    if settings.CSRF_COOKIE_NAME not in cookies:
        raise RuntimeError(f"the panel set no {settings.CSRF_COOKIE_NAME} cookie")
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html)
    if token is None:
        raise RuntimeError("the panel has no csrfmiddlewaretoken")
    return cookies[settings.CSRF_COOKIE_NAME].value, token[1]


def _label(variant: tuple[str, int]) -> str:
    side, threads = variant
    return side if len(THREADS) == 1 else f"{side} ({threads} thread(s) per worker)"


# --- Query count of the action (in-process, for the log and the report)


def _query_count(staff: User) -> int:
    """SQL statements of one credit through the test Client: same views, same middleware."""
    probe_shop = Location.objects.create(name="Bench probe")
    staff.locations.add(probe_shop)
    (member,) = data.members_join("probe-", 1)
    client = Client()
    client.force_login(staff, backend="django.contrib.auth.backends.ModelBackend")
    url = reverse("rewards:counter_action", args=[probe_shop.pk, member.number, "kjop"])
    client.get(reverse("rewards:counter_member", args=[probe_shop.pk, member.number]), HTTP_HX_REQUEST="true")
    for _ in range(2):  # warm: config cache, prepared statements
        client.post(url, {"nonce": uuid.uuid4().hex, "amount": AMOUNT}, HTTP_HX_REQUEST="true")
    with CaptureQueriesContext(connection) as captured:
        response = client.post(url, {"nonce": uuid.uuid4().hex, "amount": AMOUNT}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200, response.status_code
    for query in captured.captured_queries:
        log(f"counter_credit: query {query['sql'][:160]}")
    return len(captured.captured_queries)


# --- The bench


def own_wallets(prefix: str) -> list[list[int]]:
    """BARE_MEMBERS_PER_TILL new members' wallet ids per till, for a side of its own."""
    return [
        [wallet_get_or_create(m).pk for m in data.members_join(f"{prefix}{i}-", BARE_MEMBERS_PER_TILL)]
        for i in range(TILLS)
    ]


def bare_credits(wallet_ids: list[list[int]]) -> set[str]:
    """The nonces the bare view's SQL credited to these wallets (its operations' keys)."""
    keys = LedgerEntry.objects.filter(
        operation__key__startswith="bare:", wallet__in=[pk for ws in wallet_ids for pk in ws]
    ).values_list("operation__key", flat=True)
    return {key.removeprefix("bare:") for key in keys}


def _environments(database_url: str) -> dict[str, tuple[str, dict[str, str]]]:
    """Each side's WSGI app and environment."""
    real_env = production_env(database_url, settings.SECRET_KEY)  # the sessions were signed with it
    log(f"counter_credit: cache {real_env['CACHE_URL']}")
    return {
        "real": ("clubsite.wsgi:application", real_env),
        # The project's settings with the bench's views added to its URLs.
        "floor": (
            "clubsite.wsgi:application",
            {**real_env, "DJANGO_SETTINGS_MODULE": "tests.bench.floor_settings"},
        ),
        "bare": (
            "tests.bench.bare_app:application",
            {**real_env, "DJANGO_SETTINGS_MODULE": "tests.bench.bare_settings"},
        ),
    }


def run() -> Iterator[dict]:
    """Yields the result line, then raises if answers and credits disagree (the caller prints)."""
    wrk = ensure_tool("wrk", "wrk")
    database_url = os.environ["DATABASE_URL"]  # the bench database (configure_django set it)
    started = time.perf_counter()
    data.club_configure()
    shop = Location.objects.create(name="Bench kasse")
    tills = _tills(shop)
    own = {"bare": own_wallets("bare"), "floor": own_wallets("floor")}
    members = [m for _staff, ms in tills for m in ms]
    log(f"counter_credit: {TILLS} tills, {len(members)} members in {time.perf_counter() - started:.1f}s")
    queries = _query_count(tills[0][0])
    log(f"counter_credit: one credit through the test Client makes {queries} SQL queries")

    apps = _environments(database_url)
    amount = AMOUNT.replace(",", "%2C")
    sent = {side: set() for side in SIDES}  # nonces, warm-ups included
    answered = {side: set() for side in SIDES}  # nonces answered 2xx
    measured = {(side, threads): [] for threads in THREADS for side in SIDES}
    with tempfile.TemporaryDirectory(prefix="lojal-bench-") as tmp, contextlib.ExitStack() as servers:
        workdir = Path(tmp)
        urls = {
            (side, threads): servers.enter_context(
                gunicorn(*apps[side], workdir, name=side, workers=WORKERS, threads=threads)
            )
            for side, threads in measured
        }
        lines = {side: [] for side in SIDES}
        for i, (staff, till_members) in enumerate(tills):
            session = _session_cookie(staff)
            # The session and the CSRF cookie are the database's and the cache's: any server
            # with the project's settings takes them.
            csrf_cookie, token = _open_panel(urls["real", THREADS[0]], shop, till_members[0], session)
            cookie = (
                f"Cookie: {settings.SESSION_COOKIE_NAME}={session}; {settings.CSRF_COOKIE_NAME}={csrf_cookie}"
            )
            real_paths = [
                reverse("rewards:counter_action", args=[shop.pk, m.number, "kjop"]) for m in till_members
            ]
            lines["real"].append(f"{cookie}\t{token}\t{amount}\t{' '.join(real_paths)}")
            floor_members = Member.objects.filter(wallet__in=own["floor"][i]).values_list("number", "wallet")
            floor_paths = [reverse("bench_counter_floor", args=[shop.pk, *row]) for row in floor_members]
            lines["floor"].append(f"{cookie}\t{token}\t{amount}\t{' '.join(floor_paths)}")
        lines["bare"] = [f"-\t-\t{amount}\t" + " ".join(f"/bare/{pk}/" for pk in ws) for ws in own["bare"]]

        def load(variant: tuple[str, int], seconds: float) -> dict:
            side = variant[0]
            result = wrk_run(wrk, urls[variant], lines[side], seconds, workdir)
            sent[side] |= result["sent"]
            answered[side] |= result["answered"]
            log(
                f"counter_credit {_label(variant)}: {result['ok']} 2xx + {result['other']} other in"
                f" {result['s']:.2f}s = {result['ok'] / result['s']:.1f}/s; p50"
                f" {percentile(result['latencies'], 50):.1f} ms, p99"
                f" {percentile(result['latencies'], 99):.1f} ms, max {max(result['latencies']):.1f} ms"
            )
            return result

        for variant in measured:
            load(variant, WARMUP_S)
        for rnd in range(ROUNDS):
            order = list(measured) if rnd % 2 == 0 else list(reversed(measured))
            for variant in order:
                measured[variant].append(load(variant, SECONDS))
    tps = pgbench_tps(database_url, TILLS)

    def rate(variant: tuple[str, int]) -> float:
        return sum(r["ok"] for r in measured[variant]) / sum(r["s"] for r in measured[variant])

    # The credits in the database, by nonce (the idempotency key holds it).
    entries = LedgerEntry.objects.filter(location=shop, wallet__member__in=members).count()
    real_keys = CounterAction.objects.filter(
        location=shop, kind=CounterAction.Kind.PURCHASE, member__in=members
    ).values_list("nonce_key", flat=True)
    credited = {
        "real": {key.removeprefix("counter:") for key in real_keys},
        "floor": bare_credits(own["floor"]),
        "bare": bare_credits(own["bare"]),
    }
    consistent = entries == len(credited["real"])
    for side in SIDES:
        lost = credited[side] - answered[side]
        log(
            f"counter_credit {side}: {len(answered[side])} answered 2xx, {len(credited[side])}"
            f" credited, {len(sent[side])} sent" + (f", {entries} ledger entries" if side == "real" else "")
        )
        # Every 2xx answer made its credit, and every credit is one of ours.
        consistent &= answered[side] <= credited[side] <= sent[side]
        if lost:
            log(
                f"counter_credit {side}: {len(lost)} credit(s) whose answer wrk never reported (its"
                f" connection stalled, see above): nonces {sorted(lost)[:5]}"
            )
    wallets_off = len(wallets_reconcile())
    for threads in THREADS:
        latencies = [ms for r in measured["real", threads] for ms in r["latencies"]]
        rps, floor_rps, bare_rps = (rate((side, threads)) for side in SIDES)
        line = {
            "bench": "counter_credit",
            "tills": TILLS,
            **({"threads": threads} if len(THREADS) > 1 else {}),
            "rps": round(rps, 1),
            "p50_ms": round(percentile(latencies, 50), 1),
            "p99_ms": round(percentile(latencies, 99), 1),
            "floor_rps": round(floor_rps, 1),
            "bare_rps": round(bare_rps, 1),
            "pgbench_tps": round(tps, 1),
            "ratio": round(rps / bare_rps, 3),
            "answered_2xx": len(answered["real"]),
            "credited": len(credited["real"]),
            "wallets_off": wallets_off,
        }
        # The targets (issue 13): what a shop feels, not a ratio to a view that does nothing.
        targets = {
            "p99 <= 100 ms": line["p99_ms"] <= 100,
            ">= 100 credits/s": rps >= 100,
            "real / floor >= 0.35": rps / floor_rps >= 0.35,
        }
        of = "" if len(THREADS) == 1 else f" ({threads} thread(s) per worker)"
        log(
            f"counter_credit{of}: p99 {line['p99_ms']} ms, {rps:.1f} credits/s, real / floor"
            f" {rps / floor_rps:.3f}, floor / bare {floor_rps / bare_rps:.3f}; targets: "
            + ", ".join(f"{name} {'met' if met else 'NOT met'}" for name, met in targets.items())
        )
        yield line
    if not consistent:
        raise RuntimeError("counter_credit: 2xx answers and credits disagree (see the log above)")
    if wallets_off:
        raise RuntimeError(f"counter_credit: {wallets_off} wallets do not reconcile")
