"""Each goal's progress at the guides' milestones: two weeks, one, three and six months
after the start, and its deadline. The expected value at a milestone is the straight line
from the starting value to the target; a milestone that has passed is measured as it was
then, and the latest one measured gives the verdict: on track, or behind."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal

from dateutil.relativedelta import relativedelta
from django.db.models import Count, Q
from django.utils import timezone

from campaigns.insights.selectors import members
from campaigns.insights.selectors.figures import percent
from campaigns.insights.selectors.ledger import rolled_until
from campaigns.insights.selectors.period import local_midnight
from campaigns.models import ClubEconomics, Goal, NpsAnswer

NPS_DAYS = 90  # the answers an NPS at a moment is made of


@dataclass(frozen=True)
class Milestone:
    day: date
    expected: Decimal
    measured: Decimal | None  # None: not reached yet, or nothing to measure then
    on_track: bool | None


@dataclass(frozen=True)
class GoalProgress:
    goal: Goal
    milestones: list[Milestone]
    now: Decimal | None

    @property
    def verdict(self) -> bool | None:
        """On track (True) or behind (False) at the latest milestone measured; None before."""
        measured = [m for m in self.milestones if m.on_track is not None]
        return measured[-1].on_track if measured else None


def milestone_days(goal: Goal) -> list[date]:
    deadline = goal.starts_on + relativedelta(months=goal.months)
    steps = [timedelta(days=14), relativedelta(months=1), relativedelta(months=3), relativedelta(months=6)]
    days = sorted({goal.starts_on + step for step in steps if goal.starts_on + step < deadline} | {deadline})
    return days


def _nps(moments: list[datetime]) -> dict[datetime, Decimal | None]:
    aggregates = {}
    for i, moment in enumerate(moments):
        window = Q(answered_at__gte=moment - timedelta(days=NPS_DAYS), answered_at__lt=moment)
        aggregates[f"n{i}"] = Count("pk", filter=window)
        aggregates[f"p{i}"] = Count("pk", filter=window & Q(score__gte=9))
        aggregates[f"d{i}"] = Count("pk", filter=window & Q(score__lte=6))
    row = NpsAnswer.objects.aggregate(**aggregates)
    return {
        moment: (
            (Decimal(row[f"p{i}"] - row[f"d{i}"]) * 100 / row[f"n{i}"]).quantize(
                Decimal("0.1"), ROUND_HALF_UP
            )
            if row[f"n{i}"]
            else None
        )
        for i, moment in enumerate(moments)
    }


def measure_at(measure: str, moments: list[datetime]) -> dict[datetime, Decimal | None]:
    """The measure at each moment; one or two queries, however many moments."""
    if not moments:
        return {}
    if measure == Goal.Measure.NPS:
        return _nps(moments)
    counts, _joined = members.member_counts(moments, {})
    if measure == Goal.Measure.MEMBERS:
        return {moment: Decimal(counts[moment]) for moment in moments}
    window = timedelta(days=ClubEconomics.load().active_window_days)
    if measure == Goal.Measure.RETENTION:
        return _retention(moments, window)
    active, _churned = members.active_with_rollups(
        moments, window=window, churn={}, location_id=None, rolled_until=rolled_until()
    )
    return {moment: percent(active[moment], counts[moment]) for moment in moments}


def _retention(moments: list[datetime], window: timedelta) -> dict[datetime, Decimal | None]:
    """The dashboard's retention rate at each moment, over the active window before it: of the
    members active a window earlier, the share still active (100 - churn)."""
    pairs = {str(i): (moment - window, moment) for i, moment in enumerate(moments)}
    earlier = [start for start, _end in pairs.values()]
    active, churned = members.activity([*earlier, *moments], window=window, churn=pairs, location_id=None)
    return {
        moment: percent(active[start] - churned[str(i)], active[start])
        for i, (start, moment) in enumerate(pairs.values())
    }


def goal_progress(goal: Goal, now: datetime | None = None) -> GoalProgress:
    now = now or timezone.now()
    days = milestone_days(goal)
    total = (days[-1] - goal.starts_on).days
    passed = [local_midnight(day) for day in days if local_midnight(day) <= now]
    values = measure_at(goal.measure, [*passed, now])
    rising = goal.target > goal.baseline
    milestones = []
    for day in days:
        expected = (
            goal.baseline + (goal.target - goal.baseline) * Decimal((day - goal.starts_on).days) / total
        )
        measured = values.get(local_midnight(day))
        on_track = None if measured is None else (measured >= expected if rising else measured <= expected)
        milestones.append(
            Milestone(day, expected.quantize(Decimal("0.1"), ROUND_HALF_UP), measured, on_track)
        )
    return GoalProgress(goal, milestones, values.get(now))


def goals_progress(now: datetime | None = None) -> list[GoalProgress]:
    return [goal_progress(goal, now) for goal in Goal.objects.all()]
