"""Every write to the wallet. Views, admin, tasks, commands and the counter call these.

Each public function is atomic, locks the member's wallet row, takes an idempotency key,
and raises rewards.errors.RewardsError with a stable code when it refuses.
"""

from rewards.services.core import WalletResult, wallet_get_or_create
from rewards.services.points import (
    bonus_birthdays_due,
    bonus_profile_award,
    entry_reverse,
    points_award,
    points_deduct,
    points_expire_due,
    purchase_register,
)
from rewards.services.reconcile import wallets_reconcile
from rewards.services.stamps import stamp_entry_reverse, stamps_add
from rewards.services.tiers import tier_progress, tier_review_due
from rewards.services.vouchers import (
    reward_availability,
    reward_redeem,
    voucher_cancel,
    voucher_gift,
    voucher_use,
    voucher_withdraw,
)

__all__ = [
    "WalletResult",
    "bonus_birthdays_due",
    "bonus_profile_award",
    "entry_reverse",
    "points_award",
    "points_deduct",
    "points_expire_due",
    "purchase_register",
    "reward_availability",
    "reward_redeem",
    "stamp_entry_reverse",
    "stamps_add",
    "tier_progress",
    "tier_review_due",
    "voucher_cancel",
    "voucher_gift",
    "voucher_use",
    "voucher_withdraw",
    "wallet_get_or_create",
    "wallets_reconcile",
]
