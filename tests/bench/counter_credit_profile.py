"""The counter_credit bench's action, measured in-process: statements and CPU per request.

The HTTP bench (tests/bench/counter_credit.py) shares two cores with gunicorn, PostgreSQL
and wrk, so its figures move with whatever else runs. This tool measures what moves less:
the SQL statements one credit makes, and the CPU time the web process spends on it (process
time, not wall time), over N credits through the settings the bench serves
(clubsite.settings with DEBUG off, the cache in Redis when it is up), the same middleware,
a real session and a CSRF-checked, urlencoded form post with a fresh nonce each.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/lojal_bench \
        .venv/bin/python -m tests.bench.counter_credit_profile [N] [MODE]

A throwaway database beside DATABASE_URL's is created and dropped, as the bench does.
MODE is one of:
  --breakdown     CPU per request of the main parts (BREAKDOWN, and more in $BREAKDOWN)
  --cprofile      cProfile's top functions, by cumulative and by own time
  --pyinstrument  a sampled call tree (pip install pyinstrument; not a project dependency)
  --gc            the garbage collector's passes and pauses during the N requests; with
                  FREEZE=1 the process's objects are frozen first, as clubsite/wsgi.py does
  --floor         also CPU and wall time per request of two views doing only the bench's
                  bare database work: behind the project's whole stack (middleware, staff
                  session, CSRF, at_location) and with no middleware at all; see _floor()
  --callgrind     for instruction counts, which no other load changes: run under
                  valgrind --tool=callgrind --collect-atstart=no --toggle-collect=methodcaller_call
                  and divide the "Collected" count by N
"""

from __future__ import annotations

import contextlib
import cProfile
import gc
import io
import operator
import os
import pstats
import re
import sys
import time
import uuid
from urllib.parse import urlencode

from tests.bench.http_load import production_env


def _configure(database_url: str) -> None:
    secret_key = "bench-profile-secret-key-that-is-long-enough-for-django"
    os.environ.update({**production_env(database_url, secret_key), "LOG_LEVEL": "WARNING"})
    import django

    django.setup()


# The parts of a credit that --breakdown times (CPU per request, nested parts included).
BREAKDOWN = [
    *os.environ.get("BREAKDOWN", "").split(),  # more, for a closer look
    "django.contrib.auth.get_user",
    "rewards.selectors.till_read",
    "rewards.services.counter.counter_purchase",
    "rewards.views.counter.panel_context",
    "rewards.views.counter._respond",
]


@contextlib.contextmanager
def _timed(names: list[str]):
    """Wrap each function named "module.function" or "module.Class.method" to add up its CPU time."""
    import importlib

    spent, originals = dict.fromkeys(names, 0.0), []
    for name in names:
        path, attr = name.rsplit(".", 1)
        try:
            module = importlib.import_module(path)
        except ImportError:  # "module.Class.method"
            path, cls = path.rsplit(".", 1)
            module = getattr(importlib.import_module(path), cls)
        original = module.__dict__[attr]

        def timed(*args, __original=original, __name=name, **kwargs):
            started = time.process_time()
            try:
                return __original(*args, **kwargs)
            finally:
                spent[__name] += time.process_time() - started

        originals.append((module, attr, original))
        setattr(module, attr, timed)
    try:
        yield spent
    finally:
        for module, attr, original in originals:
            setattr(module, attr, original)


def _pause_recorder(pauses: dict[int, list[float]]):
    """A gc callback that adds each pass's wall time to pauses[generation]."""
    started = [0.0]

    def record(phase: str, info: dict) -> None:
        if phase == "start":
            started[0] = time.perf_counter()
        else:
            pauses[info["generation"]].append(time.perf_counter() - started[0])

    return record


def _per_request(request, count: int) -> tuple[float, float]:
    """CPU and wall milliseconds per call of request(i), over `count` calls."""
    gc.collect()
    cpu, wall = time.process_time(), time.perf_counter()
    for i in range(count):
        request(i)
    return (time.process_time() - cpu) / count * 1000, (time.perf_counter() - wall) / count * 1000


def _floor(client, token: str, shop, members, count: int) -> dict:
    """Per request, the two views of tests.bench.urls that do the bare credit's database work:
    "floor" behind everything the project puts around a counter action, "bare" (the HTTP
    bench's denominator) with no middleware. Their difference is what the stack costs
    before the action does anything of its own; the real action's excess over the floor is
    the action's own. Same test Client overhead on all three."""
    from django.test import Client, override_settings
    from django.urls import reverse

    from rewards.models import Wallet
    from tests.bench.counter_credit import AMOUNT

    wallets = dict(Wallet.objects.filter(member__in=members).values_list("member_id", "pk"))
    floor_urls = [reverse("bench_counter_floor", args=[shop.pk, m.number, wallets[m.pk]]) for m in members]
    bare_urls = [reverse("bench_credit", args=[wallets[m.pk]]) for m in members]
    bare_client = Client()
    with override_settings(MIDDLEWARE=[]):
        bare_client.handler.load_middleware()  # kept for the client's life

    def post(on, urls, i, **extra):
        body = {"nonce": uuid.uuid4().hex, "amount": AMOUNT, **extra}
        response = on.post(urls[i % len(urls)], urlencode(body), "application/x-www-form-urlencoded")
        assert response.status_code == 200, (response.status_code, response.content[:300])

    def floor(i):
        post(client, floor_urls, i, csrfmiddlewaretoken=token)

    def bare(i):
        post(bare_client, bare_urls, i)

    result = {}
    for name, request in (("floor", floor), ("bare", bare)):
        for i in range(20):  # warm, as the real action was
            request(i)
        cpu, wall = _per_request(request, count)
        result |= {f"{name}_cpu_ms": round(cpu, 3), f"{name}_wall_ms": round(wall, 3)}
    return result


def measure(count: int, *, profile: str = "") -> dict:
    from django.conf import settings
    from django.contrib.auth.models import Group
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse

    from members import roles
    from members.models import Location, User
    from tests.bench import data
    from tests.bench.counter_credit import AMOUNT

    call_command("migrate", interactive=False, verbosity=0)
    data.club_configure()
    shop = Location.objects.create(name="Profile kasse")
    staff = User.objects.create_user(email="till@profile.example", first_name="Till")
    staff.groups.add(Group.objects.get(name=roles.COUNTER_STAFF))
    staff.locations.add(shop)
    members = data.members_join("profile-", 200)  # few credits each: no tier is reached

    client = Client(enforce_csrf_checks=True)  # as the browser: the form's token is checked
    client.force_login(staff, backend="django.contrib.auth.backends.ModelBackend")
    panel = client.get(
        reverse("rewards:counter_member", args=[shop.pk, members[0].number]), HTTP_HX_REQUEST="true"
    )
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', panel.content.decode())[1]
    urls = [reverse("rewards:counter_action", args=[shop.pk, m.number, "kjop"]) for m in members]

    def credit(i: int):
        response = client.post(  # as the till's htmx form (and wrk) send it: urlencoded
            urls[i % len(urls)],
            urlencode({"nonce": uuid.uuid4().hex, "amount": AMOUNT, "csrfmiddlewaretoken": token}),
            content_type="application/x-www-form-urlencoded",
            HTTP_HX_REQUEST="true",
        )
        assert response.status_code == 200, (response.status_code, response.content[:500])
        return response

    for i in range(20):  # warm: imports, templates, config cache, prepared statements
        credit(i)
    with CaptureQueriesContext(connection) as captured:
        response = credit(0)
    statements = [q["sql"] for q in captured.captured_queries]

    def credits():
        for i in range(count):
            credit(i)

    # From a clean slate: a full garbage collection walks every object of the process, and
    # one falling inside the measured requests of one run and not of another would swamp
    # the difference between them (it comes about once in a few hundred requests).
    gc.collect()
    if profile == "gc" and os.environ.get("FREEZE"):
        gc.freeze()
    pauses: dict[int, list[float]] = {0: [], 1: [], 2: []}
    if profile == "gc":
        gc.callbacks.append(_pause_recorder(pauses))
    cpu, wall = time.process_time(), time.perf_counter()
    if profile == "callgrind":
        # Counted only inside the C function behind operator.methodcaller, which nothing else
        # on this path calls (valgrind's --toggle-collect=methodcaller_call).
        operator.methodcaller("__call__")(credits)
    else:
        credits()
    cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
    extra = {}
    if profile == "floor":
        extra = _floor(client, token, shop, members, count)
    elif profile == "breakdown":
        with _timed(BREAKDOWN) as spent:
            credits()
        for name, seconds in spent.items():
            print(f"  {seconds / count * 1000:7.3f} ms CPU  {name}", file=sys.stderr)
    elif profile == "gc":
        for generation, seconds in pauses.items():
            most = max(seconds, default=0) * 1000
            print(
                f"  generation {generation}: {len(seconds)} passes, {sum(seconds) * 1000:.1f} ms"
                f" in all, longest {most:.1f} ms",
                file=sys.stderr,
            )
    elif profile == "cprofile":
        profiler = cProfile.Profile()
        profiler.runcall(credits)
        for order in ("cumulative", "tottime"):
            out = io.StringIO()
            pstats.Stats(profiler, stream=out).sort_stats(order).print_stats(45)
            print(out.getvalue(), file=sys.stderr)
    elif profile == "pyinstrument":
        # A sampling profiler (pip install pyinstrument; not a project dependency): CPU
        # shares without cProfile's per-call overhead, which inflates small functions.
        from pyinstrument import Profiler

        sampler = Profiler(interval=0.0002, async_mode="disabled")
        with sampler:
            credits()
        show_all = bool(os.environ.get("SHOW_ALL"))  # every frame, Django's and the libraries' too
        print(sampler.output_text(unicode=False, color=False, show_all=show_all), file=sys.stderr)
    return {
        "statements": len(statements),
        "statement_sql": statements,
        "cpu_ms_per_request": round(cpu / count * 1000, 3),
        "wall_ms_per_request": round(wall / count * 1000, 3),
        "response_bytes": len(response.content),
        "cache": settings.CACHES["default"]["BACKEND"],
        **extra,
    }


def main() -> int:
    from tests.bench import database

    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    count = int(args[0]) if args else 300
    url = database.server_url()
    name = database.create(url)
    try:
        _configure(database.with_dbname(url, name))
        modes = ("--cprofile", "--pyinstrument", "--breakdown", "--callgrind", "--gc", "--floor")
        profile = next((a.removeprefix("--") for a in sys.argv if a in modes), "")
        if profile == "floor":
            from django.conf import settings

            settings.ROOT_URLCONF = "tests.bench.urls"  # the project's URLs and the bench's views
        result = measure(count, profile=profile)
    finally:
        from django.db import connections

        connections.close_all()
        database.drop(url, name)
    for sql in result.pop("statement_sql"):
        print(f"  SQL {sql[:200]}", file=sys.stderr)
    print(result)
    return 0


if __name__ == "__main__":
    sys.exit(main())
