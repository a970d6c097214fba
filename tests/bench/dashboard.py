"""Bench 5, dashboard: the owner's dashboard on a big club, beside hand-written SQL.

At SMALL members (10,000) and then at LARGE (100,000, about 2,000,000 ledger entries) the
bench times the dashboard page (the Django test Client's GET as the owner, default period:
the last 30 days, all shops; the whole server side: middleware, session, the view's
queries and the template) and, as the denominator, the same figures computed by one
hand-written SQL query per KPI (tests.bench.dashboard_sql), run one after the other over
the same connection. The data is written set-based (tests.bench.dashboard_data).
BENCH_DASHBOARD_MEMBERS=1000000 makes LARGE a million (SMALL a tenth of it): about 20 M
entries and 1.7 M messages: this bench alone then takes about 18 minutes on a 2-core machine
(6 of them the hand-written SQL), more than the whole bench may, so it is not the default.

The page reads the member-level figures as beat keeps them counted
(campaigns.insights.snapshots); the time of that count, the work beat does in the
background, is logged at each size.

The ledger part of the page comes from the daily rollups (campaigns.insights.rollups),
brought up to date after each growth as beat would have; the hand-written SQL reads the
ledger itself, as before. Then a day at the tills (CATCHUP_ENTRIES purchases since midnight,
written after the last roll-up) and the time of the roll-up run that catches up with it.

Line: members, entries, queries (of one page request), ms (median page time), sql_ms
(median time of all the hand-written queries), ratio = ms / sql_ms, growth_10x = page
time at LARGE ÷ page time at SMALL, and rollup_catchup_ms.
"""

from __future__ import annotations

import os
import statistics
import time

from django.contrib.auth.models import Group
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from campaigns.insights.forms import DEFAULT_DAYS
from campaigns.insights.rollups import SETTLE, ledger_roll_up
from campaigns.insights.selectors import Period, dashboard
from campaigns.insights.snapshots import keep_default_counted, looked_at
from members import roles
from members.models import Location, Member, User
from rewards.models import LedgerEntry
from rewards.services import points_expire_due
from tests.bench import dashboard_data, dashboard_sql
from tests.bench.log import log

LARGE = int(os.environ.get("BENCH_DASHBOARD_MEMBERS", "100000"))
SMALL = LARGE // 10
CATCHUP_ENTRIES = 50_000  # a busy day of a chain's tills
REPEATS = 3  # per size: page and SQL alternate, so that a noisy neighbour slows both alike


def _page_ms(client: Client, url: str) -> float:
    started = time.perf_counter()
    response = client.get(url)
    ms = (time.perf_counter() - started) * 1000
    if response.status_code != 200:
        raise RuntimeError(f"GET {url} answered {response.status_code}")
    return ms


def _measure(client: Client, url: str, now) -> tuple[float, float, int]:
    period = Period.last_days(DEFAULT_DAYS, today=timezone.localdate(now))
    started = time.perf_counter()
    cache.clear()  # the club has just grown: a count from before is of a smaller club
    for shop in Location.objects.all():  # the owners have opened each shop's page
        looked_at(shop.pk)
    keep_default_counted()  # as beat does every ten minutes
    log(f"dashboard: default period counted (club and each shop) in {time.perf_counter() - started:.1f}s")
    _page_ms(client, url)  # warm: templates, the planner's statistics, the tables' pages in memory
    pages, sqls = [], []
    # The hand-written SQL reads the whole period's ledger: minutes at a million members,
    # so there it runs once.
    sql_runs = 1 if Member.objects.count() > 100_000 else REPEATS
    for i in range(REPEATS):
        pages.append(_page_ms(client, url))
        if i < sql_runs:
            started = time.perf_counter()
            figures = dashboard_sql.run(period=period, now=timezone.now())
            sqls.append((time.perf_counter() - started) * 1000)
    with CaptureQueriesContext(connection) as captured:
        _page_ms(client, url)
    _check(figures, period)
    return statistics.median(pages), statistics.median(sqls), len(captured.captured_queries)


def _check(figures: dict, period: Period) -> None:
    """The hand-written SQL and the dashboard must agree, or the ratio compares unlike work."""
    data = dashboard(period=period)
    kpis = data.kpis
    mine = {
        "members": kpis["members"].current,
        "revenue": kpis["revenue"].current,
        "purchases": kpis["purchases"].current,
        "points_redeemed": kpis["points_redeemed"].current,
        "active_share": kpis["active_share"].current,
        "owed_points": data.owed.points,
    }
    wrong = {key: (value, figures[key]) for key, value in mine.items() if figures[key] != value}
    if wrong:
        raise AssertionError(f"dashboard and hand-written SQL disagree (dashboard, SQL): {wrong}")


def _grow_to(templates, members: int) -> None:
    have = Member.objects.count()
    started = time.perf_counter()
    dashboard_data.members_add(templates, first=have, count=members - have)
    log(f"dashboard: grew to {members} members in {time.perf_counter() - started:.0f}s")
    log(f"dashboard: rolled up {_roll_up_ms():.0f} ms (the days of the new history: all of them)")


def _roll_up_ms() -> float:
    """One run of the beat task, taking every entry written so far."""
    started = time.perf_counter()
    ledger_roll_up(now=timezone.now() + SETTLE)
    return (time.perf_counter() - started) * 1000


def _night(at_each_size, members: int) -> None:
    """The night's jobs at this size before the page (nightly_jobs and flows_tick measure
    them when they run too): the generated history holds a year of lapsed lots that no
    expiry has taken out, which no club whose nightly expiry runs has, and the page would
    sum them on every visit (at a million members 0.3 s of the page)."""
    if at_each_size:
        at_each_size(members)
    # Safe to repeat: after nightly_jobs has measured it, nothing is left to expire.
    log(f"dashboard: {points_expire_due()} lots expired")
    log(f"dashboard: rolled up {_roll_up_ms():.0f} ms (the night's entries)")
    # What autovacuum does after the night's updates in a real club: without it the
    # lapsed lots' index still points at every lot the expiry just emptied.
    with connection.cursor() as cursor:
        cursor.execute(f'VACUUM ANALYZE "{LedgerEntry._meta.db_table}"')


def run(at_each_size=None) -> dict:
    """`at_each_size(members)` is called when the club has grown to each size (the
    flows_tick bench measures at the same two sizes without growing a club of its own)."""
    now = timezone.now()
    templates = dashboard_data.templates(now)
    client = Client()
    owner = User.objects.create_user("dashboard-owner@bench.example", is_staff=True)
    owner.groups.add(Group.objects.get(name=roles.OWNER))
    client.force_login(owner)
    url = reverse("campaigns:dashboard")

    _grow_to(templates, SMALL)
    _night(at_each_size, SMALL)
    small_ms, small_sql, small_queries = _measure(client, url, now)
    log(f"dashboard at {SMALL}: page {small_ms:.0f} ms ({small_queries} queries), SQL {small_sql:.0f} ms")

    _grow_to(templates, LARGE)
    _night(at_each_size, LARGE)
    ms, sql_ms, queries = _measure(client, url, now)
    entries = LedgerEntry.objects.count()
    log(f"dashboard at {LARGE}: page {ms:.0f} ms ({queries} queries), SQL {sql_ms:.0f} ms, {entries} entries")
    dashboard_data.day_of_activity(templates, CATCHUP_ENTRIES)
    catchup_ms = _roll_up_ms()
    log(f"dashboard: roll-up after a day of {CATCHUP_ENTRIES} entries: {catchup_ms:.0f} ms")
    return {
        "bench": "dashboard",
        "members": Member.objects.count(),
        "entries": entries,
        "queries": queries,
        "ms": round(ms, 1),
        "sql_ms": round(sql_ms, 1),
        "ratio": round(ms / sql_ms, 4),  # at a million members 0.0003: two places would say 0.0
        "growth_10x": round(ms / small_ms, 2),
        "rollup_catchup_ms": round(catchup_ms, 1),
    }
