from referrals.models.program import ReferralProgram
from referrals.models.referral import Reason, Referral, ReferralCode, ReferralLinkOpen, ReferralPayout

__all__ = ["Reason", "Referral", "ReferralCode", "ReferralLinkOpen", "ReferralPayout", "ReferralProgram"]
