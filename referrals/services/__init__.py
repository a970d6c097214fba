"""Every write about referrals. Views, admin actions, receivers, tasks and the demo call these.

Each public function is atomic and raises referrals.errors.ReferralsError with a stable code
when it refuses; rewards are paid through the wallet's services (rewards.services).
"""

from referrals.services.attribution import referral_attribute, refusal_error
from referrals.services.codes import (
    code_normalize,
    fingerprint,
    link_open_record,
    program_active,
    referral_code_find,
    referral_code_get_or_create,
    referral_code_lookup,
)
from referrals.services.payouts import (
    referral_approve,
    referral_pay,
    referral_qualify,
    referral_refund,
    referral_reject,
    referrals_pay_due,
)

__all__ = [
    "code_normalize",
    "fingerprint",
    "link_open_record",
    "program_active",
    "referral_approve",
    "referral_attribute",
    "referral_code_find",
    "referral_code_get_or_create",
    "referral_code_lookup",
    "referral_pay",
    "referral_qualify",
    "referral_refund",
    "referral_reject",
    "referrals_pay_due",
    "refusal_error",
]
