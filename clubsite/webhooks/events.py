"""What each event says. The receivers here hear the apps' signals (after commit) and record
one event per cause; clubsite.webhooks.services sends it to the endpoints that listen.

A member appears as {"id", "number", "first_name"}: enough for a register to find its own
customer, nothing more (no e-mail, no phone). An erased member is {"id", "erased": true}.
"""

from __future__ import annotations

from clubsite.webhooks.models import EventType
from clubsite.webhooks.services import event_record, listened
from members.models import Member
from rewards.api.serializers import kr_text
from rewards.models import LedgerEntry, Refund, Tier, Voucher


def member_block(member_id: int | None) -> dict | None:
    if member_id is None:
        return None
    member = Member.objects.select_related("user").filter(pk=member_id).first()
    if member is None or member.is_erased:
        return erased_block(member_id)
    return {"id": member.pk, "number": member.number, "first_name": member.user.first_name}


def erased_block(member_id: int) -> dict:
    return {"id": member_id, "erased": True}


def _receipt_id(entry: LedgerEntry) -> str | None:
    # Purchases sent through the API carry the register's receipt id in their operation's key
    # (rewards.api.views: "api:<key prefix>:receipt:<receipt id>").
    key = entry.operation.key if entry.operation_id else ""
    return key.split(":receipt:", 1)[1] if key.startswith("api:") and ":receipt:" in key else None


def _voucher_out(voucher: Voucher) -> dict:
    return {
        "code": voucher.code,
        "reward": voucher.reward.name,
        "status": voucher.status,
        "expires_at": voucher.expires_at.isoformat() if voucher.expires_at else None,
    }


def on_member_joined(sender, member_id, **kwargs):
    if not listened(EventType.MEMBER_JOINED):
        return
    event_record(
        type=EventType.MEMBER_JOINED,
        source=f"member:{member_id}:joined",
        member_id=member_id,
        data={"member": member_block(member_id)},
    )


def on_purchase_recorded(sender, member_id, entry_id, amount_ore, location_id=None, **kwargs):
    if not listened(EventType.PURCHASE_RECORDED):
        return
    entry = LedgerEntry.objects.select_related("operation", "location").filter(pk=entry_id).first()
    if entry is None:
        return  # a purchase that earned no points writes no entry: nothing to point at
    event_record(
        type=EventType.PURCHASE_RECORDED,
        source=f"entry:{entry.pk}",
        member_id=member_id,
        data={
            "member": member_block(member_id),
            "entry_id": entry.pk,
            "receipt_id": _receipt_id(entry),
            "amount": kr_text(amount_ore),
            "points": entry.points,
            "shop": entry.location.name if entry.location_id else None,
            "sold_at": entry.created_at.isoformat(),
        },
    )


def on_purchase_reversed(sender, member_id, reverses_id, entry_id=None, remaining_ore=0, **kwargs):
    if not listened(EventType.REFUND_RECORDED):
        return
    purchase = LedgerEntry.objects.select_related("operation").filter(pk=reverses_id).first()
    if purchase is None:
        return
    refund = Refund.objects.filter(entry_id=entry_id).first() if entry_id else None
    event_record(
        type=EventType.REFUND_RECORDED,
        source=f"entry:{entry_id}" if entry_id else f"reversal:{reverses_id}:{remaining_ore}",
        member_id=member_id,
        data={
            "member": member_block(member_id),
            "purchase_entry_id": purchase.pk,
            "receipt_id": _receipt_id(purchase),
            "refunded": kr_text(refund.amount_ore) if refund else None,
            "remaining": kr_text(remaining_ore),
            "points_taken_back": refund.points if refund else purchase.points,
        },
    )


def on_voucher_issued(sender, member_id, voucher_id, **kwargs):
    _voucher_event(EventType.VOUCHER_ISSUED, member_id, voucher_id)


def on_voucher_redeemed(sender, member_id, voucher_id, location_id=None, **kwargs):
    _voucher_event(EventType.VOUCHER_REDEEMED, member_id, voucher_id)


def _voucher_event(type: str, member_id: int, voucher_id: int) -> None:
    if not listened(type):
        return
    voucher = Voucher.objects.select_related("reward").filter(pk=voucher_id).first()
    if voucher is None:
        return
    event_record(
        type=type,
        source=f"voucher:{voucher_id}:{type}",
        member_id=member_id,
        data={"member": member_block(member_id), "voucher": _voucher_out(voucher)},
    )


def on_tier_changed(sender, member_id, from_tier_id, to_tier_id, upgrade, at, **kwargs):
    if not listened(EventType.TIER_CHANGED):
        return
    names = dict(Tier.objects.filter(pk__in=[from_tier_id, to_tier_id]).values_list("pk", "name"))
    event_record(
        type=EventType.TIER_CHANGED,
        source=f"tier:{member_id}:{from_tier_id}:{to_tier_id}:{at.isoformat()}",
        member_id=member_id,
        data={
            "member": member_block(member_id),
            "from": names.get(from_tier_id),
            "to": names.get(to_tier_id),
            "upgrade": upgrade,
        },
    )


def on_referral_rewarded(sender, referral_id, referrer_id, friend_id, **kwargs):
    if not listened(EventType.REFERRAL_REWARDED):
        return
    event_record(
        type=EventType.REFERRAL_REWARDED,
        source=f"referral:{referral_id}:rewarded",
        member_id=referrer_id,
        other_member_id=friend_id,
        data={
            "referral_id": referral_id,
            "referrer": member_block(referrer_id),
            "friend": member_block(friend_id),
        },
    )


def on_member_erased(sender, member_id, **kwargs):
    if not listened(EventType.MEMBER_ERASED):
        return
    event_record(
        type=EventType.MEMBER_ERASED,
        source=f"member:{member_id}:erased",
        member_id=member_id,
        data={"member": erased_block(member_id)},
    )
