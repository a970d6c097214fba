"""The owner's settings that every wallet write and page reads: cached, dropped on change.

Program, tiers and stamp cards change a few times a year but are read on every purchase
and every wallet page. They are kept in Django's cache (shared through Redis in production;
with the local-memory default another process sees a change within TTL seconds) and
dropped whenever one of them is saved. On top, each process keeps what it read for
LOCAL_SECONDS: reading the shared cache on every purchase cost a round trip and an unpickle,
more than the rest of the settings' work, and an offer changed in admin may well take a
few seconds to reach the tills.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from django.core.cache import cache
from django.db.models.signals import post_delete, post_save

from rewards.models import (
    Badge,
    BadgeLevel,
    Challenge,
    Plan,
    PointsProgram,
    Reward,
    StampCard,
    SurpriseSettings,
    Tier,
)

KEY = "rewards:config:1"
TTL = 60
LOCAL_SECONDS = 5

_local: tuple[float, Config] | None = None  # (read at, settings) of this process


@dataclass(frozen=True)
class Config:
    program: PointsProgram
    tiers: list[Tier]  # by threshold, lowest first
    cards: list[StampCard]  # active stamp cards, with their reward
    rewards: list[Reward]  # the active catalogue, cheapest first (the till's "within reach")
    plans: list[Plan]  # the paid memberships on sale, cheapest first (the till sells them)
    surprises: SurpriseSettings  # read on every purchase: is there a draw to queue?
    achievements: bool  # is there a challenge or badge to evaluate after a visit or purchase?

    @property
    def base_tier(self) -> Tier | None:
        """The tier every member is in from joining: the lowest, if it starts at 0."""
        return self.tiers[0] if self.tiers and self.tiers[0].threshold <= 0 else None


def config() -> Config:
    global _local
    now = time.monotonic()
    if _local is not None and now - _local[0] < LOCAL_SECONDS:
        return _local[1]
    cached = cache.get(KEY)
    if cached is None:
        cached = Config(
            program=PointsProgram.load(),
            tiers=list(Tier.objects.order_by("threshold")),
            cards=list(StampCard.objects.filter(is_active=True).select_related("reward").order_by("name")),
            rewards=list(Reward.objects.filter(is_active=True).order_by("cost_points", "pk")),
            plans=list(Plan.objects.filter(is_active=True).order_by("price_kr", "pk")),
            surprises=SurpriseSettings.load(),
            achievements=Challenge.objects.filter(is_active=True).exists()
            or BadgeLevel.objects.filter(badge__is_active=True).exists(),
        )
        cache.set(KEY, cached, TTL)
    _local = (now, cached)  # one assignment: a thread reading it sees the old or the new pair
    return cached


def forget(**kwargs) -> None:
    """Drop the cached settings: on every save of one of them, and after a reward's stock
    moved (a queryset update, which sends no signal)."""
    global _local
    _local = None
    cache.delete(KEY)


def connect() -> None:
    for model in (
        PointsProgram,
        Tier,
        StampCard,
        Reward,
        Plan,
        SurpriseSettings,
        Challenge,
        Badge,
        BadgeLevel,
    ):
        post_save.connect(forget, sender=model, dispatch_uid=f"rewards.config.{model.__name__}.save")
        post_delete.connect(forget, sender=model, dispatch_uid=f"rewards.config.{model.__name__}.delete")
