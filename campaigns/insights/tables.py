"""The dashboard's tables, each defined once: the page shows it and its CSV download writes it.

A table is its columns (the translated header, how to read the value from a row, its unit)
and a function that gives its rows from the `Dashboard`. The page (templates/campaigns/
_table.html) shows each value as its unit asks with the dashboard's filters; the CSV writes
it as a spreadsheet in the reader's language expects it: decimal comma and semicolons between
columns in Norwegian and Swedish, decimal point and commas in English; amounts in kroner with
two decimals, no thousands separators; months as 2025-03.

A column that only one of the two can hold says so: the CSV has no tooltips, so it writes the
definitions and units as columns; the page shows a change, which a spreadsheet can compute.
"""

from __future__ import annotations

import csv
import io
import itertools
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from operator import attrgetter
from typing import Any

from django.utils import formats
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from campaigns.insights.selectors import Dashboard
from campaigns.insights.selectors.figures import COUNT, KR, PERCENT, POINTS, Formula, Kpi, Section, Term

TEXT, MONTH = "", "month"  # units of the columns that hold no figure: a label, a month

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True)
class Help:
    """A definition shown on hover and focus (templates/campaigns/_help.html, id def-<key>)."""

    key: str
    definition: str | Promise


@dataclass(frozen=True)
class Column:
    header: str | Promise
    value: Callable[[Any], Any]
    # A function of the row when the rows mix units (the key figures, the formulas).
    unit: str | Callable[[Any], str] = TEXT
    page: bool = True  # shown in the page's table
    file: bool = True  # written to the CSV
    # How the page shows it; the CSV ignores these.
    change: bool = False  # a change with its sign (the `change` filter), not a `figure`
    help: Callable[[Any], Help] | None = None
    badge: Callable[[Any], str | Promise] | None = None  # a note beside the value
    bar: bool = False  # a bar under a percentage
    strong: bool = False
    css: str = ""  # classes of the header and the cells (hidden on narrow screens)

    def unit_of(self, row) -> str:
        return self.unit(row) if callable(self.unit) else self.unit

    @property
    def numeric(self) -> bool:
        """Figures align right; a unit given per row is always a figure's."""
        return self.unit not in (TEXT, MONTH)

    @property
    def header_classes(self) -> str:
        return " ".join(filter(None, ["text-end" if self.numeric else "", self.css]))

    @property
    def cell_classes(self) -> str:
        wrap = "text-end text-nowrap" if self.numeric else ("text-nowrap" if self.unit == MONTH else "")
        return " ".join(filter(None, [wrap, "fw-semibold" if self.strong else "", self.css]))


@dataclass(frozen=True)
class Cell:
    column: Column
    value: Any
    unit: str
    help: Help | None = None
    badge: str | Promise = ""


@dataclass(frozen=True)
class Row:
    head: Cell  # the page's row header (th scope="row")
    cells: list[Cell]


@dataclass(frozen=True)
class Group:
    head: Any  # what the rows are under: a Section, a Formula, or None
    title: str | Promise  # the heading row in the table, "" for none
    rows: list[Row]


@dataclass(frozen=True)
class Page:
    """A table as the page shows it: its page columns, its rows under their headings."""

    slug: str
    columns: list[Column]
    groups: list[Group]

    @property
    def apart(self) -> list[Page]:
        """One table per group, for a layout with a card per group (the formulas)."""
        return [Page(self.slug, self.columns, [group]) for group in self.groups]


@dataclass(frozen=True)
class Line:
    """A row under a heading: a key figure in its section, a formula or one of its terms."""

    group: Section | Formula
    item: Kpi | Formula | Term
    key: str  # names its definition on the page
    badge: str | Promise = ""


class Writer:
    def __init__(self):
        self.decimal = formats.get_format("DECIMAL_SEPARATOR")
        self.delimiter = ";" if self.decimal == "," else ","
        self.buffer = io.StringIO()
        self.csv = csv.writer(self.buffer, delimiter=self.delimiter)

    def value(self, value, unit: str = ""):
        if value is None:
            return ""
        if unit == MONTH:
            return value.strftime("%Y-%m")
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


@dataclass(frozen=True)
class Table:
    slug: str  # in the CSV's address and file name; Norwegian, like the club's other addresses
    columns: tuple[Column, ...]
    rows: Callable[[Dashboard], Iterable]
    # Rows that are Lines: the page keeps each group's rows together, in a table of their own
    # (the formulas' cards) or under a heading row when `heading` gives its text (key figures).
    grouped: bool = False
    heading: Callable[[Any], str | Promise] | None = None
    on_page: Callable[[Any], bool] = lambda row: True

    def write(self, data: Dashboard, out: Writer) -> None:
        columns = [c for c in self.columns if c.file]
        out.row([c.header for c in columns])
        for row in self.rows(data):
            out.row([c.value(row) for c in columns], [c.unit_of(row) for c in columns])

    def page(self, data: Dashboard) -> Page:
        columns = [c for c in self.columns if c.page]
        rows = list(self.rows(data))
        if not self.grouped:
            return Page(self.slug, columns, [Group(None, "", self._page_rows(columns, rows))])
        groups = []
        for _key, lines in itertools.groupby(rows, key=lambda line: id(line.group)):
            lines = list(lines)
            head = lines[0].group
            title = self.heading(head) if self.heading else ""
            groups.append(Group(head, title, self._page_rows(columns, lines)))
        return Page(self.slug, columns, groups)

    def _page_rows(self, columns: list[Column], rows: list) -> list[Row]:
        shown = []
        for row in filter(self.on_page, rows):
            cells = [
                Cell(
                    c,
                    c.value(row),
                    c.unit_of(row),
                    c.help(row) if c.help else None,
                    c.badge(row) if c.badge else "",
                )
                for c in columns
            ]
            shown.append(Row(cells[0], cells[1:]))
        return shown


# --- The key figures and the formulas: one row per figure or term, each with its own unit.


def _kpi_lines(data: Dashboard) -> Iterator[Line]:
    # With a shop chosen, the figures about its members say so: the others are what happened
    # at the shop.
    its_members = _("its members") if data.location else ""
    for section in data.sections:
        for kpi in section.rows:
            yield Line(section, kpi, kpi.key, its_members if kpi.of_members else "")


def _formula_lines(data: Dashboard) -> Iterator[Line]:
    for formula in data.formulas:
        yield Line(formula, formula, formula.key)
        for number, term in enumerate(formula.terms, start=1):
            yield Line(formula, term, f"{formula.key}-{number}")


def _definition(line: Line) -> str | Promise:
    return line.item.formula if isinstance(line.item, Formula) else line.item.definition


def _help(line: Line) -> Help:
    return Help(line.key, _definition(line))


def _unit(line: Line) -> str:
    return line.item.unit


def _unit_name(line: Line) -> str | Promise:
    units = {COUNT: _("number"), PERCENT: "%", KR: "kr", "number": "", POINTS: _("points")}
    return units.get(line.item.unit, "")


def _current(line: Line):
    return line.item.current


def _previous(line: Line):
    return line.item.previous


KPIS = Table(
    "nokkeltall",
    (
        Column(_("Section"), lambda line: line.group.title, page=False),
        Column(_("Figure"), lambda line: line.item.label, help=_help, badge=attrgetter("badge")),
        Column(_("This period"), _current, _unit, strong=True),
        Column(_("Previous period"), _previous, _unit),
        Column(
            # Not the language switcher's "Change" (nb "Bytt"): the change from the previous period.
            pgettext_lazy("change from the previous period", "Change"),
            lambda line: line.item.change,
            _unit,
            file=False,
            change=True,
            css="d-none d-sm-table-cell",
        ),
        Column(_("Unit"), _unit_name, page=False),
        Column(_("Definition"), _definition, page=False),
    ),
    _kpi_lines,
    grouped=True,
    heading=attrgetter("title"),
)

FORMULAS = Table(
    "formler",
    (
        Column(_("Figure"), lambda line: line.group.label, page=False),  # the card's title on the page
        Column(_("Term"), lambda line: "" if line.item is line.group else line.item.label, help=_help),
        Column(_("This period"), _current, _unit),
        Column(_("Previous period"), _previous, _unit),
        Column(_("Unit"), _unit_name, page=False),
        Column(_("Definition"), _definition, page=False),
    ),
    _formula_lines,
    grouped=True,
    # The formula's own result is the card's headline; its table lists the terms.
    on_page=lambda line: line.item is not line.group,
)

# --- The monthly tables and the shares: one row per month, segment or tier.

TREND = Table(
    "maneder",
    (
        Column(_("Month"), attrgetter("month"), MONTH),
        Column(_("Members"), attrgetter("members"), COUNT),
        Column(_("Active members (%)"), attrgetter("active_share"), PERCENT),
        Column(_("Points redeemed"), attrgetter("points_redeemed"), POINTS),
        Column(_("Vouchers used"), attrgetter("vouchers_used"), COUNT),
        Column(_("Points liability (kr)"), attrgetter("liability_ore"), KR),
    ),
    attrgetter("trend"),
)

BREAKAGE = Table(
    "svinn",
    (
        Column(_("Month"), attrgetter("month"), MONTH),
        Column(_("Points expired"), attrgetter("points_expired"), COUNT),
        Column(_("Points expired (kr)"), attrgetter("points_expired_ore"), KR),
        Column(_("Vouchers expired unused"), attrgetter("vouchers_expired"), COUNT),
        Column(_("Vouchers expired (kr)"), attrgetter("vouchers_expired_ore"), KR),
        Column(_("Breakage in all (kr)"), attrgetter("total_ore"), KR, strong=True),
    ),
    attrgetter("breakage"),
)

SEGMENTS = Table(
    "segmenter",
    (
        Column(_("Segment"), attrgetter("label")),
        Column(_("Members"), attrgetter("members"), COUNT),
        Column(_("Purchases (kr)"), attrgetter("spend_ore"), KR),
        Column(_("Share of purchases (%)"), attrgetter("share"), PERCENT, bar=True),
        Column(_("Average (kr)"), attrgetter("average_ore"), KR),
    ),
    attrgetter("segments"),
)

CHANNELS = Table(
    "innmelding",
    (
        Column(_("Sign-up channel"), attrgetter("label")),
        Column(_("New members"), attrgetter("members"), COUNT),
        Column(_("Share (%)"), attrgetter("share"), PERCENT, bar=True),
        Column(_("Previous period"), attrgetter("previous"), COUNT),
    ),
    attrgetter("channels"),
)

CAMPAIGNS = Table(
    "kampanjer",
    (
        Column(_("Campaign"), attrgetter("name")),
        Column(_("Sent"), attrgetter("sent"), COUNT),
        Column(_("Clicked"), attrgetter("clicked"), COUNT),
        Column(_("Offer used"), attrgetter("vouchers_used"), COUNT),
        Column(_("Bought afterwards"), attrgetter("buyers"), COUNT),
        Column(_("Their purchases (kr)"), attrgetter("revenue_ore"), KR),
        Column(_("Unsubscribed"), attrgetter("unsubscribed"), COUNT),
    ),
    attrgetter("campaigns"),
)

TIERS = Table(
    "nivaer",
    (
        Column(_("Tier"), attrgetter("name")),
        Column(_("Members"), attrgetter("members"), COUNT),
        Column(_("Share (%)"), attrgetter("share"), PERCENT),
    ),
    attrgetter("tiers"),
)

NPS = Table(
    "nps",
    (
        Column(_("Month"), attrgetter("month"), MONTH),
        Column(_("Surveys sent"), attrgetter("surveys"), COUNT),
        Column(_("Answers"), attrgetter("answers"), COUNT),
        Column(_("Response rate (%)"), attrgetter("response_rate"), PERCENT),
        Column(_("Promoters (9-10)"), attrgetter("promoters"), COUNT),
        Column(_("Passives (7-8)"), attrgetter("passives"), COUNT),
        Column(_("Detractors (0-6)"), attrgetter("detractors"), COUNT),
        Column(_("NPS"), attrgetter("score"), COUNT, strong=True),
        Column(_("Promoters invited to refer"), attrgetter("invited"), COUNT),
        Column(_("Of them referred a friend"), attrgetter("referred"), COUNT),
    ),
    attrgetter("nps"),
)

MEMBERSHIPS = Table(
    "medlemskap",
    (
        Column(_("Month"), attrgetter("month"), MONTH),
        Column(_("Paying members"), attrgetter("paying"), COUNT, strong=True),
        Column(_("In trial"), attrgetter("in_trial"), COUNT),
        Column(_("Trials begun"), attrgetter("trials_started"), COUNT),
        Column(_("Of them paid"), attrgetter("trials_paid"), COUNT),
        Column(_("Conversion from trial (%)"), attrgetter("conversion"), PERCENT),
        Column(_("Ran out unrenewed"), attrgetter("ended_unrenewed"), COUNT),
        Column(_("Fees (kr)"), attrgetter("fees_ore"), KR),
        Column(_("Perks given (kr)"), attrgetter("perks_ore"), KR),
    ),
    attrgetter("memberships"),
)

TABLES: dict[str, Table] = {
    t.slug: t
    for t in (KPIS, FORMULAS, TREND, BREAKAGE, SEGMENTS, CHANNELS, CAMPAIGNS, TIERS, NPS, MEMBERSHIPS)
}


def table_csv(data: Dashboard, name: str) -> str:
    out = Writer()
    TABLES[name].write(data, out)
    return out.text()


def pages(data: Dashboard) -> dict[str, Page]:
    """Every table as the page shows it, by its slug (templates/campaigns/_table.html)."""
    return {slug: table.page(data) for slug, table in TABLES.items()}
