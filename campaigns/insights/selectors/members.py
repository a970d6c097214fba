"""The dashboard's figures about members: how many at a moment, who joined, who is active,
who left activity (churn), consents, tiers. Each function is one aggregate query.

With a shop chosen, these are the shop's own members: those whose home shop it is
(members.Member.home_location: where they joined, or else where they were first seen),
wherever they came and bought; figures of what happened at a shop are in selectors.ledger.

A member counts from `joined_at` until erased (`erased_at`): an erased member has left,
but the figures of a period that ended before the erasure do not change.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from datetime import date, datetime, timedelta

from django.db import connection
from django.db.models import Count, Exists, OuterRef, Q
from django.db.models.functions import TruncDate
from django.utils import timezone

from campaigns.insights.selectors.period import Period, local_midnight
from campaigns.models import ActiveDay, TierChange
from clubsite.replica import reading_connection
from members.models import ConsentEvent, Member
from rewards.models import LedgerEntry, Tier, Visit, Wallet


def _member_at(moment: datetime, prefix: str = "") -> Q:
    return Q(**{f"{prefix}joined_at__lt": moment}) & (
        Q(**{f"{prefix}erased_at": None}) | Q(**{f"{prefix}erased_at__gte": moment})
    )


def of_shop(queryset, location_id: int | None, path: str = ""):
    """`queryset` narrowed to the shop's members when a shop is chosen; `path` leads from its
    model to the member ("wallet__member__")."""
    return queryset if location_id is None else queryset.filter(**{f"{path}home_location": location_id})


def member_counts(
    moments: Iterable[datetime], joined: dict[str, Period], *, location_id: int | None = None
) -> tuple[dict, dict]:
    """({moment: members then}, {period name: members who joined in it}). One query."""
    moments = sorted(set(moments))
    aggregates = {f"at_{i}": Count("pk", filter=_member_at(moment)) for i, moment in enumerate(moments)}
    for name, period in joined.items():
        aggregates[f"new_{name}"] = Count(
            "pk", filter=Q(joined_at__gte=period.start, joined_at__lt=period.end)
        )
    row = of_shop(Member.objects, location_id).aggregate(**aggregates)
    return (
        {moment: row[f"at_{i}"] for i, moment in enumerate(moments)},
        {name: row[f"new_{name}"] for name in joined},
    )


# Active at a moment T: a visit, or a purchase that earned points, in [T - window, T), by a
# member not erased before T. The events of all moments are read in one pass: one flag per
# moment (MAX of a CASE) per member for the visits and per wallet for the ledger (the wallet
# is joined after grouping: a hundred thousand rows, not millions), then per member, then
# summed. Written out because the ORM cannot group a UNION; the columns are the models' own.
_ACTIVE_SQL = """
    SELECT {sums}
      FROM (SELECT member_id, {merged}
              FROM (SELECT v.member_id AS member_id, {visit_flags}
                      FROM {visit} v
                     WHERE v.started_at >= %s AND v.started_at < %s {visit_location}
                     GROUP BY v.member_id
                    UNION ALL
                    SELECT w.member_id, {wallet_flags}
                      FROM (SELECT e.wallet_id, {entry_flags}
                              FROM {ledger} e
                             WHERE e.kind = %s AND e.created_at >= %s AND e.created_at < %s {entry_location}
                             GROUP BY e.wallet_id) x
                      JOIN {wallet} w ON w.id = x.wallet_id
                   ) per_source
             GROUP BY member_id) flags
      -- Only the few erased members need looking up (a hash of them, not a lookup per member).
      LEFT JOIN (SELECT id, erased_at FROM {member} WHERE erased_at IS NOT NULL) m
             ON m.id = flags.member_id
"""


_OF_SHOP_VISITS = "AND v.member_id IN (SELECT id FROM {member} WHERE home_location_id = %s)"
_OF_SHOP_ENTRIES = (
    "AND e.wallet_id IN (SELECT sw.id FROM {wallet} sw JOIN {member} sm ON sm.id = sw.member_id"
    " WHERE sm.home_location_id = %s)"
)


def _event_sources(bounds: list, location_id: int | None) -> tuple[dict, list, list]:
    """What both counts of active members read: the tables and the shop's filter as format
    fields, and the parameters of the visits and of the purchases (the window's bounds, the
    kind, the shop)."""
    fields = {
        "visit": Visit._meta.db_table,
        "ledger": LedgerEntry._meta.db_table,
        "wallet": Wallet._meta.db_table,
        "member": Member._meta.db_table,
        "visit_location": "",
        "entry_location": "",
    }
    visit_params, entry_params = list(bounds), [LedgerEntry.Kind.EARN.value, *bounds]
    if location_id is not None:  # the shop's members (their home shop), active anywhere
        fields["visit_location"] = _OF_SHOP_VISITS.format(member=fields["member"])
        fields["entry_location"] = _OF_SHOP_ENTRIES.format(member=fields["member"], wallet=fields["wallet"])
        visit_params.append(location_id)
        entry_params.append(location_id)
    return fields, visit_params, entry_params


def activity(
    moments: Iterable[datetime],
    *,
    window: timedelta,
    churn: dict[str, tuple[datetime, datetime]],
    location_id: int | None,
) -> tuple[dict, dict]:
    """({moment: active members then}, {name: members active at `from` and not at `to`})
    for each churn pair (from, to) of moments. One query, however many moments."""
    moments = sorted(set(moments))
    adapt = connection.ops.adapt_datetimefield_value
    index = {moment: i for i, moment in enumerate(moments)}
    windows = [[adapt(moment - window), adapt(moment)] for moment in moments]

    def flags(column: str) -> tuple[str, list]:
        sql = ", ".join(
            f"MAX(CASE WHEN {column} >= %s AND {column} < %s THEN 1 ELSE 0 END) AS a{i}"
            for i in range(len(moments))
        )
        return sql, [param for pair in windows for param in pair]

    def active(i: int) -> tuple[str, list]:
        return f"(a{i} = 1 AND (m.erased_at IS NULL OR m.erased_at >= %s))", [adapt(moments[i])]

    sums, sum_params = [], []
    for i in range(len(moments)):
        condition, params = active(i)
        sums.append(f"SUM(CASE WHEN {condition} THEN 1 ELSE 0 END)")
        sum_params += params
    for start, end in churn.values():
        was, was_params = active(index[start])
        still, still_params = active(index[end])
        sums.append(f"SUM(CASE WHEN {was} AND NOT {still} THEN 1 ELSE 0 END)")
        sum_params += was_params + still_params
    visit_flags, visit_flag_params = flags("v.started_at")
    entry_flags, entry_flag_params = flags("e.created_at")
    where_params = [adapt(moments[0] - window), adapt(moments[-1])]
    sources, visit_params, entry_params = _event_sources(where_params, location_id)
    sql = _ACTIVE_SQL.format(
        sums=", ".join(sums),
        merged=", ".join(f"MAX(a{i}) AS a{i}" for i in range(len(moments))),
        visit_flags=visit_flags,
        wallet_flags=", ".join(f"x.a{i}" for i in range(len(moments))),
        entry_flags=entry_flags,
        **sources,
    )
    params = sum_params + visit_flag_params + visit_params + entry_flag_params + entry_params
    with reading_connection().cursor() as cursor:  # the replica's, for the owner's pages
        cursor.execute(sql, params)
        row = [int(value or 0) for value in cursor.fetchone()]
    return (
        {moment: row[i] for i, moment in enumerate(moments)},
        {name: row[len(moments) + j] for j, name in enumerate(churn)},
    )


# The same "active" as activity(), counted for a run of whole days (at each day's local
# midnight, where activity()'s window is whole days of the calendar) from each member's
# covered spans instead of a flag per moment. Sorted by day, a member's event covers the
# midnights after its day up to the window's last, the next event's day or the erasure's
# day, whichever comes first (of events on one day, all but the last cover nothing). These
# spans do not overlap, so a day's active members are the spans open at its midnight: +1
# the day after a span starts, -1 the day after it ends, summed in order. One pass over the
# events, however many days (the rollups count every day of a club's history: 6 times
# faster than activity() at 100,000 members). Written out: the ORM can neither sort a UNION
# by member nor read the next row (LEAD) across both sources; the columns are the models'.
_COVERED_SQL = """
    WITH events AS (SELECT v.member_id AS member_id, v.started_at AS moment
                      FROM {visit} v
                     WHERE v.started_at >= %s AND v.started_at < %s {visit_location}
                    UNION ALL
                    SELECT w.member_id, e.created_at
                      FROM {ledger} e JOIN {wallet} w ON w.id = e.wallet_id
                     WHERE e.kind = %s AND e.created_at >= %s AND e.created_at < %s {entry_location}),
         event_days AS (SELECT member_id, {event_day} AS start_day FROM events),
         spans AS (SELECT member_id, start_day,
                          LEAD(start_day) OVER (PARTITION BY member_id ORDER BY start_day) AS next_day
                     FROM event_days),
         reaches AS (SELECT start_day, next_day, {erased_day} AS erased_day, {reach} AS reach
                       FROM spans
                       LEFT JOIN (SELECT id, erased_at FROM {member} WHERE erased_at IS NOT NULL) m
                              ON m.id = spans.member_id),
         ends AS (SELECT start_day,
                         {least}(reach, COALESCE(next_day, reach), COALESCE(erased_day, reach)) AS stop_day
                    FROM reaches)
    SELECT start_day, stop_day, COUNT(*) FROM ends WHERE stop_day > start_day GROUP BY start_day, stop_day
"""


def active_at_midnights(first: date, last: date, *, window: timedelta, location_id: int | None) -> dict:
    """{day: members active at its local midnight} for every day from `first` to `last`, as
    activity() counts them (the tests hold the two to each other). One query."""
    db = reading_connection()
    tzname = timezone.get_current_timezone_name()
    if db.vendor == "postgresql":
        reach, least, reach_params = "start_day + %s", "LEAST", [window.days]
    else:  # SQLite: dates are text, and MIN of them the earliest
        reach, least, reach_params = "date(start_day, %s)", "MIN", [f"+{window.days} days"]
    event_day, event_params = db.ops.datetime_cast_date_sql("moment", [], tzname)
    erased_day, erased_params = db.ops.datetime_cast_date_sql("m.erased_at", [], tzname)
    bounds = [
        db.ops.adapt_datetimefield_value(local_midnight(first - timedelta(days=window.days))),
        db.ops.adapt_datetimefield_value(local_midnight(last)),
    ]
    sources, visit_params, entry_params = _event_sources(bounds, location_id)
    sql = _COVERED_SQL.format(event_day=event_day, erased_day=erased_day, reach=reach, least=least, **sources)
    params = [*visit_params, *entry_params, *event_params, *erased_params, *reach_params]
    changes = Counter()
    with db.cursor() as cursor:
        cursor.execute(sql, params)
        for start, stop, members in cursor.fetchall():
            changes[_as_date(start) + timedelta(days=1)] += members
            changes[_as_date(stop) + timedelta(days=1)] -= members
    open_spans = sum(members for day, members in changes.items() if day <= first)
    counts = {first: open_spans}
    for offset in range(1, (last - first).days + 1):
        day = first + timedelta(days=offset)
        open_spans += changes[day]
        counts[day] = open_spans
    return counts


def _as_date(value) -> date:
    return value if isinstance(value, date) else date.fromisoformat(value)  # SQLite answers text


def active_with_rollups(
    moments: Iterable[datetime],
    *,
    window: timedelta,
    churn: dict[str, tuple[datetime, datetime]],
    location_id: int | None,
    rolled_until: datetime | None,
) -> tuple[dict, dict]:
    """activity(), with the active members of closed days read from their rollup (when the
    rollups exist): only the other moments, and both ends of each churn pair (which needs
    the members themselves), are counted from the visits and the ledger."""
    moments = set(moments)
    kept = {}
    if rolled_until is not None:
        days = {timezone.localdate(m): m for m in moments if m == local_midnight(timezone.localdate(m))}
        rows = ActiveDay.objects.filter(
            day__in=days, scope=location_id or 0, window_days=window.days
        ).values_list("day", "members")
        late = _late_purchase_days(rolled_until, before=max(days, default=None))
        kept = {
            days[day]: members
            for day, members in rows
            if not any(0 < (day - late_day).days <= window.days for late_day in late)
        }
    live = (moments - set(kept)) | {moment for pair in churn.values() for moment in pair}
    counted, churned = (
        activity(live, window=window, churn=churn, location_id=location_id) if live else ({}, {})
    )
    return {**counted, **kept}, churned


def _late_purchase_days(since: datetime, *, before) -> set:
    """Days of purchases written since the rollups and dated before `before` (a till sending
    sales late): the next roll-up clears the days whose window holds them; until then they
    are counted directly."""
    if before is None:
        return set()
    late = LedgerEntry.objects.filter(
        recorded_at__gte=since, kind=LedgerEntry.Kind.EARN, created_at__lt=local_midnight(before)
    )
    return set(late.annotate(day=TruncDate("created_at")).order_by().values_list("day", flat=True).distinct())


def consents(moment: datetime, *, location_id: int | None = None) -> dict[str, int]:
    """{channel: members whose latest marketing choice before `moment` is yes}. One query."""
    purpose = ConsentEvent.Purpose.MARKETING
    later = ConsentEvent.objects.filter(
        member_id=OuterRef("member_id"), purpose=purpose, channel=OuterRef("channel"), created_at__lt=moment
    ).filter(
        Q(created_at__gt=OuterRef("created_at")) | Q(created_at=OuterRef("created_at"), pk__gt=OuterRef("pk"))
    )
    rows = (
        of_shop(ConsentEvent.objects, location_id, "member__")
        .filter(purpose=purpose, created_at__lt=moment, granted=True)
        .filter(_member_at(moment, "member__"))
        .exclude(Exists(later))
        .order_by()
        .values("channel")
        .annotate(members=Count("member_id"))
    )
    counts = {row["channel"]: row["members"] for row in rows}
    return {channel: counts.get(channel, 0) for channel in ConsentEvent.Channel.values}


def tier_counts(*, location_id: int | None = None) -> tuple[list[Tier], dict[int | None, int]]:
    """The tiers (lowest first) and today's members per tier id. Two queries."""
    tiers = list(Tier.objects.order_by("threshold"))
    rows = (
        of_shop(Wallet.objects, location_id, "member__")
        .filter(member__erased_at=None, tier__isnull=False)
        .order_by()
        .values("tier_id")
        .annotate(members=Count("pk"))
    )
    return tiers, {row["tier_id"]: row["members"] for row in rows}


def upgrades(periods: dict[str, Period], *, location_id: int | None = None) -> dict[str, int]:
    """{period name: members who moved up at least one tier in it}. One query."""
    row = of_shop(TierChange.objects, location_id, "member__").aggregate(
        **{
            name: Count(
                "member_id",
                distinct=True,
                filter=Q(upgrade=True, changed_at__gte=period.start, changed_at__lt=period.end),
            )
            for name, period in periods.items()
        }
    )
    return {name: row[name] for name in periods}


def joins_by_channel(periods: dict[str, Period], *, location_id: int | None) -> dict[str, dict[str, int]]:
    """{channel: {period name: members who joined in it that way}}; with a shop, its own
    members (those who joined through its poster, receipt or till, and those who joined
    online and came to it first). One query."""
    rows = (
        of_shop(Member.objects, location_id)
        .order_by()
        .values("channel")
        .annotate(
            **{
                name: Count("pk", filter=Q(joined_at__gte=period.start, joined_at__lt=period.end))
                for name, period in periods.items()
            }
        )
    )
    return {row["channel"]: {name: row[name] for name in periods} for row in rows}
