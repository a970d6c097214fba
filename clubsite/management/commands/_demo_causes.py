"""The demo club's good cause (the local football club, 100 points = 10 kr, with a few gifts
already: Belønninger -> Gode saker, and the payout report per month) and its surprises (1 in
10 purchases wins a cinnamon bun, within 500 kr a month)."""

from __future__ import annotations

from members.models import Member
from rewards.models import Cause, Reward, SurpriseSettings, Wallet
from rewards.services.causes import points_donate


def load_cause_demo(kari: Member) -> None:
    cause = Cause.objects.create(
        name="Løkka IL – fotball for alle",
        description="Draktene og cupreisene til barnelagene: klubben betaler 10 kr per 100 poeng.",
        points=100,
        kr=10,
    )
    givers = (
        Wallet.objects.filter(balance__gte=300, member__erased_at=None)
        .exclude(member=kari)
        .order_by("pk")[:3]
    )
    for wallet in givers:
        points_donate(member=wallet.member, cause=cause, points=200, idempotency_key=f"demo:gift:{wallet.pk}")


def load_surprise_demo() -> None:
    settings = SurpriseSettings.load()
    settings.one_in, settings.value_kr, settings.budget_kr = 10, 35, 500
    settings.reward = Reward.objects.get(name="Kanelbolle")
    settings.save()
