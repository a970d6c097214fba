"""The referrals' part of the POS API's answer to a purchase (rewards.registry): whether it
qualifies the member's referral, by the same rules referral_qualify applies after commit."""

from __future__ import annotations

from datetime import datetime

from members.models import Member
from referrals.models import Referral, ReferralProgram
from referrals.services.payouts import counts_for, within_window
from rewards.registry import purchase_answer_parts


def purchase_answer(member: Member, amount_ore: int, at: datetime) -> dict:
    referral = (
        Referral.objects.filter(friend=member, status=Referral.Status.PENDING)
        .select_related("friend")
        .first()
    )
    if referral is None:
        return {"referral_qualified": False}
    program = ReferralProgram.load()
    qualifies = counts_for(referral, program, now=at, amount_ore=amount_ore, visit=False) and within_window(
        referral, program, at
    )
    return {"referral_qualified": qualifies}


def register() -> None:
    purchase_answer_parts.register(purchase_answer)
