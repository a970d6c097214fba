"""Where the apps above rewards add their part to the till's member panel (rewards imports
none of them; they register from their AppConfig.ready())."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from members.registry import Registry


@dataclass(frozen=True)
class PanelSection:
    """A section of the till's member panel. `context(member)` says what it shows (None:
    nothing, e.g. a programme switched off); `template` is included with the panel's own
    context and that, as `section`."""

    template: str
    context: Callable[[Any], Any]


counter_panel_sections: Registry = Registry()  # of PanelSection


def panel_sections(member) -> list[tuple[str, Any]]:
    """(template, its `section`) of every registered section that has something to show."""
    shown = []
    for section in counter_panel_sections:
        context = section.context(member)
        if context is not None:
            shown.append((section.template, context))
    return shown
