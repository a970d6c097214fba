"""What the wallet tells the apps above it (referrals, campaigns). Sent after commit."""

from django.dispatch import Signal

# member_id, entry_id, amount_ore, location_id: a purchase was registered
purchase_recorded = Signal()
# member_id, entry_id (the reversal or refund entry, if any), reverses_id (the purchase's
# entry), remaining_ore (what is left of the purchase: 0 when undone or refunded in whole)
purchase_reversed = Signal()
# member_id, balance: the points balance changed
points_changed = Signal()
# member_id, voucher_id, location_id: a voucher was used at the counter
voucher_redeemed = Signal()
# member_id, voucher_id: a voucher was issued (a reward redeemed, a card completed, a gift)
voucher_issued = Signal()
# member_id, visit_id, location_id, staff_id: a member was identified at the till (a new
# visit; more scans within the same visit do not send it again)
visit_recorded = Signal()
# member_id, from_tier_id, to_tier_id, upgrade (bool), at: the wallet moved to another tier
# (the wallet keeps only its current tier; campaigns keeps the history for the upgrade rate)
tier_changed = Signal()
# member_id: stamps were added by hand at the till, or taken back (a purchase's stamps come
# with purchase_recorded)
stamps_changed = Signal()
