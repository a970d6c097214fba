"""The wallet's part of a member's GDPR rights (receivers of members.signals).

Export: the wallet, every ledger row, stamps, vouchers, visits, challenges completed, badges
awarded and refused scans of the member.
Erasure: the ledger, stamps, vouchers and visits stay as they are (they name nobody once the
member row is pseudonymised, and the accounts and the club's figures count them); what staff
typed at the till that names the member is blanked.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from members.models import Member
from members.services import export_time
from rewards.models import (
    BadgeAward,
    ChallengeCompletion,
    LedgerEntry,
    ScanRefusal,
    StampEntry,
    Visit,
    Voucher,
    Wallet,
)
from rewards.selectors import reason_label
from rewards.services.erasure import typed_text_erase


def _name(obj):
    return str(obj) if obj is not None else None


def on_member_exporting(sender, member: Member, **kwargs) -> dict:
    wallet = Wallet.objects.select_related("tier").filter(member=member).first()
    sections = {
        "wallet": None,
        "ledger": [],
        "stamps": [],
        "vouchers": [],
        "visits": [
            {
                "started_at": export_time(v.started_at),
                "last_seen_at": export_time(v.last_seen_at),
                "location": _name(v.location),
            }
            for v in Visit.objects.filter(member=member)
            .select_related("location")
            .order_by("started_at", "id")
        ],
        # What staff typed when the till refused an action for this member (a wrong voucher code).
        # Challenges completed (and taken back) and badges awarded.
        "challenges": [
            {
                "challenge": c.challenge.name,
                "completed_at": export_time(c.completed_at),
                "taken_back_at": export_time(c.revoked_at),
                "kept": c.kept,
            }
            for c in ChallengeCompletion.objects.filter(member=member)
            .select_related("challenge")
            .order_by("completed_at", "id")
        ],
        "badges": [
            {"badge": a.level.badge.name, "level": a.level.name, "awarded_at": export_time(a.awarded_at)}
            for a in BadgeAward.objects.filter(member=member).select_related("level__badge").order_by("pk")
        ],
        "refused_scans": [
            {
                "time": export_time(r.created_at),
                "reason": r.reason,
                "input": r.raw_input,
                "location": _name(r.location),
            }
            for r in ScanRefusal.objects.filter(member=member)
            .select_related("location")
            .order_by("created_at", "id")
        ],
    }
    if wallet is None:
        return sections
    sections["wallet"] = {
        "balance": wallet.balance,
        "tier": _name(wallet.tier),
        "stamp_cards": [
            {"card": p.card.name, "stamps": p.stamps, "stamps_needed": p.size}
            for p in wallet.stamp_cards.select_related("card").order_by("card__name")
        ],
    }
    sections["ledger"] = [
        {
            "id": e.pk,
            "time": export_time(e.created_at),
            "kind": e.kind,
            "what": e.kind_label,
            "points": e.points,
            "unspent": e.remaining,
            "expires_at": export_time(e.expires_at),
            "purchase_amount_ore": e.amount_ore,
            "reason": e.reason,
            "reason_text": reason_label(e.reason) if e.reason else "",
            "location": _name(e.location),
            "reverses": e.reverses_id,
        }
        for e in LedgerEntry.objects.filter(wallet=wallet)
        .select_related("location")
        .order_by("created_at", "id")
    ]
    sections["stamps"] = [
        {
            "time": export_time(s.created_at),
            "card": s.progress.card.name,
            "stamps": s.stamps,
            "cards_completed": s.completed,
            "location": _name(s.location),
        }
        for s in StampEntry.objects.filter(progress__wallet=wallet)
        .select_related("progress__card", "location")
        .order_by("created_at", "id")
    ]
    sections["vouchers"] = [
        {
            "reward": v.reward.name,
            "code": v.code,
            "status": v.status,
            "status_text": v.state_label,
            "source": v.source,
            "issued_at": export_time(v.issued_at),
            "issued_location": _name(v.issued_location),
            "expires_at": export_time(v.expires_at),
            "used_at": export_time(v.used_at),
            "used_location": _name(v.used_location),
            "cancelled_at": export_time(v.cancelled_at),
        }
        for v in Voucher.objects.filter(wallet=wallet)
        .select_related("reward", "issued_location", "used_location")
        .order_by("issued_at", "id")
    ]
    return sections


def on_member_erasing(sender, member: Member, personal: tuple[str, ...], **kwargs) -> None:
    typed_text_erase(member=member, personal=personal)


def on_privacy_purposes(sender, **kwargs) -> list[dict]:
    return [
        {
            "title": _("Points, stamps and vouchers"),
            "data": _(
                "Your purchases registered at the till (amount, time, shop), points and stamps earned "
                "and spent, vouchers, and your visits when your card is scanned."
            ),
            "why": _("To give you the benefits of the club and show you your balance."),
            "basis": _("Contract: the membership terms you accepted (GDPR art. 6(1)(b))."),
            "kept": _(
                "The bookkeeping records of points and purchases are kept as long as the accounting "
                "rules require, but no longer linked to you once your membership is deleted."
            ),
        },
        {
            "title": _("The welcome gift, once per person"),
            "data": _(
                "A one-way code made from the e-mail address and mobile number you joined with; it "
                "cannot be turned back into them."
            ),
            "why": _("So that leaving and joining again does not give a second welcome gift."),
            "basis": _("Legitimate interest: a fair welcome offer (GDPR art. 6(1)(f))."),
            "kept": _("Also after your membership is deleted, for this purpose only."),
        },
    ]
