from rewards.models.api import ApiCall, ApiRequest, PosKey, Scope
from rewards.models.catalogue import PointsProgram, Reward, StampCard, Tier
from rewards.models.causes import Cause, Donation
from rewards.models.challenges import Badge, BadgeAward, BadgeLevel, Challenge, ChallengeCompletion
from rewards.models.counter import CounterAction, CounterFlag, ScanRefusal, Visit
from rewards.models.feedback import Poll, PollAnswer, Review
from rewards.models.membership import Membership, MembershipPayment, Plan
from rewards.models.partners import Partner, PartnerRedemption
from rewards.models.programme import ProgrammeChange
from rewards.models.refunds import Refund
from rewards.models.surprise import SurpriseDraw, SurpriseMonth, SurpriseSettings
from rewards.models.voucher_uses import VoucherUse
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
    "ApiCall",
    "ApiRequest",
    "Badge",
    "BadgeAward",
    "BadgeLevel",
    "Cause",
    "Challenge",
    "ChallengeCompletion",
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
    "PosKey",
    "ProgrammeChange",
    "QualifyingMonth",
    "Refund",
    "Review",
    "Reward",
    "ScanRefusal",
    "Scope",
    "StampCard",
    "StampEntry",
    "SurpriseDraw",
    "SurpriseMonth",
    "SurpriseSettings",
    "Tier",
    "Visit",
    "Voucher",
    "VoucherUse",
    "Wallet",
    "WelcomeClaim",
]
