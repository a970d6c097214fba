"""The referral programme's part of a member's GDPR rights (receivers of members.signals).

Export: the member's code and invitations as the one who invited (how many opened the link,
each friend's status and the member's own reward, never who the friend is) and as the
friend (status and reward, never who invited them).

Erasure: the referrals stay (they are the programme's figures and the other member's
reward history); what ties them to the person goes: the hashes of the member's IP address
and device when they joined as a friend, the device hashes of everyone who opened the
member's link, and the code itself, which the member may have posted publicly.
"""

from __future__ import annotations

from django.db.models import CharField, Q, Value
from django.db.models.functions import Cast, Concat
from django.utils.translation import gettext_lazy as _

from members.models import Member
from members.services import export_time
from referrals.models import Referral, ReferralCode, ReferralLinkOpen, ReferralPayout, ReferralProgram


def _payout(payout: ReferralPayout | None) -> dict | None:
    if payout is None:
        return None
    return {
        "points": payout.entry.points if payout.entry_id else None,
        "voucher": payout.voucher.reward.name if payout.voucher_id else None,
        "given_at": export_time(payout.created_at),
        "taken_back_at": export_time(payout.reversed_at),
    }


def _referral(referral: Referral, payouts: dict) -> dict:
    return {
        "joined_at": export_time(referral.created_at),
        "channel": referral.channel,
        "status": referral.status,
        "status_text": str(referral.get_status_display()),
        "qualified_at": export_time(referral.qualified_at),
        "rewarded_at": export_time(referral.paid_at),
        "closed_at": export_time(referral.closed_at),
    } | {"my_reward": _payout(payouts.get(referral.pk))}


def on_member_exporting(sender, member: Member, **kwargs) -> dict:
    payouts = {
        p.referral_id: p
        for p in ReferralPayout.objects.filter(member=member).select_related("entry", "voucher__reward")
    }
    code = ReferralCode.objects.filter(member=member).first()
    made = Referral.objects.filter(referrer=member).order_by("created_at", "id")
    as_friend = Referral.objects.filter(friend=member).first()
    return {
        "referrals": {
            "as_inviter": {
                "code": code.code if code else None,
                "link_opened": ReferralLinkOpen.objects.filter(code=code).count() if code else 0,
                "friends_joined": [_referral(r, payouts) for r in made],
            },
            "as_friend": _referral(as_friend, payouts) if as_friend else None,
        }
    }


def on_member_erasing(sender, member: Member, personal: tuple[str, ...], **kwargs) -> None:
    Referral.objects.filter(friend=member).update(ip_hash="", device_hash="")
    # "erased:<id>" keeps each open counted (one per code and device, by constraint) and
    # can never equal a real hash (32 hex digits).
    erased_hash = Concat(Value("erased:"), Cast("pk", output_field=CharField()))
    ReferralLinkOpen.objects.filter(Q(code__member=member) | Q(referral__friend=member)).update(
        device_hash=erased_hash
    )
    # Codes are eight letters and digits; "X-<id>" cannot be typed as one.
    ReferralCode.objects.filter(member=member).update(
        code=Concat(Value("X-"), Cast("pk", output_field=CharField()))
    )


def on_privacy_purposes(sender, **kwargs) -> list[dict]:
    if not ReferralProgram.load().is_active:
        return []
    return [
        {
            "title": _("Invite a friend"),
            "data": _(
                "Who invited whom and when, whether the friend's first purchase qualified, the "
                "rewards given, and a one-way scrambled form (a keyed hash) of the IP address and "
                "device used to open the invitation and join."
            ),
            "why": _("To reward both of you, and to stop abuse such as many sign-ups from one device."),
            "basis": _(
                "Contract: the programme's terms (GDPR art. 6(1)(b)); for the checks against "
                "abuse, our legitimate interest in a fair programme (art. 6(1)(f))."
            ),
            "kept": _(
                "As long as the membership lasts; the scrambled IP address and device are erased with it."
            ),
        }
    ]
