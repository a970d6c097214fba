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


# --- Challenges and badges (rewards.selectors.achievements)

# What the apps above count towards a goal rewards cannot see itself: goal -> callables
# (member, since or None, until) -> int. The referrals app counts friends referred.
achievement_counts: dict[str, list[Callable[..., int]]] = {}


def achievement_count_register(goal: str, count: Callable[..., int]) -> None:
    achievement_counts.setdefault(goal, []).append(count)


@dataclass(frozen=True)
class Audience:
    """Groups of members a challenge may be restricted to, from an app above (campaigns'
    segments): `choices()` lists (key, label) for the owner; `contains(key, member)` says
    whether the member is in the group now (None: the key is not this audience's)."""

    choices: Callable[[], list[tuple[str, str]]]
    contains: Callable[[str, Any], bool | None]


class Audiences(Registry):
    def choices(self) -> list[tuple[str, str]]:
        return [choice for audience in self for choice in audience.choices()]

    def contains(self, key: str, member) -> bool:
        """Whether the member is in the group; a group nobody knows (deleted) holds nobody."""
        for audience in self:
            found = audience.contains(key, member)
            if found is not None:
                return found
        return False


audiences: Audiences = Audiences()


# --- The POS API's answer to a purchase (rewards.api)

# What the apps above add to the answer to a purchase the API has just registered (rewards
# cannot see them): callables (member, amount_ore, at) -> dict of answer fields. The
# referrals app says whether the purchase qualifies the member's referral.
purchase_answer_parts: Registry = Registry()
