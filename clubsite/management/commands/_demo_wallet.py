"""The demo club's wallet: program, tiers, rewards, stamp cards and months of history.

All history goes through the wallet services with `at=` in the past, so it obeys the same
rules (lots, expiry, tiers, vouchers) as the real thing.
"""

import random
from datetime import timedelta
from decimal import Decimal

from django.utils import timezone

from members.models import Location, Member, User
from rewards import services
from rewards.errors import RewardsError
from rewards.models import MemberStampCard, PointsProgram, Reward, StampCard, Tier


def load_wallet_demo(rng: random.Random, staff: list[User], kari: Member) -> None:
    program = PointsProgram.load()
    program.points_per_krone = Decimal("1.00")
    program.redeem_points, program.redeem_value_kr = 1000, 100
    program.welcome_bonus, program.profile_bonus, program.birthday_bonus = 50, 100, 200
    program.expiry_months = 12
    program.earn_mode = PointsProgram.EarnMode.BOTH
    program.save()

    Tier.objects.create(name="Bronse", threshold=0, perks="Medlemspriser og bursdagsoverraskelse.")
    silver = Tier.objects.create(
        name="Sølv",
        threshold=2000,
        multiplier=Decimal("1.25"),
        perks="25 % ekstra poeng og tidlig helgebakst.",
    )
    Tier.objects.create(
        name="Gull",
        threshold=5000,
        multiplier=Decimal("1.50"),
        perks="50 % ekstra poeng og gratis kaffe hver fredag.",
    )

    coffee = Reward.objects.create(
        name="Gratis kaffe", description="En kopp kaffe eller te.", cost_points=150
    )
    program.welcome_reward = coffee  # the welcome gift: 50 points and a free coffee
    program.save(update_fields=["welcome_reward"])
    Reward.objects.create(name="Kanelbolle", description="Nybakt, med kardemomme.", cost_points=100)
    Reward.objects.create(name="Surdeigsbrød", description="Dagens surdeigsbrød.", cost_points=400)
    Reward.objects.create(
        name="Helgebakst-boks",
        description="Seks utvalgte helgebakverk, hentes lørdag.",
        cost_points=1500,
        stock=10,
        per_member_limit=1,
        min_tier=silver,
    )
    bread = Reward.objects.create(name="Gratis brød", description="Valgfritt brød fra disken.")
    coffee_card = StampCard.objects.create(
        name="Kaffekort",
        stamps_needed=10,
        reward=coffee,
        max_stamps_per_visit=2,
        counts_purchases=True,
        category="kaffe",  # the demo register's receipts: a stamp per coffee, two at most
    )
    bread_card = StampCard.objects.create(
        name="Brødkort", stamps_needed=10, reward=bread, max_stamps_per_visit=3
    )

    locations = list(Location.objects.all())
    now = timezone.now()
    for member in Member.objects.select_related("user"):
        days = max((now - member.joined_at).days, 1)
        # About one in three older members stopped coming a month or two ago: the customers a
        # win-back campaign is for (their own generator, so the others' history stays as it was).
        lapse = random.Random(member.pk)
        if member != kari and days > 60 and lapse.random() < 0.35:
            days -= lapse.randrange(31, 60)
        visits = rng.randrange(3, 25) if member != kari else 40
        for i, at in enumerate(
            sorted(member.joined_at + timedelta(days=rng.uniform(0, days)) for _ in range(visits))
        ):
            key = f"demo:{member.pk}:{i}"
            location = rng.choice(locations)
            till = rng.choice([s for s in staff if location in s.locations.all()] or staff)
            amount = rng.choice([4500, 6900, 8900, 12500, 18900, 24900, 39900, 45000])
            result = services.purchase_register(
                member=member, amount_ore=amount, idempotency_key=key, location=location, staff=till, at=at
            )
            if rng.random() < 0.3:
                services.stamps_add(
                    member=member,
                    card=bread_card,
                    stamps=rng.randrange(1, 4),
                    idempotency_key=f"{key}:bread",
                    location=location,
                    staff=till,
                    at=at,
                )
            if rng.random() < 0.05 and result.entry:
                services.entry_reverse(
                    entry=result.entry,
                    reason="Feilslått beløp",
                    idempotency_key=f"{key}:undo",
                    staff=till,
                    at=at,
                )
            if result.balance >= 400 and rng.random() < 0.25:
                reward = rng.choice([coffee, Reward.objects.get(name="Kanelbolle")])
                try:
                    redeemed = services.reward_redeem(
                        member=member, reward=reward, idempotency_key=f"{key}:r", at=at
                    )
                except RewardsError:
                    continue
                if rng.random() < 0.7 and at + timedelta(days=3) < now:
                    services.voucher_use(
                        code=redeemed.voucher.code,
                        idempotency_key=f"{key}:use",
                        location=location,
                        staff=till,
                        at=at + timedelta(days=rng.randrange(0, 3)),
                    )
    _kari_extras(kari, coffee, coffee_card, locations[0], staff[0], now)
    services.points_expire_due()


def _kari_extras(kari, coffee, coffee_card, location, till, now):
    """Kari shows everything: points about to expire, a nearly full card, an open voucher."""
    services.purchase_register(
        member=kari,
        amount_ore=31_000,
        idempotency_key="demo:kari:old",
        location=location,
        staff=till,
        at=now - timedelta(days=350),
    )
    progress = MemberStampCard.objects.filter(wallet__member=kari, card=coffee_card).first()
    missing = coffee_card.stamps_needed - 1 - (progress.stamps if progress else 0)
    for i in range(missing // 2):
        services.stamps_add(
            member=kari, card=coffee_card, stamps=2, idempotency_key=f"demo:kari:stamp:{i}", location=location
        )
    services.points_award(
        member=kari, points=200, reason="Takk for tålmodigheten!", idempotency_key="demo:kari:gift"
    )
    services.reward_redeem(member=kari, reward=coffee, idempotency_key="demo:kari:voucher")
