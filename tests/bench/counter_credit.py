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

With BENCH_THREADS=1,4 (see THREADS) both sides are also served by gunicorn's threaded
worker, and all four servers are measured in the same rounds.

A short warm-up of each, then ROUNDS rounds of real and bare, alternating (real first, then
bare first) so that drift on a noisy machine hits both alike. rps is 2xx answers per second
of the measured rounds; latencies are per request, from wrk's send to the end of the answer.
Afterwards, nonce by nonce (warm-ups included): every 2xx answer made exactly one credit and
every credit is one the bench sent (answered <= credited <= sent; the Lua script explains why
they are equal in a clean run); the ledger entries match the counter actions; and every
wallet reconciles. The SQL statements of one credit are counted (and logged) in-process;
tests/bench/counter_credit_profile.py measures its CPU time and where it goes.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Iterator
from http.cookies import SimpleCookie
from pathlib import Path

import psycopg
from django.conf import settings
from django.contrib.auth.models import Group
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from psycopg import sql

from members import roles
from members.models import Location, Member, User
from rewards.models import CounterAction, LedgerEntry
from rewards.services import wallet_get_or_create, wallets_reconcile
from tests.bench import data, database
from tests.bench.log import log

TILLS = 8  # connections = wrk threads = staff sessions
WORKERS = 2  # gunicorn workers, for both servers
# Threads per worker, the same for both servers: 1 is gunicorn's sync worker, more its
# gthread worker. BENCH_THREADS=1,4 serves both deployments side by side and measures them
# in the same rounds (one result line each), so that the comparison is not the noise of two
# runs; the first is the one the README reports.
THREADS = [int(n) for n in os.environ.get("BENCH_THREADS", "1").split(",")]
# A member credited more than 5 times a day raises a counter flag (two more queries per
# credit): real tills see different customers, so each till has enough members to stay
# mostly below that (about rps * 60 s of credits spread over TILLS * MEMBERS_PER_TILL).
MEMBERS_PER_TILL = 160
BARE_MEMBERS_PER_TILL = 16  # the bare view has no per-member work: a few rows suffice
AMOUNT = "129,50"
WARMUP_S = 5  # first requests of a worker: imports, templates, translations
SECONDS = 12  # per round and variant: ROUNDS * SECONDS measured per variant
ROUNDS = 3  # alternating which goes first: this machine drifts by 10-20 % between rounds
WRK_SAFETY_S = 10  # wrk's own -d beyond the script's stop: only if a till never gets its answer
PGBENCH_SCALE = 1
PGBENCH_SECONDS = 20
LUA = Path(__file__).with_name("counter_credit.lua")
BASE_DIR = Path(settings.BASE_DIR)
REDIS = ("127.0.0.1", 6379)
CACHE_URL = "redis://127.0.0.1:6379/1"  # the README's production value


# --- Tools


def ensure_tool(binary: str, *packages: str) -> str:
    """The path of `binary`, installing the first apt package that provides it if missing."""
    for package in ("", *packages):
        if package:
            log(f"installing {package} (for {binary})")
            # Output to stderr: stdout is for results only.
            subprocess.run(  # noqa: S603 - fixed arguments
                ["apt-get", "install", "-y", "--no-install-recommends", package],  # noqa: S607
                check=False,
                stdout=sys.stderr,
                stderr=sys.stderr,
                env={**os.environ, "DEBIAN_FRONTEND": "noninteractive"},
            )
        found = shutil.which(binary)
        if found:
            return found
    raise RuntimeError(f"{binary} is missing and apt-get could not install it ({', '.join(packages)})")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _redis_up() -> bool:
    with contextlib.suppress(OSError), socket.create_connection(REDIS, timeout=1):
        return True
    return False


@contextlib.contextmanager
def gunicorn(app: str, env: dict[str, str], logdir: Path, *, threads: int = 1) -> Iterator[str]:
    """Serve `app` with WORKERS workers of `threads` threads on a free port; yield its base
    URL; stop it."""
    port = _free_port()
    logfile = logdir / f"gunicorn-{app.split(':')[0]}-{threads}.log"
    with logfile.open("wb") as out:
        proc = subprocess.Popen(  # noqa: S603 - fixed arguments: this venv's gunicorn
            [
                sys.executable,
                "-m",
                "gunicorn",
                app,
                f"--workers={WORKERS}",
                *([f"--threads={threads}"] if threads > 1 else []),
                f"--bind=127.0.0.1:{port}",
                f"--chdir={BASE_DIR}",
                "--timeout=60",
            ],
            env=env,
            stdout=out,
            stderr=out,
        )
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_ready(url, proc, logfile)
        log(f"gunicorn {app} ({WORKERS} workers of {threads} thread(s)) pid {proc.pid} on {url}")
        yield url
    finally:
        proc.terminate()  # SIGTERM: the master stops its workers gracefully
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        log(f"gunicorn {app} stopped")


def _wait_ready(url: str, proc: subprocess.Popen, logfile: Path) -> None:
    """Until a worker answers (the master binds before the workers boot). The path is a 404
    on both servers: no template, no redirect, nothing written."""
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and proc.poll() is None:
        try:
            urllib.request.urlopen(url + "/__bench_ready__/", timeout=5)  # noqa: S310 - our local server
            return
        except urllib.error.HTTPError:
            return  # an answer, whatever its status: the app is up
        except OSError:
            time.sleep(0.2)
    tail = logfile.read_text(errors="replace")[-3000:]
    raise RuntimeError(f"gunicorn did not come up (exit {proc.poll()}):\n{tail}")


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
    client.force_login(user, backend="members.backends.ModelBackend")
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


# --- Load


def _wrk(wrk: str, url: str, config_lines: list[str], seconds: float, workdir: Path) -> dict:
    """One wrk run of TILLS connections for `seconds`. Returns ok, other, s, latencies (ms)."""
    config = workdir / "wrk-tills.tsv"
    config.write_text("\n".join(config_lines) + "\n")
    markers = Path(tempfile.mkdtemp(dir=workdir))
    env = {
        **os.environ,
        "BENCH_CONFIG": str(config),
        "BENCH_SECONDS": str(seconds),
        "BENCH_MARKERS": str(markers),
    }
    proc = subprocess.Popen(  # noqa: S603 - fixed arguments
        [
            wrk,
            f"-t{TILLS}",
            f"-c{TILLS}",
            f"-d{seconds + WRK_SAFETY_S:.0f}s",
            "--timeout=30s",
            "-s",
            str(LUA),
            url,
        ],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        # Every till stops itself after its last answer (see the Lua script); then end wrk's -d.
        deadline = time.monotonic() + seconds + WRK_SAFETY_S
        while (
            proc.poll() is None
            and time.monotonic() < deadline
            and len(list(markers.glob("stopped-*"))) < TILLS
        ):
            time.sleep(0.05)
        if proc.poll() is None:
            proc.send_signal(signal.SIGINT)  # wrk's own handler: stop, then report as usual
        stdout, stderr = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:  # only on failure: never leave a load generator behind
            proc.kill()
            proc.wait()
    result = subprocess.CompletedProcess(proc.args, proc.returncode, stdout, stderr)
    line = next((ln for ln in result.stdout.splitlines() if ln.startswith("BENCHJSON ")), None)
    if result.returncode != 0 or line is None:
        raise RuntimeError(f"wrk failed ({result.returncode}):\n{result.stdout}\n{result.stderr}")
    report = json.loads(line.removeprefix("BENCHJSON "))
    threads = report["threads"]
    ok, other = sum(t["ok"] for t in threads), sum(t["other"] for t in threads)
    # From the first request sent to the last answer of the last till (one monotonic clock).
    elapsed = (max(t["ended_us"] for t in threads) - min(t["started_us"] for t in threads)) / 1e6
    latencies = [us / 1000 for t in threads for us in t["latency_us"]]
    # Sets: a nonce sent twice would show as fewer credits than answers. "" is an empty list.
    sent = {nonce for t in threads for nonce in t["sent"] if nonce}
    answered = {nonce for t in threads for nonce in t["answered"] if nonce}
    stuck = TILLS - len(list(markers.glob("stopped-*")))
    if stuck:
        silent_for = [
            (max(t["ended_us"] for t in threads) - t["ended_us"]) / 1e6 for t in threads if t["ended_us"]
        ]
        log(
            f"counter_credit: {stuck} till(s) never got their last answer from wrk; longest silence"
            f" before the end {max(silent_for):.1f}s; answers per till {[t['ok'] for t in threads]}"
        )
    if report["wrk_errors"]:
        log(f"counter_credit: wrk counted {report['wrk_errors']} socket errors or timeouts")
    if other:
        statuses = sorted({t["first_other"] for t in threads if t["other"]})
        log(f"counter_credit: {other} answers were not 2xx (e.g. status {statuses})")
    assert len(answered) == ok, (len(answered), ok)
    return {
        "ok": ok,
        "other": other,
        "s": elapsed,
        "latencies": latencies,
        "sent": sent,
        "answered": answered,
    }


def _label(variant: tuple[str, int]) -> str:
    side, threads = variant
    return side if len(THREADS) == 1 else f"{side} ({threads} thread(s) per worker)"


def _percentile(values: list[float], p: float) -> float:
    """Nearest-rank percentile."""
    ordered = sorted(values)
    rank = max(1, round(p / 100 * len(ordered) + 0.5 - 1e-9))
    return ordered[min(rank, len(ordered)) - 1]


# --- pgbench


def pgbench_tps(server_url: str) -> float:
    """TPC-B tps of the database server: TILLS clients on a throwaway pgbench database."""
    pgbench = ensure_tool("pgbench", "postgresql-client", "postgresql")
    name = f"lojal_pgbench_{os.getpid()}"
    maintenance = database.conninfo(server_url, "postgres")
    with psycopg.connect(maintenance, autocommit=True) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    target = database.conninfo(server_url, name)
    try:
        subprocess.run(  # noqa: S603 - fixed arguments
            [pgbench, "-i", "-q", f"-s{PGBENCH_SCALE}", target],
            check=True,
            stdout=sys.stderr,
            stderr=sys.stderr,
        )
        run = subprocess.run(  # noqa: S603 - fixed arguments
            [pgbench, f"-c{TILLS}", f"-j{min(TILLS, os.cpu_count() or 1)}", f"-T{PGBENCH_SECONDS}", target],
            check=True,
            capture_output=True,
            text=True,
        )
    finally:
        with psycopg.connect(maintenance, autocommit=True) as conn:
            conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
    found = re.search(r"^tps = ([\d.]+)", run.stdout, re.MULTILINE)
    if found is None:
        raise RuntimeError(f"no tps in pgbench's output:\n{run.stdout}\n{run.stderr}")
    log(f"counter_credit: pgbench {run.stdout.strip().splitlines()[-1]}")
    return float(found[1])


# --- Query count of the action (in-process, for the log and the report)


def _query_count(staff: User) -> int:
    """SQL statements of one credit through the test Client: same views, same middleware."""
    probe_shop = Location.objects.create(name="Bench probe")
    staff.locations.add(probe_shop)
    (member,) = data.members_join("probe-", 1)
    client = Client()
    client.force_login(staff, backend="members.backends.ModelBackend")
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


def run() -> Iterator[dict]:
    """Yields the result line, then raises if answers and credits disagree (the caller prints)."""
    wrk = ensure_tool("wrk", "wrk")
    database_url = os.environ["DATABASE_URL"]  # the bench database (configure_django set it)
    started = time.perf_counter()
    data.club_configure()
    shop = Location.objects.create(name="Bench kasse")
    tills = _tills(shop)
    bare_wallets = [
        [wallet_get_or_create(m).pk for m in data.members_join(f"bare{i}-", BARE_MEMBERS_PER_TILL)]
        for i in range(TILLS)
    ]
    members = [m for _staff, ms in tills for m in ms]
    log(f"counter_credit: {TILLS} tills, {len(members)} members in {time.perf_counter() - started:.1f}s")
    queries = _query_count(tills[0][0])
    log(f"counter_credit: one credit through the test Client makes {queries} SQL queries")

    cache_url = CACHE_URL if _redis_up() else "locmemcache://"
    common = {
        **os.environ,
        "DATABASE_URL": database_url,
        "SECRET_KEY": settings.SECRET_KEY,  # the sessions were signed with it
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "DEBUG": "0",
        "PYTHONDONTWRITEBYTECODE": "1",
    }
    real_env = {
        **common,
        "DJANGO_SETTINGS_MODULE": "clubsite.settings",
        # Plain HTTP on the loopback (production terminates TLS in front of gunicorn).
        "SECURE_SSL_REDIRECT": "0",
        "SESSION_COOKIE_SECURE": "0",
        "CSRF_COOKIE_SECURE": "0",
        "CACHE_URL": cache_url,
        "CELERY_BROKER_URL": "",  # no worker in the bench: tasks (if any) run in-process
    }
    bare_env = {**common, "DJANGO_SETTINGS_MODULE": "tests.bench.bare_settings"}
    log(f"counter_credit: cache {cache_url}")
    amount = AMOUNT.replace(",", "%2C")
    sent = {"real": set(), "bare": set()}  # nonces, warm-ups included
    answered = {"real": set(), "bare": set()}  # nonces answered 2xx
    measured = {(side, threads): [] for threads in THREADS for side in ("real", "bare")}
    apps = {
        "real": ("clubsite.wsgi:application", real_env),
        "bare": ("tests.bench.bare_app:application", bare_env),
    }
    with tempfile.TemporaryDirectory(prefix="lojal-bench-") as tmp, contextlib.ExitStack() as servers:
        workdir = Path(tmp)
        urls = {
            (side, threads): servers.enter_context(gunicorn(*apps[side], workdir, threads=threads))
            for side, threads in measured
        }
        real_lines = []
        for staff, till_members in tills:
            session = _session_cookie(staff)
            # The session and the CSRF cookie are the database's and the cache's: any real
            # server takes them.
            csrf_cookie, token = _open_panel(urls["real", THREADS[0]], shop, till_members[0], session)
            cookie = f"{settings.SESSION_COOKIE_NAME}={session}; {settings.CSRF_COOKIE_NAME}={csrf_cookie}"
            paths = " ".join(
                reverse("rewards:counter_action", args=[shop.pk, m.number, "kjop"]) for m in till_members
            )
            real_lines.append(f"{cookie}\t{token}\t{amount}\t{paths}")
        bare_lines = [f"-\t-\t{amount}\t" + " ".join(f"/bare/{pk}/" for pk in ws) for ws in bare_wallets]
        lines = {"real": real_lines, "bare": bare_lines}

        def load(variant: tuple[str, int], seconds: float) -> dict:
            side = variant[0]
            result = _wrk(wrk, urls[variant], lines[side], seconds, workdir)
            sent[side] |= result["sent"]
            answered[side] |= result["answered"]
            log(
                f"counter_credit {_label(variant)}: {result['ok']} 2xx + {result['other']} other in"
                f" {result['s']:.2f}s = {result['ok'] / result['s']:.1f}/s; p50"
                f" {_percentile(result['latencies'], 50):.1f} ms, p99"
                f" {_percentile(result['latencies'], 99):.1f} ms, max {max(result['latencies']):.1f} ms"
            )
            return result

        for variant in measured:
            load(variant, WARMUP_S)
        for rnd in range(ROUNDS):
            order = list(measured) if rnd % 2 == 0 else list(reversed(measured))
            for variant in order:
                measured[variant].append(load(variant, SECONDS))
    tps = pgbench_tps(database_url)

    def rate(variant: tuple[str, int]) -> float:
        return sum(r["ok"] for r in measured[variant]) / sum(r["s"] for r in measured[variant])

    # The credits in the database, by nonce (the idempotency key holds it).
    entries = LedgerEntry.objects.filter(location=shop, wallet__member__in=members).count()
    credited = {
        "real": {
            key.removeprefix("counter:")
            for key in CounterAction.objects.filter(
                location=shop, kind=CounterAction.Kind.PURCHASE, member__in=members
            ).values_list("nonce_key", flat=True)
        },
        "bare": {
            key.removeprefix("bare:")
            for key in LedgerEntry.objects.filter(
                operation__key__startswith="bare:", wallet__in=[pk for ws in bare_wallets for pk in ws]
            ).values_list("operation__key", flat=True)
        },
    }
    consistent = entries == len(credited["real"])
    for variant in ("real", "bare"):
        lost = credited[variant] - answered[variant]
        log(
            f"counter_credit {variant}: {len(answered[variant])} answered 2xx, {len(credited[variant])}"
            f" credited, {len(sent[variant])} sent"
            + (f", {entries} ledger entries" if variant == "real" else "")
        )
        # Every 2xx answer made its credit, and every credit is one of ours.
        consistent &= answered[variant] <= credited[variant] <= sent[variant]
        if lost:
            log(
                f"counter_credit {variant}: {len(lost)} credit(s) whose answer wrk never reported (its"
                f" connection stalled, see above): nonces {sorted(lost)[:5]}"
            )
    wallets_off = len(wallets_reconcile())
    for threads in THREADS:
        latencies = [ms for r in measured["real", threads] for ms in r["latencies"]]
        rps, bare_rps = rate(("real", threads)), rate(("bare", threads))
        line = {
            "bench": "counter_credit",
            "tills": TILLS,
            **({"threads": threads} if len(THREADS) > 1 else {}),
            "rps": round(rps, 1),
            "p50_ms": round(_percentile(latencies, 50), 1),
            "p99_ms": round(_percentile(latencies, 99), 1),
            "bare_rps": round(bare_rps, 1),
            "pgbench_tps": round(tps, 1),
            "ratio": round(rps / bare_rps, 3),
            "answered_2xx": len(answered["real"]),
            "credited": len(credited["real"]),
            "wallets_off": wallets_off,
        }
        ratio_met, p99_met = line["ratio"] >= 0.6, line["p99_ms"] <= 50
        log(
            f"counter_credit{'' if len(THREADS) == 1 else f' ({threads} thread(s) per worker)'}: ratio"
            f" {line['ratio']} (target >= 0.6: {'met' if ratio_met else 'NOT met'}); p99 {line['p99_ms']} ms"
            f" (target <= 50: {'met' if p99_met else 'NOT met'})"
        )
        yield line
    if not consistent:
        raise RuntimeError("counter_credit: 2xx answers and credits disagree (see the log above)")
    if wallets_off:
        raise RuntimeError(f"counter_credit: {wallets_off} wallets do not reconcile")
