from rewards.models.catalogue import PointsProgram, Reward, StampCard, Tier
from rewards.models.causes import Cause, Donation
from rewards.models.counter import CounterAction, CounterFlag, ScanRefusal, Visit
from rewards.models.feedback import Poll, PollAnswer, Review
from rewards.models.membership import Membership, MembershipPayment, Plan
from rewards.models.partners import Partner, PartnerRedemption
from rewards.models.programme import ProgrammeChange
from rewards.models.refunds import Refund
from rewards.models.surprise import SurpriseDraw, SurpriseMonth, SurpriseSettings
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
from rewards.models.welcome import WelcomeClaim

__all__ = [
    "Cause",
    "CounterAction",
    "CounterFlag",
    "Donation",
    "LedgerAllocation",
    "LedgerEntry",
    "LedgerImmutable",
    "MemberStampCard",
    "Membership",
    "MembershipPayment",
    "Operation",
    "Partner",
    "PartnerRedemption",
    "Plan",
    "PointsProgram",
    "Poll",
    "PollAnswer",
    "ProgrammeChange",
    "QualifyingMonth",
    "Refund",
    "Review",
    "Reward",
    "ScanRefusal",
    "StampCard",
    "StampEntry",
    "SurpriseDraw",
    "SurpriseMonth",
    "SurpriseSettings",
    "Tier",
    "Visit",
    "Voucher",
    "Wallet",
    "WelcomeClaim",
]
