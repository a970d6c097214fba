"""Bench data: members through the real join service, long histories written in bulk.

Writing 10,000 ledger rows through the services would take minutes, so `history_bulk`
writes them with bulk_create instead, keeping every invariant the services keep (and that
wallets_reconcile checks): balance == sum(points) == sum of unspent lots, spending takes
the oldest lots first and records it in LedgerAllocation, no lot has lapsed unexpired, and
every row has its own Operation.
"""

from __future__ import annotations

import random
import secrets
from collections import deque
from datetime import datetime, timedelta

from dateutil.relativedelta import relativedelta

from members.models import Member
from members.services import NUMBER_ALPHABET, member_join
from rewards.models import (
    LedgerAllocation,
    LedgerEntry,
    MemberStampCard,
    Operation,
    PointsProgram,
    Reward,
    StampCard,
    Tier,
    Voucher,
    Wallet,
)
from rewards.services import wallet_get_or_create
from rewards.services.tiers import REVIEW_AFTER, qualifying_months_rebuild, qualifying_total, tier_for

REWARD_POINTS = 1000  # what the history's redemptions cost ("1000 points = 100 kr")
HISTORY_DAYS = 350  # inside the 12 months of expiry, so no lot has lapsed unexpired


def members_join(prefix: str, count: int) -> list[Member]:
    """`count` members through members.services.member_join, each with a wallet row."""
    members = []
    for i in range(count):
        member = member_join(first_name=f"Bench {i}", email=f"{prefix}{i}@bench.example", welcome=False)
        wallet_get_or_create(member)
        members.append(member)
    return members


def club_configure() -> Reward:
    """A club as the wallet page expects one: tiers, a stamp card, a reward in the catalogue."""
    PointsProgram.load()
    for name, threshold in (("Sølv", 2_000), ("Gull", 10_000), ("Platina", 50_000)):
        Tier.objects.get_or_create(name=name, defaults={"threshold": threshold, "perks": f"{name}: perks"})
    reward, _created = Reward.objects.get_or_create(
        name="Gratis kaffe", defaults={"cost_points": REWARD_POINTS, "description": "En kopp kaffe"}
    )
    StampCard.objects.get_or_create(name="Kaffekort", defaults={"stamps_needed": 10, "reward": reward})
    return reward


def _plan(count: int, *, start: datetime, end: datetime, rng: random.Random):
    """The history in memory: rows (dicts) and allocations (entry index, lot index, points)."""
    step = (end - start) / count
    rows, allocations = [], []
    lots: deque[int] = deque()  # indices of rows with points still unspent, oldest first
    balance = 0
    for i in range(count):
        at = start + step * i
        if balance >= REWARD_POINTS and rng.random() < 0.25:
            rows.append({"kind": LedgerEntry.Kind.REDEEM, "points": -REWARD_POINTS, "at": at})
            left = REWARD_POINTS
            while left:  # oldest lots first, as core.post_debit does
                lot = rows[lots[0]]
                take = min(lot["remaining"], left)
                lot["remaining"] -= take
                allocations.append((i, lots[0], take))
                left -= take
                if not lot["remaining"]:
                    lots.popleft()
            balance -= REWARD_POINTS
        else:
            amount_ore = rng.randrange(2_000, 60_000)
            points = amount_ore // 100  # points_per_krone 1, no multiplier: as purchase_register
            rows.append(
                {
                    "kind": LedgerEntry.Kind.EARN,
                    "points": points,
                    "remaining": points,
                    "at": at,
                    "ore": amount_ore,
                }
            )
            lots.append(i)
            balance += points
    return rows, allocations, balance


def history_bulk(member: Member, count: int, *, now: datetime, reward: Reward, seed: int = 1) -> Wallet:
    """Give `member` `count` ledger rows over the last HISTORY_DAYS, in a handful of queries."""
    wallet = wallet_get_or_create(member)
    start = now - timedelta(days=HISTORY_DAYS)
    rows, allocations, balance = _plan(
        count, start=start, end=now - timedelta(hours=1), rng=random.Random(seed)
    )
    ops = Operation.objects.bulk_create(
        Operation(
            key=f"bulk:{wallet.pk}:{i}",
            kind="purchase" if row["points"] > 0 else "redeem",
            fingerprint="",
            wallet=wallet,
            created_at=row["at"],
        )
        for i, row in enumerate(rows)
    )
    entries = LedgerEntry.objects.bulk_create(
        [
            LedgerEntry(
                wallet=wallet,
                operation=op,
                kind=row["kind"],
                points=row["points"],
                remaining=row.get("remaining", 0),
                expires_at=row["at"] + relativedelta(months=12) if row["points"] > 0 else None,
                qualifying=row["points"] > 0,
                amount_ore=row.get("ore"),
                reason="" if row["points"] > 0 else reward.name,
                created_at=row["at"],
            )
            for op, row in zip(ops, rows, strict=True)
        ],
        batch_size=2_000,
    )
    LedgerAllocation.objects.bulk_create(
        [LedgerAllocation(entry=entries[e], lot=entries[lot], points=p) for e, lot, p in allocations],
        batch_size=2_000,
    )
    # The newest two redemptions still have their vouchers: the page shows them with a QR code.
    redeemed = [entries[i] for i, row in enumerate(rows) if row["points"] < 0][-2:]
    for entry in redeemed:
        Voucher.objects.create(
            wallet=wallet,
            reward=reward,
            code="".join(secrets.choice(NUMBER_ALPHABET) for _ in range(10)),
            source=Voucher.Source.REDEEM,
            redeem_entry=entry,
            issued_at=entry.created_at,
            expires_at=now + timedelta(days=20),
        )
    card = StampCard.objects.filter(is_active=True).first()
    if card:
        MemberStampCard.objects.get_or_create(
            wallet=wallet, card=card, defaults={"stamps": 4, "started_at": now - timedelta(days=3)}
        )
    # The monthly tier sums and the tier a member with this history would have reached.
    qualifying_months_rebuild(wallet=wallet)
    wallet.balance = balance
    wallet.tier = tier_for(qualifying_total(wallet, now=now), list(Tier.objects.order_by("threshold")))
    wallet.tier_review_at = (now + REVIEW_AFTER).date() if wallet.tier else None
    wallet.save(update_fields=["balance", "tier", "tier_review_at", "updated_at"])
    return wallet
