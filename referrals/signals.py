"""What the referrals app tells the apps above it (webhooks, campaigns). Sent after commit."""

from django.dispatch import Signal

# referral_id, referrer_id, friend_id: both sides of a referral were rewarded
referral_rewarded = Signal()
