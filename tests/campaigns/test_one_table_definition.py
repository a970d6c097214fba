"""Each of the dashboard's tables is defined once (campaigns/tables.py): the page's table and
its CSV download have the same header and the same rows, and a column added to the
definition shows up in both."""

from __future__ import annotations

import csv
import io
import re
from dataclasses import replace
from html.parser import HTMLParser

import pytest
from django.urls import reverse

from campaigns.insights import tables
from members import roles
from tests.campaigns.conftest import MARCH
from tests.factories import staff_user

pytestmark = pytest.mark.django_db

QUERY = {"start": MARCH.first.isoformat(), "end": MARCH.last.isoformat()}


class PageTables(HTMLParser):
    """The page's tables by their data-table name: the header and the body rows as a reader
    sees them, leaving out the tooltips' buttons, what only a screen reader hears, and the
    section headings; a month is read from its <time datetime>."""

    def __init__(self):
        super().__init__()
        self.found: dict[str, dict] = {}
        self.name = self.part = self.row = self.cell = None
        self.heading = False
        self.hidden = 0  # depth inside an element whose text is left out

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if self.hidden:
            self.hidden += 1
        elif tag == "table" and "data-table" in attrs:
            self.name = attrs["data-table"]
            self.found.setdefault(self.name, {"header": None, "rows": []})
        elif self.name is None:
            return
        elif tag in ("thead", "tbody"):
            self.part = tag
        elif tag == "tr":
            self.row, self.heading = [], False
        elif tag in ("th", "td"):
            self.cell = []
            self.heading |= attrs.get("scope") == "colgroup"
        elif self.cell is not None and (
            tag in ("button", "time") or "visually-hidden" in (attrs.get("class") or "")
        ):
            self.cell.append(attrs.get("datetime", ""))
            self.hidden = 1

    def handle_endtag(self, tag):
        if self.hidden:
            self.hidden -= 1
        elif self.name is None:
            return
        elif tag in ("th", "td"):
            self.row.append(_as_in_csv("".join(self.cell)))
            self.cell = None
        elif tag == "tr" and not self.heading:
            if self.part == "thead":
                self.found[self.name]["header"] = self.row
            else:
                self.found[self.name]["rows"].append(self.row)
        elif tag == "table":
            self.name = None

    def handle_data(self, data):
        if self.cell is not None and not self.hidden:
            self.cell.append(data)


def _as_in_csv(text: str) -> str:
    """A figure as the CSV writes it in Norwegian: "kr 1 400,00" is 1400,00, "20,0 %" is 20,0."""
    text = " ".join(text.split())
    if text == "—":
        return ""
    bare = re.sub(r"kr|%|\s", "", text.replace("−", "-"))
    return bare if re.fullmatch(r"-?\d+(,\d+)?", bare) else text


@pytest.fixture
def owner(client):
    client.force_login(staff_user(roles.OWNER))
    return client


def page_table(owner, name: str) -> tuple[list[str], list[list[str]]]:
    parser = PageTables()
    parser.feed(owner.get(reverse("campaigns:dashboard"), QUERY).content.decode())
    table = parser.found[name]
    return table["header"], table["rows"]


def csv_table(owner, name: str) -> tuple[list[str], list[list[str]]]:
    text = owner.get(reverse("campaigns:dashboard_csv", args=[name]), QUERY).content.decode("utf-8-sig")
    header, *rows = csv.reader(io.StringIO(text), delimiter=";")
    return header, rows


@pytest.mark.parametrize("name", ["maneder", "svinn", "segmenter", "nivaer"])
def test_the_page_shows_the_same_header_and_rows_as_the_csv_of_the_table(owner, club, name):
    page_header, page_rows = page_table(owner, name)
    file_header, file_rows = csv_table(owner, name)
    assert page_header == file_header
    assert page_rows == file_rows
    assert len(page_rows) >= 2  # the comparison is about figures, not two empty tables


@pytest.mark.parametrize("name", ["nokkeltall", "formler"])
def test_the_figures_and_terms_on_the_page_are_the_csvs_rows_in_the_columns_both_have(owner, club, name):
    page_header, page_rows = page_table(owner, name)
    file_header, file_rows = csv_table(owner, name)
    shared = [h for h in page_header if h in file_header]
    assert len(shared) >= 3  # the label, this period and the previous one
    label = file_header.index(shared[0])
    # A formula's own result is its card's headline; its table lists the terms under it.
    file_rows = [row for row in file_rows if row[label]]

    def columns(header, rows):
        return [[row[header.index(h)] for h in shared] for row in rows]

    assert columns(page_header, page_rows) == columns(file_header, file_rows)
    assert len(page_rows) >= 9


def test_a_column_added_to_a_tables_definition_shows_on_the_page_and_in_the_csv(owner, club, monkeypatch):
    tiers = tables.TABLES["nivaer"]
    twice = tables.Column("Dobbelt", lambda row: row.members * 2, tables.COUNT)
    monkeypatch.setitem(tables.TABLES, "nivaer", replace(tiers, columns=(*tiers.columns, twice)))
    page_header, page_rows = page_table(owner, "nivaer")
    file_header, file_rows = csv_table(owner, "nivaer")
    assert page_header[-1] == file_header[-1] == "Dobbelt"
    assert [row[-1] for row in page_rows] == [row[-1] for row in file_rows]
    assert [row[-1] for row in file_rows] == [str(int(row[1]) * 2) for row in file_rows]


def test_a_column_kept_out_of_the_csv_shows_only_on_the_page(owner, club, monkeypatch):
    tiers = tables.TABLES["nivaer"]
    page_only = tables.Column("Bare på siden", lambda row: row.members, tables.COUNT, file=False)
    monkeypatch.setitem(tables.TABLES, "nivaer", replace(tiers, columns=(*tiers.columns, page_only)))
    assert page_table(owner, "nivaer")[0][-1] == "Bare på siden"
    assert "Bare på siden" not in csv_table(owner, "nivaer")[0]
