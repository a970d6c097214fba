"""Bench flows_tick: one beat run evaluating every flow's trigger over a club with a year of
activity, next to hand-written SQL that selects the same members (tests.bench.flows_sql).

The members are the dashboard bench's (a year of purchases, bonuses, redemptions, expiries,
vouchers and tier changes), given birthdays spread over the year here. All ten flows are on,
one step each on day 0, "only from now on" off, so that every trigger reads the whole club.

ms: the ORM's selection of who enters, every step (campaigns.flows.triggers.entering),
median of 3; sql_ms: the hand-written SELECTs, median of 3, after checking that both give
the same (member, occasion) pairs. growth_10x: ms at 100,000 members over ms at 10,000.
entered: rows written by the first full tick (campaigns.flows.services.flows_enter);
duplicates: (step, member, occasion) with more than one row after a second tick.
"""

from __future__ import annotations

import statistics
import time

from django.db import connection
from django.db.models import Count
from django.utils import timezone

from campaigns.flows.services import flow_switch, flows_enter
from campaigns.flows.triggers import entering
from campaigns.models import Campaign, CampaignContent, Flow, Message
from members.models import Member
from tests.bench import dashboard, dashboard_data, flows_sql
from tests.bench.log import log

SMALL, LARGE = 10_000, 100_000


def _flows_on() -> list[tuple[Flow, Campaign]]:
    steps = []
    for flow in Flow.objects.all():
        flow.only_from_now = False
        flow.save(update_fields=["only_from_now"])
        step, _created = Campaign.objects.get_or_create(
            flow=flow,
            delay_days=0,
            defaults={"name": f"Bench: {flow.kind}", "channel": Campaign.Channel.EMAIL},
        )
        CampaignContent.objects.get_or_create(
            campaign=step, language="nb", defaults={"subject": "Hei", "body": "x"}
        )
        flow_switch(flow=flow, on=True)
        steps.append((flow, step))
    return steps


def _birthdays() -> None:
    """A birthday for every member, spread over the year (the bench's copies share the
    template's)."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {Member._meta.db_table} SET birthday = date '1980-01-01' + (id % 366)::int"  # noqa: S608
        )


def _timed(call) -> float:
    times = []
    for _ in range(3):
        started = time.perf_counter()
        call()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def _measure(steps, now) -> tuple[float, float]:
    def orm():
        return {flow.kind: set(entering(flow, step, now)) for flow, step in steps}

    def sql():
        return {flow.kind: flows_sql.select(flow, step.pk, now) for flow, step in steps}

    found, expected = orm(), sql()
    for kind in found:
        assert found[kind] == expected[kind], f"{kind}: the ORM and the SQL disagree"
    log("flows_tick: " + ", ".join(f"{kind} {len(pairs)}" for kind, pairs in found.items()))
    for flow, step in steps:  # where the time goes, trigger by trigger (stderr only)
        orm_ms = _timed(lambda flow=flow, step=step: set(entering(flow, step, now)))
        sql_ms = _timed(lambda flow=flow, step=step: flows_sql.select(flow, step.pk, now))
        log(f"flows_tick:   {flow.kind}: ORM {orm_ms:.0f} ms, SQL {sql_ms:.0f} ms")
    return _timed(orm), _timed(sql)


MEASURED: dict[int, tuple[float, float]] = {}  # members -> (ORM ms, SQL ms)


def measure_at(size: int) -> None:
    """Measure at this club size (called by the dashboard bench as it grows the club)."""
    _birthdays()
    steps = _flows_on()
    MEASURED[size] = _measure(steps, timezone.now())
    log(f"flows_tick at {size}: ORM {MEASURED[size][0]:.0f} ms, SQL {MEASURED[size][1]:.0f} ms")
    for flow, _step in steps:  # off between measurements: the other benches send nothing of theirs
        flow_switch(flow=flow, on=False)


def run() -> dict:
    templates = None
    for size in (SMALL, LARGE):
        if size not in MEASURED:  # the dashboard bench did not run before this one
            if Member.objects.count() < size:
                templates = dashboard_data.templates(timezone.now())
                dashboard._grow_to(templates, size)
            measure_at(size)
    (small_ms, _small_sql), (ms, sql_ms) = MEASURED[SMALL], MEASURED[LARGE]

    steps = _flows_on()
    now = timezone.now()
    entered = flows_enter(now=now)
    flows_enter(now=now)  # beat's next tick: nothing is due twice
    duplicates = (
        Message.objects.filter(campaign__flow__isnull=False)
        .values("campaign", "member", "occasion")
        .annotate(n=Count("pk"))
        .filter(n__gt=1)
        .count()
    )
    for flow, _step in steps:  # off again, what was entered dropped: campaign_send runs next
        flow_switch(flow=flow, on=False)
    return {
        "bench": "flows_tick",
        "members": Member.objects.count(),
        "ms": round(ms, 1),
        "sql_ms": round(sql_ms, 1),
        "ratio": round(ms / sql_ms, 3),
        "growth_10x": round(ms / small_ms, 2),
        "entered": entered,
        "duplicates": duplicates,
    }
