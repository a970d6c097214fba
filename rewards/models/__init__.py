from rewards.models.catalogue import PointsProgram, Reward, StampCard, Tier
from rewards.models.wallet import (
    LedgerAllocation,
    LedgerEntry,
    LedgerImmutable,
    MemberStampCard,
    Operation,
    QualifyingMonth,
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
    "QualifyingMonth",
    "Reward",
    "StampCard",
    "StampEntry",
    "Tier",
    "Voucher",
    "Wallet",
]
