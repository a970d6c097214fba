"""The demo club's partner (the florist next door: a reward for points used there, PIN 2468,
one voucher used already), its good cause (the local football club, 100 points = 10 kr, with a few gifts
already: Belønninger -> Gode saker, and the payout report per month) and its surprises (1 in
10 purchases wins a cinnamon bun, within 500 kr a month)."""

from __future__ import annotations

from members.models import Member
from rewards.models import Cause, Partner, Reward, SurpriseSettings, Wallet
from rewards.services.causes import points_donate
from rewards.services.partners import partner_pin_set, partner_voucher_use
from rewards.services.vouchers import voucher_gift


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


PARTNER_PIN = "2468"  # printed in the demo's banner


def load_partner_demo(kari: Member) -> None:
    florist = Partner.objects.create(
        name="Blomsterhjørnet", slug="blomsterhjornet", offer="20 prosent på en bukett", value_kr=30
    )
    partner_pin_set(partner=florist, pin=PARTNER_PIN)
    bouquet = Reward.objects.create(
        name="20 % på en bukett hos Blomsterhjørnet",
        description="Naboen vår på hjørnet: vis koden i blomsterbutikken.",
        cost_points=400,
        partner=florist,
    )
    used = voucher_gift(member=kari, reward=bouquet, idempotency_key="demo:partner:kari:1")
    partner_voucher_use(partner=florist, code=used.code, idempotency_key="demo:partner:use:1")
    voucher_gift(member=kari, reward=bouquet, idempotency_key="demo:partner:kari:2")  # one to use in the demo
