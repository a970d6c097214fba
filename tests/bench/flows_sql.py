# ruff: noqa: S608 - table names and numbers are put into the SQL here, never input.
"""The flows_tick bench's baseline: hand-written PostgreSQL that selects, for each trigger,
the same (member, occasion) pairs as campaigns.flows.triggers does through the ORM, for the
bench's flows (every step on day 0, "only from now on" off). The bench checks that both
give the same pairs before it compares their times."""

from __future__ import annotations

import calendar
from datetime import datetime, timedelta

from django.db import connection
from django.utils import timezone

from campaigns.models import Campaign, Flow, Message, NpsAnswer, TierChange
from members.models import Member
from rewards.models import LedgerEntry, Membership, PointsProgram, QualifyingMonth, Tier, Voucher, Wallet
from rewards.services.tiers import window

M, W, E = Member._meta.db_table, Wallet._meta.db_table, LedgerEntry._meta.db_table
V, Q, T = Voucher._meta.db_table, QualifyingMonth._meta.db_table, Tier._meta.db_table
TC, MSG = TierChange._meta.db_table, Message._meta.db_table
A, C, F = NpsAnswer._meta.db_table, Campaign._meta.db_table, Flow._meta.db_table
MS = Membership._meta.db_table
ZONE = "Europe/Oslo"
SINCE_48H = "%(now)s - interval '48 hours'"
LOCAL = f"AT TIME ZONE '{ZONE}'"


def _not_sent(occasion: str) -> str:
    return (
        f"m.erased_at IS NULL AND NOT EXISTS (SELECT 1 FROM {MSG} x WHERE x.campaign_id = %(step)s "
        f"AND x.member_id = m.id AND x.occasion = {occasion})"
    )


def _week(now: datetime) -> str:
    """VALUES (month, day, 'year') for each day of this week, 29 February on the 28th."""
    today = timezone.localdate(now)
    rows = []
    for n in range(7):
        day = today - timedelta(days=today.weekday() - n)
        rows.append(f"({day.month}, {day.day}, '{day.year}')")
        if (day.month, day.day) == (2, 28) and not calendar.isleap(day.year):
            rows.append(f"(2, 29, '{day.year}')")
    return "VALUES " + ", ".join(rows)


def _monday(now: datetime) -> datetime:
    today = timezone.localdate(now)
    return timezone.make_aware(datetime.combine(today - timedelta(days=today.weekday()), datetime.min.time()))


def _qualifying(now: datetime, program: PointsProgram) -> str:
    first, last = window(now)
    column = "q.spend_ore / 100.0" if program.tier_basis == PointsProgram.TierBasis.SPEND else "q.points"
    return (
        f"SELECT w.member_id, SUM({column}) AS total FROM {Q} q JOIN {W} w ON w.id = q.wallet_id "
        f"WHERE q.month BETWEEN '{first}' AND '{last}' GROUP BY w.member_id"
    )


def query(kind: str, flow: Flow, now: datetime) -> str:
    days = flow.days
    if kind == Flow.Kind.WELCOME:
        return (
            f"SELECT m.id, '' FROM {M} m WHERE m.joined_at <= %(now)s "
            f"AND m.joined_at > %(now)s - interval '7 days' AND {_not_sent(chr(39) * 2)}"
        )
    if kind in (Flow.Kind.BIRTHDAY, Flow.Kind.ANNIVERSARY):
        field = "m.birthday" if kind == Flow.Kind.BIRTHDAY else f"(m.joined_at {LOCAL})"
        extra = "" if kind == Flow.Kind.BIRTHDAY else f"AND m.joined_at < '{_monday(now).isoformat()}'"
        return (
            f"SELECT m.id, w.year FROM {M} m JOIN ({_week(now)}) AS w(month, day, year) "
            f"ON EXTRACT(MONTH FROM {field}) = w.month AND EXTRACT(DAY FROM {field}) = w.day "
            f"WHERE {_not_sent('w.year')} {extra}"
        )
    if kind == Flow.Kind.WIN_BACK:
        last = (
            f"SELECT w.member_id, MAX(e.created_at) AS at FROM {E} e JOIN {W} w ON w.id = e.wallet_id "
            f"WHERE e.kind = 'earn' AND e.amount_ore IS NOT NULL GROUP BY w.member_id"
        )
        occasion = f"(l.at {LOCAL})::date::varchar"
        return (
            f"SELECT m.id, {occasion} FROM {M} m JOIN ({last}) l ON l.member_id = m.id "
            f"WHERE l.at <= %(now)s - interval '{days} days' AND {_not_sent(occasion)}"
        )
    if kind == Flow.Kind.POINTS_EXPIRING:
        first = (
            f"SELECT w.member_id, MIN(e.expires_at) AS at FROM {E} e JOIN {W} w ON w.id = e.wallet_id "
            f"WHERE e.remaining > 0 AND e.expires_at > %(now)s GROUP BY w.member_id"
        )
        occasion = f"(f.at {LOCAL})::date::varchar"
        return (
            f"SELECT m.id, {occasion} FROM {M} m JOIN ({first}) f ON f.member_id = m.id "
            f"WHERE f.at <= %(now)s + interval '{days} days' AND {_not_sent(occasion)}"
        )
    if kind == Flow.Kind.WELCOME_REMINDER:
        gift = (
            f"SELECT DISTINCT ON (w.member_id) w.member_id, v.id FROM {V} v JOIN {W} w ON w.id = v.wallet_id "
            f"WHERE v.source = 'welcome' AND v.status = 'active' AND v.expires_at > %(now)s "
            f"AND v.expires_at <= %(now)s + interval '{days} days' ORDER BY w.member_id, v.expires_at"
        )
        return (
            f"SELECT m.id, g.id::varchar FROM {M} m JOIN ({gift}) g ON g.member_id = m.id "
            f"WHERE {_not_sent('g.id::varchar')}"
        )
    if kind == Flow.Kind.NEXT_TIER:
        month = timezone.localdate(now).strftime("%Y-%m")
        occasion = f"t.id::varchar || ':{month}'"
        return (
            f"SELECT DISTINCT ON (m.id) m.id, {occasion} FROM {M} m "
            f"LEFT JOIN ({_qualifying(now, PointsProgram.load())}) s ON s.member_id = m.id "
            f"JOIN {T} t ON t.threshold > 0 AND COALESCE(s.total, 0) >= t.threshold - {flow.points} "
            f"AND COALESCE(s.total, 0) < t.threshold WHERE {_not_sent(occasion)} ORDER BY m.id, t.threshold"
        )
    if kind == Flow.Kind.TIER_REACHED:
        up = (
            f"SELECT DISTINCT ON (c.member_id) c.member_id, c.id FROM {TC} c WHERE c.upgrade "
            f"AND c.changed_at >= %(now)s - interval '7 days' AND c.changed_at <= %(now)s "
            f"ORDER BY c.member_id, c.changed_at DESC"
        )
        return (
            f"SELECT m.id, u.id::varchar FROM {M} m JOIN ({up}) u ON u.member_id = m.id "
            f"WHERE {_not_sent('u.id::varchar')}"
        )
    if kind == Flow.Kind.TIER_LAPSING:
        today = timezone.localdate(now)
        occasion = "w.tier_review_at::varchar"
        return (
            f"SELECT m.id, {occasion} FROM {M} m JOIN {W} w ON w.member_id = m.id "
            f"JOIN {T} t ON t.id = w.tier_id "
            f"LEFT JOIN ({_qualifying(now, PointsProgram.load())}) s ON s.member_id = m.id "
            f"WHERE w.tier_review_at > '{today}' AND w.tier_review_at <= '{today + timedelta(days=days)}' "
            f"AND COALESCE(s.total, 0) < t.threshold AND {_not_sent(occasion)}"
        )
    if kind == Flow.Kind.ACTIVATION:
        return (
            f"SELECT m.id, '' FROM {M} m WHERE m.joined_at <= %(now)s - interval '{days} days' "
            f"AND m.joined_at > %(now)s - interval '{days + 7} days' "
            f"AND NOT EXISTS (SELECT 1 FROM {V} v JOIN {W} w ON w.id = v.wallet_id "
            f"WHERE w.member_id = m.id AND v.status = 'used') "
            f"AND NOT EXISTS (SELECT 1 FROM {E} e JOIN {W} w ON w.id = e.wallet_id "
            f"WHERE w.member_id = m.id AND e.kind = 'redeem') AND {_not_sent(chr(39) * 2)}"
        )
    refunded = (
        f"EXISTS (SELECT 1 FROM {E} r JOIN {W} rw ON rw.id = r.wallet_id WHERE rw.member_id = m.id "
        f"AND r.kind IN ('refund', 'reversal') AND r.created_at >= {{since}})"
    )
    if kind == Flow.Kind.NPS:
        recent = (
            f"SELECT DISTINCT ON (w.member_id) w.member_id, e.id FROM {E} e "
            f"JOIN {W} w ON w.id = e.wallet_id WHERE e.kind = 'earn' AND e.amount_ore IS NOT NULL "
            f"AND e.created_at >= %(now)s - interval '2 days' AND e.created_at <= %(now)s "
            f"ORDER BY w.member_id, e.created_at DESC"
        )
        surveyed = (
            f"EXISTS (SELECT 1 FROM {MSG} s JOIN {C} c ON c.id = s.campaign_id "
            f"JOIN {F} f ON f.id = c.flow_id WHERE s.member_id = m.id AND f.kind = 'nps' "
            f"AND s.created_at >= %(now)s - interval '{days} days')"
        )
        return (
            f"SELECT m.id, r.id::varchar FROM {M} m JOIN ({recent}) r ON r.member_id = m.id "
            f"WHERE NOT {surveyed} AND NOT {refunded.format(since=SINCE_48H)} "
            f"AND {_not_sent('r.id::varchar')}"
        )
    if kind == Flow.Kind.PROMOTER_INVITE:
        answered = (
            f"SELECT DISTINCT ON (a.member_id) a.member_id, a.id, a.answered_at FROM {A} a "
            f"WHERE a.score >= 9 AND a.answered_at <= %(now)s - interval '{days} days' "
            f"AND a.answered_at > %(now)s - interval '{days + 7} days' "
            f"ORDER BY a.member_id, a.answered_at DESC"
        )
        return (
            f"SELECT m.id, a.id::varchar FROM {M} m JOIN ({answered}) a ON a.member_id = m.id "
            f"WHERE NOT {refunded.format(since='a.answered_at')} AND {_not_sent('a.id::varchar')}"
        )
    if kind in (Flow.Kind.TRIAL_ENDING, Flow.Kind.RENEWAL):
        # A paid membership (its trial, or a paid period) ending within the days, not cancelled.
        trial = kind == Flow.Kind.TRIAL_ENDING
        paid = (
            "s.paid_from IS NULL AND s.trial_started_at IS NOT NULL" if trial else "s.paid_from IS NOT NULL"
        )
        ending = (
            f"SELECT DISTINCT ON (s.member_id) s.member_id, s.ends_at FROM {MS} s "
            f"WHERE s.cancelled_at IS NULL AND s.ends_at > %(now)s "
            f"AND s.ends_at <= %(now)s + interval '{days} days' AND {paid} ORDER BY s.member_id, s.ends_at"
        )
        occasion = f"(e.ends_at {LOCAL})::date::varchar"
        return (
            f"SELECT m.id, {occasion} FROM {M} m JOIN ({ending}) e ON e.member_id = m.id "
            f"WHERE {_not_sent(occasion)}"
        )
    raise ValueError(kind)


def select(flow: Flow, step_id: int, now: datetime) -> set[tuple[int, str]]:
    with connection.cursor() as cursor:
        cursor.execute(query(flow.kind, flow, now), {"now": now, "step": step_id})
        return set(cursor.fetchall())
