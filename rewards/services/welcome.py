"""The welcome gift: what the owner set (points and/or a voucher), once per person."""

from __future__ import annotations

from datetime import datetime

from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from members.models import Member
from members.text import contact_hashes
from rewards.config import config
from rewards.models import LedgerEntry, PointsProgram, Voucher, WelcomeClaim
from rewards.services import core


def welcome_gift(program: PointsProgram):
    """(points, reward) a new member gets under `program`; (0, None) for nothing."""
    reward = program.welcome_reward if program.welcome_reward_id else None
    if reward is not None and not reward.is_active:
        reward = None
    return program.welcome_bonus, reward


@transaction.atomic
def welcome_gift_give(*, member: Member, at: datetime | None = None) -> core.WalletResult | None:
    """Give a new member the welcome gift. Once per member (a repeat replays the first) and
    once per person: someone who left and joins again with the same e-mail address or
    mobile number gets nothing the second time (WelcomeClaim). None when there is no gift."""
    points, reward = welcome_gift(config().program)
    if not points and reward is None:
        return None
    now = core.now_or(at)
    with core.wallet_write(member, key=f"welcome:{member.pk}", kind="welcome", params={}, now=now) as write:
        if write.replayed or not _first_time(member):
            return write.result
        if points:
            core.post_credit(
                write,
                points=points,
                kind=LedgerEntry.Kind.BONUS,
                now=now,
                expires_at=core.expires_at_for(config().program, now),
                reason="welcome",
            )
        if reward is not None:
            core.voucher_issue(write, reward=reward, source=Voucher.Source.WELCOME, now=now)
    return write.result


def _first_time(member: Member) -> bool:
    """Claim the member's addresses for the welcome gift; False if one was claimed before.
    (Under the wallet lock; two people cannot hold the same address at once.)"""
    hashes = contact_hashes(email=member.user.email, phone=member.user.phone)
    claimed = WelcomeClaim.objects.filter(contact_hash__in=hashes).exists()
    WelcomeClaim.objects.bulk_create([WelcomeClaim(contact_hash=h) for h in hashes], ignore_conflicts=True)
    return not claimed


def welcome_gift_text() -> str:
    """The welcome gift in words, as the settings give it: "50 points and Gratis kaffe
    (use it within 14 days)"; "" when there is none."""
    points, reward = welcome_gift(config().program)
    parts = []
    if points:
        parts.append(ngettext("%(points)s point", "%(points)s points", points) % {"points": points})
    if reward is not None:
        days = reward.voucher_valid_days
        parts.append(
            ngettext(
                "%(reward)s (use it within %(days)s day)", "%(reward)s (use it within %(days)s days)", days
            )
            % {"reward": reward.name, "days": days}
        )
    if not parts:
        return ""
    return _("Welcome gift: %(gift)s.") % {"gift": _(" and ").join(parts)}


def welcome_mission(member: Member) -> str:
    """The first thing to do on the card page, while the welcome voucher is unused."""
    voucher = (
        Voucher.objects.filter(
            wallet__member=member, source=Voucher.Source.WELCOME, status=Voucher.Status.ACTIVE
        )
        .select_related("reward")
        .first()
    )
    if voucher is None or not voucher.is_usable:
        return ""
    return _("First mission: use your welcome gift today – %(reward)s. Show your card at the till.") % {
        "reward": voucher.reward.name
    }
