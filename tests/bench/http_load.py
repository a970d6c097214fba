"""The HTTP side of the counter_credit bench: gunicorn servers, wrk runs, pgbench.

Apart from tests/bench/counter_credit.py, which says what is measured and against what;
here only how a server is started and stopped, how one wrk run is read, and the database
server's own TPC-B figure.
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
from collections.abc import Iterator
from pathlib import Path

import psycopg
from psycopg import sql

from tests.bench import database
from tests.bench.log import log

LUA = Path(__file__).with_name("counter_credit.lua")
WRK_SAFETY_S = 10  # wrk's own -d beyond the script's stop: only if a till never gets its answer
PGBENCH_SCALE = 1
PGBENCH_SECONDS = 20


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


CACHE_URL = "redis://127.0.0.1:6379/1"  # the README's production value


def redis_up() -> bool:
    with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", 6379), timeout=1):
        return True
    return False


def production_env(database_url: str, secret_key: str) -> dict[str, str]:
    """The project's production settings for a server on the loopback: DEBUG off, the cache on
    Redis when one is up, no Celery worker (tasks run in-process), plain HTTP (production
    terminates TLS in front of gunicorn). `secret_key` signs the sessions the bench made."""
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "clubsite.settings",
        "DATABASE_URL": database_url,
        "SECRET_KEY": secret_key,
        "ALLOWED_HOSTS": "testserver,127.0.0.1,localhost",
        "DEBUG": "0",
        "SECURE_SSL_REDIRECT": "0",
        "SESSION_COOKIE_SECURE": "0",
        "CSRF_COOKIE_SECURE": "0",
        "CACHE_URL": CACHE_URL if redis_up() else "locmemcache://",
        "CELERY_BROKER_URL": "",
        "PYTHONDONTWRITEBYTECODE": "1",
    }


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextlib.contextmanager
def gunicorn(
    app: str, env: dict[str, str], logdir: Path, *, name: str, workers: int, threads: int = 1
) -> Iterator[str]:
    """Serve `app` with `workers` workers of `threads` threads on a free port, from the
    project's directory; yield its base URL; stop it. `name` names its log file."""
    port = _free_port()
    logfile = logdir / f"gunicorn-{name}-{threads}.log"
    with logfile.open("wb") as out:
        proc = subprocess.Popen(  # noqa: S603 - fixed arguments: this venv's gunicorn
            [
                sys.executable,
                "-m",
                "gunicorn",
                app,
                f"--workers={workers}",
                *([f"--threads={threads}"] if threads > 1 else []),
                f"--bind=127.0.0.1:{port}",
                f"--chdir={Path(__file__).resolve().parents[2]}",
                "--timeout=60",
            ],
            env=env,
            stdout=out,
            stderr=out,
        )
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_ready(url, proc, logfile)
        log(f"gunicorn {app} ({workers} workers of {threads} thread(s)) pid {proc.pid} on {url}")
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


# --- Load


def wrk_run(
    wrk: str, url: str, config_lines: list[str], seconds: float, workdir: Path, *, api_path: str = ""
) -> dict:
    """One wrk run of one connection per till (a line of `config_lines`, see the Lua script)
    for `seconds`, posting the till's form, or to `api_path` as a register calls the API.
    Returns ok, other, s, latencies (ms), and the nonces sent and answered."""
    tills = len(config_lines)
    config = workdir / "wrk-tills.tsv"
    config.write_text("\n".join(config_lines) + "\n")
    markers = Path(tempfile.mkdtemp(dir=workdir))
    env = {
        **os.environ,
        "BENCH_CONFIG": str(config),
        "BENCH_SECONDS": str(seconds),
        "BENCH_MARKERS": str(markers),
        **({"BENCH_API_PATH": api_path} if api_path else {}),
    }
    proc = subprocess.Popen(  # noqa: S603 - fixed arguments
        [
            wrk,
            f"-t{tills}",
            f"-c{tills}",
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
            and len(list(markers.glob("stopped-*"))) < tills
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
    stuck = tills - len(list(markers.glob("stopped-*")))
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


def percentile(values: list[float], p: float) -> float:
    """Nearest-rank percentile."""
    ordered = sorted(values)
    rank = max(1, round(p / 100 * len(ordered) + 0.5 - 1e-9))
    return ordered[min(rank, len(ordered)) - 1]


# --- pgbench


def pgbench_tps(server_url: str, clients: int) -> float:
    """TPC-B tps of the database server: `clients` clients on a throwaway pgbench database."""
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
            [
                pgbench,
                f"-c{clients}",
                f"-j{min(clients, os.cpu_count() or 1)}",
                f"-T{PGBENCH_SECONDS}",
                target,
            ],
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
