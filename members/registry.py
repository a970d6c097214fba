"""Where the apps above members plug their parts into what members gathers about a member.

members imports no other app, yet the owner's member page shows the wallet and the
referrals, the import reads an opening points balance, the member list has the points,
and the retention sweep must know when a member last came by. Each app registers its part
here from its AppConfig.ready() (as pretix's apps answer its data exporter and shredder
signals); members calls what is registered, in order. The GDPR export and erasure are
signals of their own (members.signals), answered the same way.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db.models import Expression, OuterRef


@dataclass(frozen=True)
class MemberPanel:
    """A panel on the owner's member page in admin: `render(member)` returns its HTML (keep
    it to a fixed number of queries, however long the member's history)."""

    key: str
    title: str
    render: Callable[[Any], str]
    order: int = 50


@dataclass(frozen=True)
class MemberColumn:
    """A column of the owner's member list and of its export: `attribute` is read from each
    member (a path like "wallet__balance"; `default` when a part is missing), with
    `select_related` joined into the list's one query; `ordering` sorts the list by it."""

    name: str
    label: str
    attribute: str
    select_related: str
    ordering: str
    default: Any = None

    def value(self, member) -> Any:
        for part in self.attribute.split("__"):
            member = getattr(member, part, None)
            if member is None:
                return self.default
        return member


@dataclass(frozen=True)
class ImportColumn:
    """A column of the member import that another app reads and applies.

    - `parse(text)`: the cell (stripped, not empty) → a value; raises ValueError with the
      message for the row when the cell is wrong.
    - `applied(member, value)`: whether it was applied to this existing member before (an
      import run again); raises ValueError when that earlier value clashes with this one.
    - `apply(member=, value=, staff=)`: apply it, once the row's member exists.
    - `note(value, applied)`: what the dry run says of it.
    """

    name: str
    aliases: tuple[str, ...]
    parse: Callable[[str], Any]
    applied: Callable[[Any, Any], bool]
    apply: Callable[..., None]
    note: Callable[[Any, bool], str]


# The latest time something of the member's own doing happened in an app: `since(member)`
# gets OuterRef("pk") of a Member queryset and returns a subquery expression (or NULL).
Activity = Callable[[OuterRef], Expression]


class Registry(list):
    def register(self, item):
        self.append(item)
        return item


member_panels: Registry = Registry()  # of MemberPanel
member_columns: Registry = Registry()  # of MemberColumn
member_import_columns: Registry = Registry()  # of ImportColumn
member_activity: Registry = Registry()  # of Activity
# What a new member gets, in words, for the home, join and welcome pages and the welcome
# message: callables () -> str ("" for nothing), so that the pages say what the settings give.
welcome_offers: Registry = Registry()
# A first thing to do, shown on the card page: callables (member) -> str ("" for nothing).
card_missions: Registry = Registry()
# Something waiting for the member, linked from the card page (a survey to answer):
# callables (member) -> (text, url) or None.
card_links: Registry = Registry()
# A section of the card page from another app (challenges with their progress): callables
# (member) -> rendered HTML ("" for nothing).
card_sections: Registry = Registry()
# Rules of the other apps that the terms page must publish (the odds of a surprise):
# callables () -> str ("" for nothing).
terms_lines: Registry = Registry()


def welcome_offer_lines() -> list[str]:
    return [text for describe in welcome_offers if (text := describe())]


def terms_line_items() -> list[str]:
    return [text for describe in terms_lines if (text := describe())]


def card_mission_lines(member) -> list[str]:
    return [text for mission in card_missions if (text := mission(member))]


def card_section_html(member) -> list[str]:
    return [html for section in card_sections if (html := section(member))]


def card_link_items(member) -> list[tuple[str, str]]:
    return [item for link in card_links if (item := link(member))]


def panels() -> list[MemberPanel]:
    return sorted(member_panels, key=lambda panel: panel.order)


PANEL_ROWS = 20  # rows per panel: the member page stays fast however long a history is


def panel_rows(queryset) -> tuple[list, int]:
    """A panel's rows (the first PANEL_ROWS of `queryset`) and how many there are in all:
    counted only when the panel is full (one query, two for a long history)."""
    rows = list(queryset[:PANEL_ROWS])
    return rows, queryset.count() if len(rows) == PANEL_ROWS else len(rows)
