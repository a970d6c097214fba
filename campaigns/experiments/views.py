"""An experiment's result as the campaign page shows it: each group named, each lift in
percentage points (campaigns/templates ... admin/campaigns/campaign/_experiment.html)."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils import formats, timezone
from django.utils.translation import gettext as _

from campaigns.experiments.results import HOLDOUT, ExperimentResult, Group, ProgrammeResult
from campaigns.experiments.stats import Interval


def group_name(name: str) -> str:
    if name == HOLDOUT:
        return _("Holdout")
    if name == "":
        return _("Picked to get it")
    return _("Variant %(letter)s") % {"letter": name}


@dataclass(frozen=True)
class Line:
    title: str
    conversion_points: Interval | None  # the lift in buying, in percentage points
    revenue_per_member_ore: Interval | None


@dataclass(frozen=True)
class ExperimentView:
    rows: list[tuple[str, Group]]
    lines: list[Line]
    window_days: int
    winner: str | None = None  # the variant that clearly did best; None while it could be chance
    compares_variants: bool = False


def experiment_view(result: ExperimentResult | None) -> ExperimentView | None:
    if result is None:
        return None
    rows = [(group_name(name), group) for name, group in result.groups.items()]
    lines = [
        Line(
            _("%(group)s against %(other)s") % {"group": group_name(c.group), "other": group_name(c.against)},
            c.conversion.scaled(100) if c.conversion else None,
            c.revenue_per_member_ore,
        )
        for c in result.comparisons
    ]
    variants = [name for name in result.groups if name not in ("", HOLDOUT)]
    return ExperimentView(rows, lines, result.window_days, result.winner, len(variants) > 1)


def programme_view(result: ProgrammeResult | None) -> ExperimentView | None:
    """The standing holdout's comparison, shown as a campaign's experiment is."""
    if result is None:
        return None
    rows = [
        (_("Got the club's messages"), result.groups[""]),
        (_("Standing holdout"), result.groups[HOLDOUT]),
    ]
    c = result.comparison
    line = Line(
        _("Since %(start)s") % {"start": formats.date_format(timezone.localtime(result.start), "j. F Y")},
        c.conversion.scaled(100) if c.conversion else None,
        c.revenue_per_member_ore,
    )
    return ExperimentView(rows, [line], 0)
