"""Bench 2, wallet_page: server time and queries of the member's wallet page.

Times are wall time around the Django test Client's get(): the whole server side (URL
resolving, middleware, session and user, the view, the templates) without a network or a
WSGI server. The same Client, session and middleware serve the "bare" page (tests.bench.urls
explains that choice), so what they share cancels out in the ratio. Real and bare requests
alternate, so that a noisy neighbour slows both alike.
"""

from __future__ import annotations

import statistics
import time

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from members import qr
from rewards import selectors
from rewards.models import LedgerEntry
from tests.bench import data, urls
from tests.bench.log import log

URL_NAME = "rewards:wallet"
ENTRIES = 10_000
FEW_ENTRIES = 10
WARMUPS = 3
REQUESTS = 30
TIME_CAP_S = 180.0  # a pathological page must not blow the 20-minute budget; >= 5 samples kept
MIN_REQUESTS = 5


class PageError(Exception):
    """The page did not answer 200 for a logged-in member: nothing worth timing."""


def _get(client: Client, url: str) -> tuple[float, bytes]:
    started = time.perf_counter()
    response = client.get(url)
    ms = (time.perf_counter() - started) * 1000
    if response.status_code != 200:
        where = response.headers.get("Location", "")
        raise PageError(f"GET {url} answered {response.status_code} {where}".strip())
    return ms, response.content


def _queries(client: Client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        _get(client, url)
    return len(captured.captured_queries)


def _member_client(entries: int, *, reward, now):
    """A logged-in Client for a new member with `entries` ledger rows, the member and balance."""
    (member,) = data.members_join(f"page{entries}-", 1)
    wallet = data.history_bulk(member, entries, now=now, reward=reward)
    count = LedgerEntry.objects.filter(wallet=wallet).count()
    assert count == entries, f"expected {entries} ledger rows, found {count}"
    client = Client()
    client.force_login(member.user)
    return client, member, wallet.balance


def run() -> dict | None:
    """The result line, or None (logged) when the page does not exist yet."""
    try:
        url = reverse(URL_NAME)
    except NoReverseMatch:
        log(f"wallet_page SKIPPED: the URL {URL_NAME!r} does not resolve yet (no wallet view)")
        return None
    bare_url = reverse("bench_bare")
    now = timezone.now()
    reward = data.club_configure()
    started = time.perf_counter()
    client, member, balance = _member_client(ENTRIES, reward=reward, now=now)
    few_client, _few_member, _few_balance = _member_client(FEW_ENTRIES, reward=reward, now=now)
    log(
        f"wallet_page: {ENTRIES} ledger rows written in {time.perf_counter() - started:.1f}s"
        f" (balance {balance})"
    )

    for _ in range(WARMUPS):
        _ms, html = _get(client, url)
        _get(few_client, url)
    summary = selectors.wallet_summary(member)
    urls.bare_context.update(
        member=member,
        context={"summary": summary, "vouchers": [(v, qr.svg(v.code)) for v in summary.vouchers]},
    )
    for _ in range(WARMUPS):
        _get(client, bare_url)
    _ms, bare_html = _get(client, bare_url)
    # Same template, same rows; only the CSRF token differs, so the sizes match to a few bytes.
    assert abs(len(bare_html) - len(html)) < 200, (len(bare_html), len(html))

    real, bare, few = [], [], []  # `few` (10 entries) is logged only: does the time grow with history?
    deadline = time.perf_counter() + TIME_CAP_S
    for _ in range(REQUESTS):
        real.append(_get(client, url)[0])
        bare.append(_get(client, bare_url)[0])
        few.append(_get(few_client, url)[0])
        if len(real) >= MIN_REQUESTS and time.perf_counter() > deadline:
            log(f"wallet_page: time cap reached after {len(real)} requests")
            break
    ms, bare_ms = statistics.median(real), statistics.median(bare)
    queries, few_queries, bare_queries = (
        _queries(client, url),
        _queries(few_client, url),
        _queries(client, bare_url),
    )
    log(
        f"wallet_page: {len(html)} bytes; real ms min/median/max {min(real):.2f}/{ms:.2f}/{max(real):.2f}; "
        f"bare {min(bare):.2f}/{bare_ms:.2f}/{max(bare):.2f}; at {FEW_ENTRIES} entries median "
        f"{statistics.median(few):.2f}; bare page queries {bare_queries}"
    )
    return {
        "bench": "wallet_page",
        "entries": ENTRIES,
        "queries": queries,
        "queries_at_10_entries": few_queries,
        "ms": round(ms, 2),
        "bare_ms": round(bare_ms, 2),
        "ratio": round(ms / bare_ms, 2),
    }
