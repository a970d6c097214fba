"""The owner's settings that every wallet write and page reads: cached, dropped on change.

Program, tiers and stamp cards change a few times a year but are read on every purchase
and every wallet page. They are kept in Django's cache (shared through Redis in production,
so a change in admin is seen at once by every process; with the local-memory default
another process sees it within TTL seconds) and dropped whenever one of them is saved.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.core.cache import cache
from django.db.models.signals import post_delete, post_save

from rewards.models import PointsProgram, Reward, StampCard, Tier

KEY = "rewards:config:1"
TTL = 60


@dataclass(frozen=True)
class Config:
    program: PointsProgram
    tiers: list[Tier]  # by threshold, lowest first
    cards: list[StampCard]  # active stamp cards, with their reward

    @property
    def purchase_cards(self) -> list[StampCard]:
        return [card for card in self.cards if card.counts_purchases]


def config() -> Config:
    cached = cache.get(KEY)
    if cached is None:
        cached = Config(
            program=PointsProgram.load(),
            tiers=list(Tier.objects.order_by("threshold")),
            cards=list(StampCard.objects.filter(is_active=True).select_related("reward").order_by("name")),
        )
        cache.set(KEY, cached, TTL)
    return cached


def forget(**kwargs) -> None:
    cache.delete(KEY)


def connect() -> None:
    for model in (PointsProgram, Tier, StampCard, Reward):
        post_save.connect(forget, sender=model, dispatch_uid=f"rewards.config.{model.__name__}.save")
        post_delete.connect(forget, sender=model, dispatch_uid=f"rewards.config.{model.__name__}.delete")
