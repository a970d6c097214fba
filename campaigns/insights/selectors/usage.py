"""What members use: over the last months, each reward taken for points, each stamp card
filled, and the paid membership's perks, with what each cost the club, so that the owner
can replace what nobody uses (the guides ask for this every month). Everything on offer is
listed, unused included. Four queries, however long the history.

Costs: a reward at its points' value when redeemed; a full stamp card's reward, and a
membership's monthly voucher, at the value the owner gives them (ClubEconomics' free
voucher, the plan's voucher value); extra points from a membership at their value.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Count, F, Q, Sum
from django.utils.translation import gettext as _

from campaigns.models import ClubEconomics
from rewards.config import config
from rewards.models import LedgerEntry, Plan, Voucher


@dataclass(frozen=True)
class UsageRow:
    kind: str
    name: str
    used: int  # in the whole span
    last_month: int  # of them, in its last month
    cost_ore: int


def _counted(vouchers, key: str, start: datetime, last: datetime, end: datetime, when: str) -> dict:
    span = Q(**{f"{when}__gte": start, f"{when}__lt": end})
    rows = (
        vouchers.filter(span)
        .values(key)
        .annotate(n=Count("pk"), last=Count("pk", filter=Q(**{f"{when}__gte": last})))
    )
    return {row[key]: (row["n"], row["last"]) for row in rows.order_by()}


def usage(*, start: datetime, last_month: datetime, end: datetime) -> list[UsageRow]:
    settings = config()
    program, free_ore = settings.program, ClubEconomics.load().free_voucher_value_kr * 100
    rows = []
    redeemed = _counted(
        Voucher.objects.filter(source=Voucher.Source.REDEEM), "reward", start, last_month, end, "issued_at"
    )
    for reward in settings.rewards:
        if reward.cost_points is not None:
            n, last = redeemed.get(reward.pk, (0, 0))
            rows.append(
                UsageRow(_("Reward"), reward.name, n, last, program.value_ore(n * reward.cost_points))
            )
    filled = _counted(
        Voucher.objects.filter(source=Voucher.Source.STAMP_CARD),
        "stamp_entry__progress__card",
        start,
        last_month,
        end,
        "issued_at",
    )
    for card in settings.cards:
        n, last = filled.get(card.pk, (0, 0))
        rows.append(UsageRow(_("Stamp card filled"), card.name, n, last, n * free_ore))
    plans = list(
        Plan.objects.filter(monthly_reward__isnull=False).values(
            "name", "monthly_reward", ore=F("monthly_reward_value_kr") * 100
        )
    )
    if plans:
        used = _counted(
            Voucher.objects.filter(source=Voucher.Source.MEMBERSHIP, status=Voucher.Status.USED),
            "reward",
            start,
            last_month,
            end,
            "used_at",
        )
        for plan in plans:
            n, last = used.get(plan["monthly_reward"], (0, 0))
            rows.append(UsageRow(_("Membership's monthly voucher"), plan["name"], n, last, n * plan["ore"]))
        extra = LedgerEntry.objects.filter(
            created_at__gte=start, created_at__lt=end, membership_points__gt=0
        ).aggregate(
            points=Sum("membership_points", default=0),
            last=Sum("membership_points", default=0, filter=Q(created_at__gte=last_month)),
        )
        rows.append(
            UsageRow(
                _("Membership's extra points"),
                _("points"),
                extra["points"],
                extra["last"],
                program.value_ore(extra["points"]),
            )
        )
    return rows
