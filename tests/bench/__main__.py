"""Entry point of `make bench`: fresh database, migrate, data, benches, checks, drop.

Exit status: 0 when every bench that could run ran and the wallets reconcile; 1 otherwise.
A bench that cannot run yet (the wallet page before its view exists) is logged and skipped.
"""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
import time
import traceback

from tests.bench.log import capture_stdout, emit, log

# What the benches import beyond the standard library, as pip names. Both are project
# dependencies already; installing here only covers a bench run outside `make`.
REQUIREMENTS = {"django": "Django>=5.2,<5.3", "psycopg": "psycopg[binary]>=3.3,<4"}


def ensure_requirements() -> None:
    missing = [spec for module, spec in REQUIREMENTS.items() if importlib.util.find_spec(module) is None]
    if missing:
        log(f"installing {missing}")
        # Output to stderr: stdout is for results only.
        subprocess.run(  # noqa: S603 - fixed arguments: this interpreter's pip, our own list
            [sys.executable, "-m", "pip", "install", "--quiet", *missing], check=True, stdout=sys.stderr
        )


def configure_django(database_url: str) -> None:
    """Settings from tests.settings, pointed at the fresh database, before django.setup()."""
    os.environ["DATABASE_URL"] = database_url
    os.environ["DJANGO_SETTINGS_MODULE"] = "tests.settings"
    os.environ["DEBUG"] = "0"  # production-like timings (and no query log growing unbounded)
    os.environ["ALLOWED_HOSTS"] = "testserver,127.0.0.1,localhost"  # the test Client's host
    import django
    from django.conf import settings

    django.setup()
    settings.ROOT_URLCONF = "tests.bench.urls"  # the project's URLs plus the bare page
    assert not settings.DEBUG, "the bench measures with DEBUG off"


def wanted(name: str) -> bool:
    """BENCH_ONLY=ledger_ops,counter_credit runs just those (while working on one); unset: all."""
    only = {n.strip() for n in os.environ.get("BENCH_ONLY", "").split(",") if n.strip()}
    return not only or name in only


def run_benches(dsn: str, server_url: str) -> bool:
    """Every bench (or those BENCH_ONLY names), then the ledger check. True when all is well."""
    from django.core.management import call_command

    from rewards.services import wallets_reconcile
    from tests.bench import (
        api_purchase,
        campaign_send,
        counter_credit,
        dashboard,
        data,
        flows_tick,
        ledger_ops,
        nightly_jobs,
        owner_pages,
        page_weight,
        wallet_page,
    )

    call_command("migrate", interactive=False, verbosity=0)
    log("migrated")

    def ledger_lines():
        service_members = data.members_join("svc", ledger_ops.MEMBERS)
        raw_members = data.members_join("raw", ledger_ops.MEMBERS)
        log(f"{len(service_members) + len(raw_members)} members joined")
        yield from ledger_ops.run(service_members=service_members, raw_members=raw_members, dsn=dsn)

    def at_each_size(members: int) -> None:
        """The benches that measure at the dashboard's two sizes without a club of their own
        (one failing is logged and left out: the dashboard's own line must not be lost)."""
        for name, measure in (("flows_tick", flows_tick.measure_at), ("nightly_jobs", nightly_jobs.run_at)):
            if wanted(name):
                try:
                    measure(members)
                except Exception:
                    log(f"{name} at {members} FAILED:\n" + traceback.format_exc())

    benches = {
        "ledger_ops": ledger_lines,
        "wallet_page": lambda: [line for line in [wallet_page.run()] if line is not None],
        "counter_credit": counter_credit.run,
        "api_purchase": api_purchase.run,
        "page_weight": lambda: [page_weight.run()],
        # The demo club in a database of its own, in Chromium.
        "owner_pages": lambda: [line for line in [owner_pages.run(server_url)] if line is not None],
        # Last: its 100,000 members would only slow the others' setup down.
        "dashboard": lambda: [dashboard.run(at_each_size=at_each_size)],
        # After the dashboard: its 100,000 members are the flows' and the campaign's audience.
        "flows_tick": lambda: [flows_tick.run()],
        "campaign_send": lambda: [campaign_send.run()],
        "nightly_jobs": lambda: [nightly_jobs.run()],
    }
    ok = True
    for name, lines in benches.items():
        if not wanted(name):
            continue
        try:  # each bench on its own: one failing must not hide the others' results
            for line in lines():
                emit(line)
        except Exception:
            log(f"{name} FAILED:\n" + traceback.format_exc())
            ok = False
    problems = wallets_reconcile()
    if problems:
        log(f"wallets_reconcile: {len(problems)} wallets disagree with their ledger, e.g. {problems[:5]}")
        return False
    log("wallets_reconcile: every balance equals its ledger and its unspent lots")
    return ok


def main() -> int:
    capture_stdout()
    started = time.monotonic()
    ensure_requirements()
    from tests.bench import database

    url = database.server_url()
    name = database.create(url)
    try:
        configure_django(database.with_dbname(url, name))
        ok = run_benches(database.conninfo(url, name), url)
    finally:
        from django.db import connections

        connections.close_all()
        database.drop(url, name)
    log(f"done in {time.monotonic() - started:.0f}s")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
