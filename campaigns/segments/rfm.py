"""VIP, regulars and occasional customers: the one definition that the dashboard's split and
the segments' condition share.

Of the members who bought in a window (net spend above zero, refunds subtracted), ranked by
spend, VIP are the top `vip_percent`, regulars the next `regular_percent`, occasional the
rest (the seeds' simple RFM split; the shares are the owner's, in the campaign settings). A
share of n buyers is rounded up, so that a handful of buyers still has a VIP; equal spends
are ranked by wallet, so the shares are exact. Members who bought nothing are in none of them.

Written in SQL because the ranking is a window function over a grouped sum, and both users
need its result inside another query (a GROUP BY for the dashboard, an IN for a segment's
count, which must stay one query): the ORM cannot use a window's result in either place.
The columns are the models' own.
"""

from __future__ import annotations

from datetime import datetime

from dateutil.relativedelta import relativedelta
from django.db import connection
from django.db.models import Q
from django.db.models.expressions import RawSQL
from django.utils.translation import gettext_lazy as _

from campaigns.models.segments import CampaignSettings
from rewards.models import LedgerEntry

VIP, REGULAR, OCCASIONAL, NONE = "vip", "regular", "occasional", "none"
CLASSES = (VIP, REGULAR, OCCASIONAL)  # in rank order: the SQL's class 0, 1, 2
CLASS_CHOICES = [
    (VIP, _("VIP")),
    (REGULAR, _("regular")),
    (OCCASIONAL, _("occasional")),
    (NONE, _("no purchase in the period")),
]

_RANKED_SQL = """
    SELECT wallet_id, spend,
           CASE WHEN place <= (buyers * %s + 99) / 100 THEN 0
                WHEN place <= (buyers * %s + 99) / 100 THEN 1
                ELSE 2 END AS class
      FROM (SELECT wallet_id, spend,
                   ROW_NUMBER() OVER (ORDER BY spend DESC, wallet_id) AS place,
                   COUNT(*) OVER () AS buyers
              FROM (SELECT wallet_id, SUM(amount_ore) AS spend
                      FROM {ledger}
                     WHERE qualifying = %s AND created_at >= %s AND created_at < %s {at_location}
                     GROUP BY wallet_id) spent
             WHERE spend > 0) ranked
"""


_BUYERS_SQL = "SELECT wallet_id FROM ({ranked}) r"
_CLASS_SQL = "SELECT wallet_id FROM ({ranked}) r WHERE class = %s"
# The dashboard's split: how many members and how much spend in each class.
SPLIT_SQL = "SELECT class, COUNT(*), SUM(spend) FROM ({ranked}) r GROUP BY class"


def ranked_sql(
    start: datetime, end: datetime, *, location_id: int | None = None, shares: CampaignSettings | None = None
) -> tuple[str, list]:
    """(SQL, params) of rows (wallet_id, spend in øre, class 0/1/2) for the window [start, end)."""
    shares = shares or CampaignSettings.load()
    adapt = connection.ops.adapt_datetimefield_value
    params = [shares.vip_percent, shares.vip_percent + shares.regular_percent, True, adapt(start), adapt(end)]
    at_location = ""
    if location_id is not None:
        at_location = "AND location_id = %s"
        params.append(location_id)
    return _RANKED_SQL.format(ledger=LedgerEntry._meta.db_table, at_location=at_location), params


def member_in_class(name: str, now: datetime) -> Q:
    """Members in class `name` (or NONE: no net purchase) over the settings' months back to now."""
    shares = CampaignSettings.load()
    sql, params = ranked_sql(now - relativedelta(months=shares.rfm_months), now, shares=shares)
    # RawSQL: the text is ours and the values are parameters.
    if name == NONE:
        return ~Q(wallet__pk__in=RawSQL(_BUYERS_SQL.format(ranked=sql), params))  # noqa: S611
    rank = CLASSES.index(name)
    return Q(wallet__pk__in=RawSQL(_CLASS_SQL.format(ranked=sql), [*params, rank]))  # noqa: S611
