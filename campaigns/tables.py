"""The dashboard's tables as rows of plain values, for the CSV downloads.

Numbers are written as a spreadsheet in the reader's language expects them: decimal comma
and semicolons between columns in Norwegian and Swedish, decimal point and commas in
English; amounts in kroner with two decimals, no thousands separators.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from decimal import Decimal

from django.utils import formats
from django.utils.translation import gettext as _

from campaigns.selectors import Dashboard
from campaigns.selectors.figures import KR

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _month(day) -> str:
    return day.strftime("%Y-%m")


class Writer:
    def __init__(self):
        self.decimal = formats.get_format("DECIMAL_SEPARATOR")
        self.delimiter = ";" if self.decimal == "," else ","
        self.buffer = io.StringIO()
        self.csv = csv.writer(self.buffer, delimiter=self.delimiter)

    def value(self, value, unit: str = ""):
        if value is None:
            return ""
        if unit == KR:
            value = (Decimal(value) / 100).quantize(Decimal("0.01"))
        if isinstance(value, Decimal):
            return str(value).replace(".", self.decimal)
        value = str(value) if not isinstance(value, int) else value
        if isinstance(value, str) and value[:1] in FORMULA_STARTS:
            value = "'" + value  # a tier named "=..." must not run as a formula in a spreadsheet
        return value

    def row(self, values: list, units: list[str] | None = None) -> None:
        units = units or [""] * len(values)
        self.csv.writerow([self.value(v, u) for v, u in zip(values, units, strict=True)])

    def text(self) -> str:
        return self.buffer.getvalue()


def kpis(data: Dashboard, out: Writer) -> None:
    out.row([_("Section"), _("Figure"), _("This period"), _("Previous period"), _("Unit"), _("Definition")])
    for section in data.sections:
        for kpi in section.rows:
            out.row(
                [section.title, kpi.label, kpi.current, kpi.previous, _unit(kpi.unit), kpi.definition],
                ["", "", kpi.unit, kpi.unit, "", ""],
            )


def formulas(data: Dashboard, out: Writer) -> None:
    out.row([_("Figure"), _("Term"), _("This period"), _("Previous period"), _("Unit"), _("Definition")])
    for formula in data.formulas:
        out.row(
            [formula.label, "", formula.current, formula.previous, _unit(formula.unit), formula.formula],
            ["", "", formula.unit, formula.unit, "", ""],
        )
        for term in formula.terms:
            out.row(
                [formula.label, term.label, term.current, term.previous, _unit(term.unit), term.definition],
                ["", "", term.unit, term.unit, "", ""],
            )


def trend(data: Dashboard, out: Writer) -> None:
    out.row(
        [
            _("Month"),
            _("Members"),
            _("Active members (%)"),
            _("Points redeemed"),
            _("Vouchers used"),
            _("Points liability (kr)"),
        ]
    )
    for row in data.trend:
        out.row(
            [
                _month(row.month),
                row.members,
                row.active_share,
                row.points_redeemed,
                row.vouchers_used,
                row.liability_ore,
            ],
            ["", "", "", "", "", KR],
        )


def breakage(data: Dashboard, out: Writer) -> None:
    out.row(
        [
            _("Month"),
            _("Points expired"),
            _("Points expired (kr)"),
            _("Vouchers expired unused"),
            _("Vouchers expired (kr)"),
            _("Breakage in all (kr)"),
        ]
    )
    for row in data.breakage:
        out.row(
            [
                _month(row.month),
                row.points_expired,
                row.points_expired_ore,
                row.vouchers_expired,
                row.vouchers_expired_ore,
                row.total_ore,
            ],
            ["", "", KR, "", KR, KR],
        )


def segments(data: Dashboard, out: Writer) -> None:
    out.row([_("Segment"), _("Members"), _("Purchases (kr)"), _("Share of purchases (%)"), _("Average (kr)")])
    for row in data.segments:
        out.row([row.label, row.members, row.spend_ore, row.share, row.average_ore], ["", "", KR, "", KR])


def tiers(data: Dashboard, out: Writer) -> None:
    out.row([_("Tier"), _("Members"), _("Share (%)")])
    for row in data.tiers:
        out.row([row.name, row.members, row.share])


# URL slug -> what it writes. The slugs are Norwegian, like the club's other addresses.
TABLES: dict[str, Callable[[Dashboard, Writer], None]] = {
    "nokkeltall": kpis,
    "formler": formulas,
    "maneder": trend,
    "svinn": breakage,
    "segmenter": segments,
    "nivaer": tiers,
}


def _unit(unit: str) -> str:
    return {"count": _("number"), "percent": "%", "kr": "kr", "number": "", "points": _("points")}.get(
        unit, ""
    )


def table_csv(data: Dashboard, name: str) -> str:
    out = Writer()
    TABLES[name](data, out)
    return out.text()
