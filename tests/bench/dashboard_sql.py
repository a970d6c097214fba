# ruff: noqa: S608 - the SQL is put together from the constants here, never from input.
"""The dashboard bench's denominator: every figure of the dashboard as one hand-written SQL
query per KPI (both periods in the same query, as a person writing it would), on PostgreSQL.

Named parameters: s and e are the period's start and end (the end no later than now), ps
the previous period's start, w the active window, ms/me the trend months' starts and ends.
"""

from __future__ import annotations

from datetime import timedelta

from django.db import connection

from campaigns.insights.selectors import Period
from campaigns.insights.selectors.figures import percent
from campaigns.insights.selectors.period import trend_months

# Members at a moment: joined before it and not erased before it.
AT_E = "joined_at < %(e)s AND (erased_at IS NULL OR erased_at >= %(e)s)"
AT_S = "joined_at < %(s)s AND (erased_at IS NULL OR erased_at >= %(s)s)"
AT_PS = "joined_at < %(ps)s AND (erased_at IS NULL OR erased_at >= %(ps)s)"


def _active(at: str) -> str:
    """The members active at `at` (a parameter name): a visit or purchase in [at - w, at)."""
    return f"""
        SELECT v.member_id FROM rewards_visit v
         WHERE v.started_at >= %({at})s - %(w)s AND v.started_at < %({at})s
        UNION
        SELECT w.member_id FROM rewards_ledgerentry l JOIN rewards_wallet w ON w.id = l.wallet_id
         WHERE l.kind = 'earn' AND l.created_at >= %({at})s - %(w)s AND l.created_at < %({at})s"""


def _active_count(at: str) -> str:
    return f"""(SELECT COUNT(*) FROM ({_active(at)}) a JOIN members_member m ON m.id = a.member_id
                WHERE m.erased_at IS NULL OR m.erased_at >= %({at})s)"""


def _churned(start: str, end: str) -> str:
    return f"""(SELECT COUNT(*) FROM (({_active(start)}) EXCEPT ({_active(end)})) c
                  JOIN members_member m ON m.id = c.member_id
                 WHERE m.erased_at IS NULL OR m.erased_at >= %({start})s)"""


PER_WALLET = """
    SELECT wallet_id,
           SUM(CASE WHEN created_at >= %(s)s THEN CASE WHEN kind = 'earn' THEN 1 ELSE -1 END
                    ELSE 0 END) AS n,
           SUM(CASE WHEN created_at < %(s)s THEN CASE WHEN kind = 'earn' THEN 1 ELSE -1 END
                    ELSE 0 END) AS pn
      FROM rewards_ledgerentry
     WHERE qualifying AND created_at >= %(ps)s AND created_at < %(e)s
     GROUP BY wallet_id"""

REDEEMED = """
    SELECT -SUM(l.points) FILTER (WHERE l.kind = 'redeem' AND l.created_at >= %(s)s)
           - COALESCE(SUM(l.points) FILTER (WHERE o.kind = 'redeem' AND l.created_at >= %(s)s), 0),
           -SUM(l.points) FILTER (WHERE l.kind = 'redeem' AND l.created_at < %(s)s)
           - COALESCE(SUM(l.points) FILTER (WHERE o.kind = 'redeem' AND l.created_at < %(s)s), 0)
      FROM rewards_ledgerentry l
      LEFT JOIN rewards_ledgerentry o ON o.id = l.reverses_id AND l.points > 0
     WHERE l.kind IN ('redeem', 'reversal') AND l.created_at >= %(ps)s AND l.created_at < %(e)s"""

ISSUED = """
    SELECT SUM(points) FILTER (WHERE created_at >= %(s)s),
           SUM(points) FILTER (WHERE created_at < %(s)s)
      FROM rewards_ledgerentry
     WHERE created_at >= %(ps)s AND created_at < %(e)s
       AND (kind IN ('earn', 'bonus') OR (kind = 'adjust' AND points > 0)
            OR (kind = 'reversal' AND points < 0))"""

# Purchases net of refunds, in the period (p = 's') or the one before (p = 'ps').
NET = """(COUNT(*) FILTER (WHERE kind = 'earn' AND created_at {op} %(s)s)
          - COUNT(amount_ore) FILTER (WHERE kind = 'reversal' AND created_at {op} %(s)s))"""
CURRENT_NET, PREVIOUS_NET = NET.format(op=">="), NET.format(op="<")

VOUCHER_WORTH = "COALESCE(r.cost_points * %(value_kr)s * 100 / %(value_points)s, %(free_ore)s)"
MONTHS = "unnest(%(ms)s::timestamptz[], %(me)s::timestamptz[]) AS m(start, at)"
# The latest consent choice per member on a channel, before the period's end.
LATEST_CHOICE = """
    SELECT DISTINCT ON (member_id) granted FROM members_consentevent
     WHERE purpose = 'marketing' AND channel = '{channel}' AND created_at < %(e)s
     ORDER BY member_id, created_at DESC, id DESC"""

KPIS = {
    "members": f"""
        SELECT COUNT(*) FILTER (WHERE {AT_E}), COUNT(*) FILTER (WHERE {AT_S}) FROM members_member""",
    "new_members": """
        SELECT COUNT(*) FILTER (WHERE joined_at >= %(s)s AND joined_at < %(e)s),
               COUNT(*) FILTER (WHERE joined_at >= %(ps)s AND joined_at < %(s)s)
          FROM members_member""",
    "signup_rate": f"""
        SELECT COUNT(*) FILTER (WHERE joined_at >= %(s)s AND joined_at < %(e)s),
               COUNT(*) FILTER (WHERE {AT_S}),
               COUNT(*) FILTER (WHERE joined_at >= %(ps)s AND joined_at < %(s)s),
               COUNT(*) FILTER (WHERE {AT_PS})
          FROM members_member""",
    "active_share": f"""
        SELECT {_active_count("e")}, {_active_count("s")},
               (SELECT COUNT(*) FROM members_member WHERE {AT_E}),
               (SELECT COUNT(*) FROM members_member WHERE {AT_S})""",
    "churn": f"""
        SELECT {_churned("s", "e")}, {_active_count("s")}, {_churned("ps", "s")}, {_active_count("ps")}""",
    "revenue": """
        SELECT SUM(amount_ore) FILTER (WHERE created_at >= %(s)s),
               SUM(amount_ore) FILTER (WHERE created_at < %(s)s)
          FROM rewards_ledgerentry
         WHERE qualifying AND created_at >= %(ps)s AND created_at < %(e)s""",
    "purchases": f"""
        SELECT {CURRENT_NET}, {PREVIOUS_NET}
          FROM rewards_ledgerentry
         WHERE qualifying AND created_at >= %(ps)s AND created_at < %(e)s""",
    "frequency": f"""
        SELECT SUM(n)::numeric / NULLIF(COUNT(*) FILTER (WHERE n > 0), 0),
               SUM(pn)::numeric / NULLIF(COUNT(*) FILTER (WHERE pn > 0), 0)
          FROM ({PER_WALLET}) p""",
    "average_purchase": f"""
        SELECT SUM(amount_ore) FILTER (WHERE created_at >= %(s)s) / NULLIF({CURRENT_NET}, 0),
               SUM(amount_ore) FILTER (WHERE created_at < %(s)s) / NULLIF({PREVIOUS_NET}, 0)
          FROM rewards_ledgerentry
         WHERE qualifying AND created_at >= %(ps)s AND created_at < %(e)s""",
    "repeat_share": f"""
        SELECT COUNT(*) FILTER (WHERE n >= 2), COUNT(*) FILTER (WHERE n > 0),
               COUNT(*) FILTER (WHERE pn >= 2), COUNT(*) FILTER (WHERE pn > 0)
          FROM ({PER_WALLET}) p""",
    "points_issued": ISSUED,
    "points_redeemed": REDEEMED,
    "redemption_rate": f"SELECT * FROM ({REDEEMED}) redeemed, ({ISSUED}) issued",
    "vouchers_issued": """
        SELECT COUNT(*) FILTER (WHERE issued_at >= %(s)s), COUNT(*) FILTER (WHERE issued_at < %(s)s)
          FROM rewards_voucher WHERE issued_at >= %(ps)s AND issued_at < %(e)s""",
    "vouchers_used": """
        SELECT COUNT(*) FILTER (WHERE used_at >= %(s)s), COUNT(*) FILTER (WHERE used_at < %(s)s)
          FROM rewards_voucher WHERE used_at >= %(ps)s AND used_at < %(e)s""",
    "voucher_rate": """
        SELECT (SELECT COUNT(*) FROM rewards_voucher WHERE used_at >= %(s)s AND used_at < %(e)s),
               (SELECT COUNT(*) FROM rewards_voucher WHERE issued_at >= %(s)s AND issued_at < %(e)s),
               (SELECT COUNT(*) FROM rewards_voucher WHERE used_at >= %(ps)s AND used_at < %(s)s),
               (SELECT COUNT(*) FROM rewards_voucher WHERE issued_at >= %(ps)s AND issued_at < %(s)s)""",
    "upgrade_rate": f"""
        SELECT (SELECT COUNT(DISTINCT member_id) FROM campaigns_tierchange
                 WHERE upgrade AND changed_at >= %(s)s AND changed_at < %(e)s),
               (SELECT COUNT(*) FROM members_member WHERE {AT_E})""",
    "referral_rate": """
        SELECT COUNT(DISTINCT referrer_id),
               (SELECT COUNT(*) FROM members_member WHERE erased_at IS NULL)
          FROM referrals_referral
         WHERE status <> 'refused' AND created_at >= %(s)s AND created_at < %(e)s""",
    "referral_conversion": """
        SELECT COUNT(*) FILTER (WHERE status IN ('qualified', 'paid')), COUNT(*)
          FROM referrals_referral
         WHERE status <> 'refused' AND created_at >= %(s)s AND created_at < %(e)s""",
    "referral_cost": """
        SELECT SUM(p.value_points)
          FROM referrals_referralpayout p JOIN referrals_referral r ON r.id = p.referral_id
         WHERE p.reversed_at IS NULL AND r.status <> 'refused'
           AND r.created_at >= %(s)s AND r.created_at < %(e)s""",
    "referred_spend": """
        SELECT SUM(l.amount_ore) FILTER (WHERE f.friend_id IS NOT NULL), COUNT(DISTINCT f.friend_id),
               SUM(l.amount_ore) FILTER (WHERE f.friend_id IS NULL)
          FROM rewards_ledgerentry l
          JOIN rewards_wallet w ON w.id = l.wallet_id
          JOIN members_member m ON m.id = w.member_id AND m.erased_at IS NULL
          LEFT JOIN (SELECT friend_id FROM referrals_referral
                      WHERE status <> 'refused' AND created_at >= %(s)s AND created_at < %(e)s) f
                 ON f.friend_id = m.id
         WHERE l.qualifying""",
    "consent_email": f"""
        SELECT COUNT(*) FILTER (WHERE granted), (SELECT COUNT(*) FROM members_member WHERE {AT_E})
          FROM ({LATEST_CHOICE.format(channel="email")}) c""",
    "consent_sms": f"""
        SELECT COUNT(*) FILTER (WHERE granted), (SELECT COUNT(*) FROM members_member WHERE {AT_E})
          FROM ({LATEST_CHOICE.format(channel="sms")}) c""",
    "liability": """
        SELECT SUM(points) FILTER (WHERE created_at < %(e)s), SUM(points) FILTER (WHERE created_at < %(s)s)
          FROM rewards_ledgerentry""",
    "breakage": f"""
        SELECT (SELECT -SUM(points) FROM rewards_ledgerentry
                 WHERE kind = 'expire' AND created_at >= %(s)s AND created_at < %(e)s),
               (SELECT SUM({VOUCHER_WORTH})
                  FROM rewards_voucher v JOIN rewards_reward r ON r.id = v.reward_id
                 WHERE v.status = 'active' AND v.expires_at >= %(s)s AND v.expires_at < %(e)s)""",
    "retention": f"""
        SELECT COUNT(*) FILTER (WHERE {AT_E}),
               COUNT(*) FILTER (WHERE joined_at >= %(s)s AND joined_at < %(e)s),
               COUNT(*) FILTER (WHERE {AT_S})
          FROM members_member""",
    "ltv": """
        SELECT SUM(amount_ore)::numeric / NULLIF(SUM(n), 0),
               SUM(n)::numeric / NULLIF(COUNT(*) FILTER (WHERE n > 0), 0)
          FROM (SELECT wallet_id, SUM(amount_ore) AS amount_ore,
                       SUM(CASE WHEN kind = 'earn' THEN 1 ELSE -1 END) AS n
                  FROM rewards_ledgerentry
                 WHERE qualifying AND created_at >= %(s)s AND created_at < %(e)s
                 GROUP BY wallet_id) p""",
    "roi": f"""
        SELECT (SELECT SUM(amount_ore) FROM rewards_ledgerentry
                 WHERE qualifying AND created_at >= %(s)s AND created_at < %(e)s),
               (SELECT SUM({VOUCHER_WORTH})
                  FROM rewards_voucher v JOIN rewards_reward r ON r.id = v.reward_id
                 WHERE v.used_at >= %(s)s AND v.used_at < %(e)s)""",
    "owed_points": """
        SELECT SUM(remaining) FROM rewards_ledgerentry
         WHERE remaining > 0 AND (expires_at IS NULL OR expires_at > %(now)s)""",
    "owed_vouchers": f"""
        SELECT COUNT(*), SUM({VOUCHER_WORTH})
          FROM rewards_voucher v JOIN rewards_reward r ON r.id = v.reward_id
         WHERE v.status = 'active' AND v.expires_at > %(now)s""",
    "trend_members": f"""
        SELECT m.start, (SELECT COUNT(*) FROM members_member
                          WHERE joined_at < m.at AND (erased_at IS NULL OR erased_at >= m.at))
          FROM {MONTHS}""",
    "trend_active": f"""
        SELECT m.start, a.active
          FROM {MONTHS}
         CROSS JOIN LATERAL (
               SELECT COUNT(*) AS active
                 FROM (SELECT member_id FROM rewards_visit
                        WHERE started_at >= m.at - %(w)s AND started_at < m.at
                       UNION
                       SELECT w.member_id FROM rewards_ledgerentry l
                         JOIN rewards_wallet w ON w.id = l.wallet_id
                        WHERE l.kind = 'earn' AND l.created_at >= m.at - %(w)s AND l.created_at < m.at) x
                 JOIN members_member mm ON mm.id = x.member_id
                WHERE mm.erased_at IS NULL OR mm.erased_at >= m.at) a""",
    "trend_redeemed": f"""
        SELECT m.start, -SUM(l.points)
          FROM {MONTHS}
          LEFT JOIN rewards_ledgerentry l
                 ON l.kind = 'redeem' AND l.created_at >= m.start AND l.created_at < m.at
         GROUP BY m.start""",
    "trend_vouchers": f"""
        SELECT m.start, COUNT(v.id)
          FROM {MONTHS}
          LEFT JOIN rewards_voucher v ON v.used_at >= m.start AND v.used_at < m.at
         GROUP BY m.start""",
    "trend_liability": f"""
        SELECT m.start,
               (SELECT SUM(points) FROM rewards_ledgerentry
                 WHERE created_at < (%(ms)s::timestamptz[])[1])
               + SUM(COALESCE(p.points, 0)) OVER (ORDER BY m.start)
          FROM {MONTHS}
          LEFT JOIN LATERAL (SELECT SUM(points) AS points FROM rewards_ledgerentry
                              WHERE created_at >= m.start AND created_at < m.at) p ON TRUE""",
    "breakage_points": f"""
        SELECT m.start, -SUM(l.points)
          FROM {MONTHS}
          LEFT JOIN rewards_ledgerentry l
                 ON l.kind = 'expire' AND l.created_at >= m.start AND l.created_at < m.at
         GROUP BY m.start""",
    "breakage_vouchers": f"""
        SELECT m.start, COUNT(v.id), SUM({VOUCHER_WORTH})
          FROM {MONTHS}
          LEFT JOIN rewards_voucher v
                 ON v.status = 'active' AND v.expires_at >= m.start AND v.expires_at < m.at
          LEFT JOIN rewards_reward r ON r.id = v.reward_id
         GROUP BY m.start""",
    "segments": """
        SELECT CASE WHEN place <= (n * 10 + 99) / 100 THEN 'vip'
                    WHEN place <= (n * 40 + 99) / 100 THEN 'regular' ELSE 'occasional' END,
               COUNT(*), SUM(spend)
          FROM (SELECT spend, ROW_NUMBER() OVER (ORDER BY spend DESC, wallet_id) AS place,
                       COUNT(*) OVER () AS n
                  FROM (SELECT wallet_id, SUM(amount_ore) AS spend FROM rewards_ledgerentry
                         WHERE qualifying AND created_at >= %(s)s AND created_at < %(e)s
                         GROUP BY wallet_id HAVING SUM(amount_ore) > 0) s) r
         GROUP BY 1""",
    "tiers": """
        SELECT t.name, COUNT(m.id) FROM rewards_tier t
          LEFT JOIN rewards_wallet w ON w.tier_id = t.id
          LEFT JOIN members_member m ON m.id = w.member_id AND m.erased_at IS NULL
         GROUP BY t.name""",
}


def run(*, period: Period, now) -> dict:
    """Run every KPI's query; return a few figures to compare with the dashboard's."""
    from campaigns.models import ClubEconomics
    from rewards.models import PointsProgram

    program, economics = PointsProgram.load(), ClubEconomics.load()
    months = trend_months(period.last)
    params = {
        "s": period.start,
        "e": min(period.end, now),
        "ps": period.previous.start,
        "now": now,
        "w": timedelta(days=economics.active_window_days),
        "ms": [m.start for m in months],
        "me": [min(m.end, now) for m in months],
        "value_kr": program.redeem_value_kr,
        "value_points": program.redeem_points,
        "free_ore": economics.free_voucher_value_kr * 100,
    }
    results = {}
    with connection.cursor() as cursor:
        for name, sql in KPIS.items():
            cursor.execute(sql, params)
            results[name] = cursor.fetchall()
    active = results["active_share"][0]
    return {
        "members": results["members"][0][0],
        "revenue": results["revenue"][0][0] or 0,
        "purchases": results["purchases"][0][0],
        "points_redeemed": results["points_redeemed"][0][0] or 0,
        "active_share": percent(active[0], active[2]),
        "owed_points": results["owed_points"][0][0] or 0,
    }
