"""A random club for the dashboard's property tests: members buying, redeeming, handing
back, getting refunds, grants and gifts, using vouchers at the till (and staff undoing
that) at random shops, through the wallet's services."""

from __future__ import annotations

import random
import uuid
from datetime import timedelta

from django.utils import timezone

from members import roles
from rewards import services
from rewards.errors import RewardsError
from rewards.models import LedgerEntry
from rewards.services.counter import counter_undo, counter_voucher, new_nonce
from rewards.services.visits import visit_record
from tests.factories import LocationFactory, MemberFactory, RewardFactory, TierFactory, staff_user


def key() -> str:
    return str(uuid.uuid4())


class RandomClub:
    """Members buying, redeeming, handing back, getting refunds and grants at random shops
    at random moments of the last fourteen months, through the wallet's services."""

    def __init__(self, rng: random.Random):
        self.rng = rng
        TierFactory(name="Sølv", threshold=2000)
        self.shops = [LocationFactory(name=f"Butikk {i}") for i in range(3)]
        self.reward = RewardFactory(name="Kaffe", cost_points=100, voucher_valid_days=20)
        self.gift = RewardFactory(name="Bolle", cost_points=None, voucher_valid_days=20)
        today = timezone.now()
        self.members = [
            MemberFactory(joined_at=today - timedelta(days=rng.randint(300, 450)))
            for _ in range(rng.randint(4, 8))
        ]
        self.purchases: list[LedgerEntry] = []
        self.staff = staff_user(roles.COUNTER_STAFF, *self.shops)

    def shop(self):
        return self.rng.choice([*self.shops, None])

    def events(self, start, end, count: int) -> None:
        """`count` events between `start` and `end`, in time order."""
        rng = self.rng
        span = (end - start).total_seconds()
        for moment in sorted(start + timedelta(seconds=rng.uniform(0, span)) for _ in range(count)):
            member, what = rng.choice(self.members), rng.random()
            try:
                if what < 0.5:
                    amount = rng.randint(1, 800) * 100
                    result = services.purchase_register(
                        member=member,
                        amount_ore=amount,
                        idempotency_key=key(),
                        location=self.shop(),
                        at=moment,
                    )
                    self.purchases.append(result.entry)
                elif what < 0.6 and self.purchases:
                    entry = self.purchases.pop(rng.randrange(len(self.purchases)))
                    if entry.created_at < moment:
                        services.entry_reverse(entry=entry, reason="refund", idempotency_key=key(), at=moment)
                elif what < 0.8:
                    voucher = services.reward_redeem(
                        member=member,
                        reward=self.reward,
                        idempotency_key=key(),
                        location=self.shop(),
                        at=moment,
                    ).voucher
                    then = rng.random()
                    if then < 0.3:
                        services.voucher_cancel(
                            voucher=voucher, member=member, idempotency_key=key(), at=moment
                        )
                    elif then < 0.6:
                        self.hand_over(member, voucher, moment)
                elif what < 0.85:
                    gift = services.voucher_gift(
                        member=member, reward=self.gift, idempotency_key=key(), at=moment
                    )
                    if rng.random() < 0.5:
                        self.hand_over(member, gift, moment)
                elif what < 0.92:
                    services.points_award(
                        member=member,
                        points=rng.randint(1, 300),
                        reason="bonus",
                        idempotency_key=key(),
                        at=moment,
                    )
                elif what < 0.96:
                    services.points_expire_due(now=moment)
                else:
                    visit_record(
                        member=member, location=self.rng.choice(self.shops), staff=self.staff, now=moment
                    )
            except RewardsError:
                pass  # not enough points for the reward, a reversal no longer possible: a till's "no"

    def hand_over(self, member, voucher, moment) -> None:
        """The voucher used at a shop's till up to three days later; now and then staff undo that a
        minute after (which may be past midnight: on the next day)."""
        shop, nonce = self.rng.choice(self.shops), new_nonce()
        used_at = min(moment + timedelta(minutes=self.rng.randint(1, 3 * 24 * 60)), timezone.now())
        counter_voucher(
            member=member, code=voucher.code, nonce=nonce, staff=self.staff, location=shop, at=used_at
        )
        if self.rng.random() < 0.4:
            undo_at = used_at + timedelta(minutes=1)
            counter_undo(member=member, nonce=new_nonce(), staff=self.staff, location=shop, at=undo_at)

    def late_sales(self, count: int) -> None:
        """Sales a till sends late, on days that already have entries (and may be rolled up)."""
        times = list(LedgerEntry.objects.values_list("created_at", flat=True))
        for moment in self.rng.sample(times, min(count, len(times))):
            services.purchase_register(
                member=self.rng.choice(self.members),
                amount_ore=self.rng.randint(1, 500) * 100,
                idempotency_key=key(),
                location=self.shop(),
                at=moment + timedelta(minutes=1),
            )
