"""Paid membership on the dashboard, month by month: paying members and trials at the end of
the month, trials begun and how many of them have paid since (conversion from trial), paid
memberships that ran out unrenewed (churn), the fees taken, and what the perks cost: the
extra points at their redemption value and the monthly vouchers used at the value the owner
gives them (the discount at the till is on the receipt, not in Lojal: the member's value
meter estimates it). Five queries, however many months and members. With a shop chosen, the
memberships of its own members (their home shop).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from django.db.models import Count, F, Q, Sum
from django.db.models.functions import TruncMonth

from campaigns.insights.selectors.figures import percent
from campaigns.insights.selectors.members import of_shop
from campaigns.insights.selectors.period import Month
from rewards.models import LedgerEntry, Membership, MembershipPayment, Plan, PointsProgram, Voucher


@dataclass(frozen=True)
class MembershipRow:
    month: date
    paying: int
    in_trial: int
    trials_started: int
    trials_paid: int
    ended_unrenewed: int
    fees_ore: int
    perks_ore: int

    @property
    def conversion(self):
        return percent(self.trials_paid, self.trials_started)


def _by_month(queryset, field: str, **sums) -> dict[date, dict]:
    rows = queryset.annotate(month=TruncMonth(field)).values("month").annotate(**sums).order_by()
    return {row["month"].date(): row for row in rows}


def memberships_by_month(
    months: list[Month], *, now: datetime, program: PointsProgram, location_id: int | None = None
) -> list[MembershipRow]:

    plans = list(Plan.objects.values("monthly_reward", kr=F("monthly_reward_value_kr")))
    if not plans:
        return []  # a club that sells no membership is not shown an empty table
    start, end = months[0].start, months[-1].end
    counts = {}
    for i, month in enumerate(months):
        at = min(month.end, now)
        running = Q(starts_at__lte=at, ends_at__gt=at)
        trial = Q(trial_started_at__isnull=False) & (Q(paid_from=None) | Q(paid_from__gt=at))
        counts |= {
            f"paying{i}": Count("pk", filter=running & Q(paid_from__lte=at)),
            f"trial{i}": Count("pk", filter=running & trial),
            f"started{i}": Count(
                "pk", filter=Q(trial_started_at__gte=month.start, trial_started_at__lt=month.end)
            ),
            f"paid{i}": Count(
                "pk",
                filter=Q(
                    trial_started_at__gte=month.start, trial_started_at__lt=month.end, paid_from__isnull=False
                ),
            ),
            f"ended{i}": Count(
                "pk",
                filter=Q(paid_from__isnull=False, ends_at__gte=month.start, ends_at__lt=min(month.end, now)),
            ),
        }
    row = of_shop(Membership.objects, location_id, "member__").aggregate(**counts)
    fees = _by_month(
        of_shop(MembershipPayment.objects, location_id, "membership__member__").filter(
            paid_at__gte=start, paid_at__lt=end
        ),
        "paid_at",
        ore=Sum("amount_ore"),
    )
    extra = _by_month(
        of_shop(LedgerEntry.objects, location_id, "wallet__member__").filter(
            created_at__gte=start, created_at__lt=end, membership_points__gt=0
        ),
        "created_at",
        points=Sum("membership_points"),
    )
    vouchers = _voucher_value_by_month(
        of_shop(Voucher.objects, location_id, "wallet__member__"), start, end, plans
    )
    rows = []
    for i, month in enumerate(months):
        points = extra.get(month.first, {})
        rows.append(
            MembershipRow(
                month=month.first,
                paying=row[f"paying{i}"],
                in_trial=row[f"trial{i}"],
                trials_started=row[f"started{i}"],
                trials_paid=row[f"paid{i}"],
                ended_unrenewed=row[f"ended{i}"],
                fees_ore=fees.get(month.first, {}).get("ore") or 0,
                perks_ore=program.value_ore(points.get("points") or 0) + vouchers.get(month.first, 0),
            )
        )
    return rows


def _voucher_value_by_month(vouchers, start: datetime, end: datetime, plans: list[dict]) -> dict[date, int]:
    """The monthly vouchers used, at the value the plan that gives them puts on them."""
    used = (
        vouchers.filter(
            source=Voucher.Source.MEMBERSHIP, status=Voucher.Status.USED, used_at__gte=start, used_at__lt=end
        )
        .annotate(month=TruncMonth("used_at"))
        .values("month", "reward")
        .annotate(n=Count("pk"))
        .order_by()
    )
    value = {}
    for plan in plans:
        if plan["monthly_reward"] is not None:
            value.setdefault(plan["monthly_reward"], plan["kr"] * 100)
    per_month: dict[date, int] = {}
    for row in used:
        month = row["month"].date()
        per_month[month] = per_month.get(month, 0) + row["n"] * value.get(row["reward"], 0)
    return per_month
