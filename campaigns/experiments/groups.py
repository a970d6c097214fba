"""A campaign's (or a flow step's) groups: the holdout, and its variants with their shares.

Drawn per member by campaigns.experiments.assignment when the member's Message row is
written, and stored in `Message.group`, so that a share changed later, or a winner chosen,
moves only those who enter from then on.
"""

from __future__ import annotations

from campaigns.experiments.assignment import group_for
from campaigns.models import Campaign

HOLDOUT = "holdout"
Split = list[tuple[str, float]]  # (group, per cent), adding up to 100


def variants(campaign: Campaign) -> list[str]:
    """The variant letters the campaign has texts for, A first."""
    return sorted({content.variant for content in campaign.contents.all()}) or ["A"]


def variant_parts(campaign: Campaign, letters: list[str]) -> dict[str, float]:
    """Each variant's part of the members not held out, in per cent: its set share, or an
    equal part of what the set shares leave. Parts that do not add up to 100 (every share set,
    but to 90 in all) are scaled to do so; campaigns.services refuses shares over 100."""
    set_shares = {v.letter: v.share for v in campaign.variants.all() if v.share and v.letter in letters}
    unset = [letter for letter in letters if letter not in set_shares]
    left = max(100 - sum(set_shares.values()), 0)
    parts = {letter: float(set_shares.get(letter) or left / len(unset)) for letter in letters}
    total = sum(parts.values())
    return {letter: part * 100 / total for letter, part in parts.items()} if total else {}


def split(campaign: Campaign) -> Split:
    """The groups and their shares: the holdout, then the variants (the chosen winner alone
    once there is one; one variant: the group "" of everyone picked)."""
    rest = 100 - campaign.holdout_percent
    holdout = [(HOLDOUT, campaign.holdout_percent)] if campaign.holdout_percent else []
    letters = variants(campaign)
    if campaign.winner:
        return [*holdout, (campaign.winner, rest)]
    if len(letters) <= 1:
        return [*holdout, ("", rest)]
    parts = variant_parts(campaign, letters)
    named = [(letter, rest * part / 100) for letter, part in parts.items() if part > 0]
    return [*holdout, *named]


def group_of(member_id: int, campaign_id: int, groups: Split) -> str:
    return group_for(member_id, f"campaign:{campaign_id}", groups)
