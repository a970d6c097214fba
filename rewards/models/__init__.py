from rewards.models.catalogue import PointsProgram, Reward, StampCard, Tier
from rewards.models.wallet import (
    LedgerAllocation,
    LedgerEntry,
    LedgerImmutable,
    MemberStampCard,
    Operation,
    StampEntry,
    Voucher,
    Wallet,
)

__all__ = [
    "LedgerAllocation",
    "LedgerEntry",
    "LedgerImmutable",
    "MemberStampCard",
    "Operation",
    "PointsProgram",
    "Reward",
    "StampCard",
    "StampEntry",
    "Tier",
    "Voucher",
    "Wallet",
]
