"""Bench owner_pages: what the owner waits for in a browser, from "Logg inn" to the till, and
for the first dashboard of a session (issue 14, item 23: both under 0.5 s on this machine).

The shop is the demo club in a database of its own (migrate + load_demo, as `make run` does),
so that the other benches' members do not weigh on it. It is served as in production:
gunicorn (2 workers of 2 threads), DEBUG off, whitenoise serving the collected, hashed static
files, the cache on Redis when one is up. Chromium is driven by Playwright.

Each round is a new browser context: a cold cache and a new session, so every dashboard is
the owner's first of the session, and the first round is also the server's first request.
Times are the browser's own Navigation Timing, which leaves Playwright's clicking and
polling out: for the login, from the start of the form's POST, through its redirect, to the
end of the till page's load event; for the dashboard, from its navigation start to the end
of its load event (Chart.js has drawn by then: it draws on DOMContentLoaded, animation off).

Baseline, measured in the same rounds: the club's terms page (/vilkar/), the same base
template and static files with no database work to speak of: what any page costs on this
machine at this moment.

Line: {"bench": "owner_pages", "login_to_till_s", "login_to_till_max_s", "dashboard_s",
"dashboard_max_s", "baseline_s", "rounds", "target_s"}; *_s are medians, *_max_s the worst
round (the first, cold server, included).
"""

from __future__ import annotations

import os
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

from tests.bench import database
from tests.bench.http_load import gunicorn, production_env
from tests.bench.log import log

ROUNDS = 12
TARGET_S = 0.5
OWNER = ("eier@bakeriet.example", "eier-demo-2026")  # load_demo's owner
CHROMIUM = os.environ.get("CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
]
# From the navigation's start (the click's POST, before any redirect) to its load event's end.
LOADED_AFTER = "() => performance.getEntriesByType('navigation')[0].loadEventEnd / 1000"


def _manage(env: dict[str, str], *args: str) -> None:
    # Output to stderr: stdout is for results only.
    subprocess.run(  # noqa: S603 - fixed arguments: this interpreter's manage.py
        [sys.executable, "manage.py", *args],
        cwd=Path(__file__).resolve().parents[2],
        env=env,
        check=True,
        stdout=sys.stderr,
    )


def _rounds(base_url: str) -> dict[str, list[float]]:
    from playwright.sync_api import sync_playwright

    times = {"login": [], "dashboard": [], "baseline": []}
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        for _ in range(ROUNDS):
            context = browser.new_context(locale="nb-NO")
            page = context.new_page()
            page.goto(base_url + "/vilkar/")
            times["baseline"].append(page.evaluate(LOADED_AFTER))
            page.goto(base_url + "/accounts/login/")
            page.fill("input[name=login]", OWNER[0])
            page.fill("input[name=password]", OWNER[1])
            page.click("button[type=submit]")
            page.wait_for_url("**/kasse/**", wait_until="load")
            times["login"].append(page.evaluate(LOADED_AFTER))
            page.goto(base_url + "/dashbord/", wait_until="load")
            if "/dashbord/" not in page.url:
                raise RuntimeError(f"the dashboard went to {page.url}")
            times["dashboard"].append(page.evaluate(LOADED_AFTER))
            context.close()
        browser.close()
    return times


def run(server_url: str) -> dict | None:
    if not Path(CHROMIUM).exists():
        log(f"owner_pages: skipped, no Chromium at {CHROMIUM} (apt-get install -y chromium)")
        return None
    name = database.create(server_url, suffix="_owner")
    try:
        with tempfile.TemporaryDirectory(prefix="lojal-bench-owner-") as tmp:
            from django.conf import settings

            env = production_env(database.with_dbname(server_url, name), settings.SECRET_KEY)
            env["STATIC_ROOT"] = str(Path(tmp) / "static")  # collected here, served by whitenoise
            _manage(env, "migrate", "--noinput", "--verbosity=0")
            _manage(env, "load_demo")
            _manage(env, "collectstatic", "--noinput", "--verbosity=0")
            log("owner_pages: demo club loaded, static files collected")
            with gunicorn(
                "clubsite.wsgi:application", env, Path(tmp), name="owner", workers=2, threads=2
            ) as url:
                times = _rounds(url)
    finally:
        database.drop(server_url, name)
    log(f"owner_pages: rounds {times}")
    median = statistics.median
    return {
        "bench": "owner_pages",
        "login_to_till_s": round(median(times["login"]), 3),
        "login_to_till_max_s": round(max(times["login"]), 3),
        "dashboard_s": round(median(times["dashboard"]), 3),
        "dashboard_max_s": round(max(times["dashboard"]), 3),
        "baseline_s": round(median(times["baseline"]), 3),
        "rounds": ROUNDS,
        "target_s": TARGET_S,
    }
