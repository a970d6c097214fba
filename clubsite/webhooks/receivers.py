"""Which signal makes which event; connected in ClubsiteConfig.ready()."""

from clubsite.webhooks import events
from clubsite.webhooks.services import member_scrub
from members import signals as member_signals
from referrals import signals as referral_signals
from rewards import signals as wallet_signals

HEARD = [
    (member_signals.member_joined, events.on_member_joined),
    (wallet_signals.purchase_recorded, events.on_purchase_recorded),
    (wallet_signals.purchase_reversed, events.on_purchase_reversed),
    (wallet_signals.voucher_issued, events.on_voucher_issued),
    (wallet_signals.voucher_redeemed, events.on_voucher_redeemed),
    (wallet_signals.tier_changed, events.on_tier_changed),
    (referral_signals.referral_rewarded, events.on_referral_rewarded),
    (member_signals.member_erased, events.on_member_erased),
]


def on_member_erasing(sender, member, **kwargs):
    member_scrub(member_id=member.pk)


def connect() -> None:
    for signal, receiver in HEARD:
        signal.connect(receiver, dispatch_uid=f"webhooks.{receiver.__name__}")
    member_signals.member_erasing.connect(on_member_erasing, dispatch_uid="webhooks.scrub")
