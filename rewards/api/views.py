"""The API's endpoints: thin views over the same services the till uses, at the key's shop.

Writes take an Idempotency-Key (rewards.api.idempotency). A purchase is also keyed by its
receipt id (per API key): sent again under another Idempotency-Key it is the same purchase;
with another amount it is refused. Refunds find the purchase by that receipt id, so a key
never reaches another shop's purchases.
"""

from __future__ import annotations

import time

from django.utils import timezone, translation
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.response import Response
from rest_framework.views import APIView

from members.models import Member
from members.phone import InvalidPhoneNumber, phone_normalize
from members.services import MembersError, member_identify
from rewards.api import serializers as s
from rewards.api.errors import ApiError
from rewards.api.idempotency import idempotent
from rewards.config import config
from rewards.errors import RewardsError
from rewards.models import ApiCall, Operation, Refund, Reward, Scope, Voucher, Wallet
from rewards.registry import purchase_answer_parts
from rewards.selectors import wallet_summary
from rewards.services import purchase_register, reward_redeem, voucher_use, wallet_get_or_create
from rewards.services.perks import membership_current
from rewards.services.points import items_by_category, points_for_purchase, purchase_stamps
from rewards.services.refunds import purchase_paid, purchase_refund, refunded_so_far
from rewards.services.tiers import tier_progress

# Every write's header, in the schema (rewards.api.idempotency reads it).
IDEMPOTENCY = OpenApiParameter(
    "Idempotency-Key", str, OpenApiParameter.HEADER, required=True, description="Up to 100 characters."
)


class ApiView(APIView):
    """Every call is logged for the owner: key, endpoint (the route, not the member's number),
    status and time; messages are in the caller's language."""

    scope = Scope.READ

    def initial(self, request, *args, **kwargs):
        self._started = time.monotonic()
        # A register says which language its staff read (Accept-Language); the club's
        # pages follow only the switcher's cookie (clubsite.middleware), the API the header.
        translation.activate(translation.get_language_from_request(request._request))
        super().initial(request, *args, **kwargs)

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        key = getattr(request, "_auth", None)
        if key is not None and hasattr(self, "_started"):
            ApiCall.objects.create(
                key=key,
                method=request.method,
                endpoint=request.resolver_match.route if request.resolver_match else request.path,
                status=response.status_code,
                duration_ms=int((time.monotonic() - self._started) * 1000),
            )
        return response


def valid(serializer_class, data) -> dict:
    serializer = serializer_class(data=data)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


def _member(text: str) -> Member:
    return member_identify(raw=text)


def _member_out(member: Member, wallet: Wallet) -> dict:
    return {
        "number": member.number,
        "first_name": member.user.first_name,
        "tier": wallet.tier.name if wallet.tier_id else None,
        "points": wallet.balance,
        "value": s.kr_text(config().program.value_ore(wallet.balance)),
    }


def _voucher_out(voucher: Voucher) -> dict:
    return {
        "code": voucher.code,
        "reward": voucher.reward.name,
        "status": voucher.status,
        "expires_at": voucher.expires_at.isoformat(),
    }


def _wallet(member: Member) -> Wallet:
    return Wallet.objects.select_related("tier").filter(member=member).first() or wallet_get_or_create(member)


class Identify(ApiView):
    @extend_schema(
        parameters=[OpenApiParameter(name, str, required=False) for name in ("card", "number", "phone")],
        responses=s.MemberOut,
    )
    def get(self, request):
        ref = valid(s.MemberRef, request.query_params)
        if ref.get("phone"):
            try:
                phone = phone_normalize(ref["phone"])
            except InvalidPhoneNumber:
                raise MembersError("member_not_found") from None
            member = Member.objects.select_related("user").filter(user__phone=phone, erased_at=None).first()
            if member is None:
                raise MembersError("member_not_found")
        elif ref.get("card") or ref.get("number"):
            member = _member(ref.get("card") or ref["number"])
        else:
            raise ApiError("member_not_given")
        return Response(_member_out(member, _wallet(member)))


class MemberWallet(ApiView):
    @extend_schema(responses=s.WalletOut)
    def get(self, request, number: str):
        summary = wallet_summary(_member(number))
        body = _member_out(summary.wallet.member, summary.wallet)
        body["stamp_cards"] = [
            {"card": c.card.name, "stamps": c.stamps, "size": c.size} for c in summary.cards
        ]
        body["vouchers"] = [_voucher_out(v) for v in summary.vouchers]
        return Response(body)


def _receipt_key(key, receipt_id: str) -> str:
    return f"api:{key.prefix}:receipt:{receipt_id}"


class Purchases(ApiView):
    scope = Scope.CREDIT

    @extend_schema(request=s.PurchaseIn, responses={201: s.PurchaseOut}, parameters=[IDEMPOTENCY])
    @idempotent
    def post(self, request):
        data = valid(s.PurchaseIn, request.data)
        member, key = _member(data["member"]), request.auth
        try:
            result = purchase_register(
                member=member,
                amount_ore=s.to_ore(data["amount"]),
                idempotency_key=_receipt_key(key, data["receipt_id"]),
                location=key.location,
                at=data.get("sold_at"),
                lines=s.lines_of(data),
            )
        except RewardsError as error:
            if error.code == "duplicate_request":
                raise ApiError("receipt_reused") from None
            raise
        wallet = _wallet(member)
        settings = config()
        progress = tier_progress(wallet, program=settings.program, tiers=settings.tiers)
        body = {
            "member": member.number,
            "receipt_id": data["receipt_id"],
            "amount": s.kr_text(s.to_ore(data["amount"])),
            "points": result.entry.points if result.entry else 0,
            "stamps": sum(entry.stamps for entry in result.stamp_entries),
            "balance": wallet.balance,
            "tier": wallet.tier.name if wallet.tier_id else None,
            "next_tier": progress.next_tier.name if progress.next_tier else None,
            "points_to_next_tier": progress.missing,
            "vouchers": [_voucher_out(v) for v in result.vouchers],
        }
        sold_at = data.get("sold_at") or timezone.now()
        for part in purchase_answer_parts:
            body |= part(member, s.to_ore(data["amount"]), sold_at)
        return Response(body, status=200 if result.replayed else 201)


class Preview(ApiView):
    @extend_schema(request=s.PreviewIn, responses=s.PurchaseOut)
    def post(self, request):
        data = valid(s.PreviewIn, request.data)
        member = _member(data["member"])
        settings, wallet, amount_ore = config(), _wallet(member), s.to_ore(data["amount"])
        program = settings.program
        points = 0
        if program.earns_points:
            membership = membership_current(member, timezone.now())
            points = points_for_purchase(amount_ore, program=program, wallet=wallet, membership=membership)[0]
        stamps = 0
        if program.earns_stamps:
            earned = purchase_stamps(settings.cards, items_by_category(s.lines_of(data)))
            stamps = sum(count for _card, count in earned)
        return Response(
            {"member": member.number, "amount": s.kr_text(amount_ore), "points": points, "stamps": stamps}
        )


class Refunds(ApiView):
    scope = Scope.REFUND

    @extend_schema(request=s.RefundIn, responses={201: s.RefundOut}, parameters=[IDEMPOTENCY])
    @idempotent
    def post(self, request):
        data = valid(s.RefundIn, request.data)
        key = request.auth
        purchase = Operation.objects.filter(
            key=_receipt_key(key, data["receipt_id"]), kind="purchase"
        ).first()
        if purchase is None:
            raise ApiError("receipt_not_found")
        if "amount" in data:
            amount_ore = s.to_ore(data["amount"])
        else:  # all that is left of it
            amount_ore = (purchase_paid(purchase) or 0) - refunded_so_far(purchase)["amount"]
            if amount_ore <= 0:
                raise RewardsError("refund_too_large")
        idem = request.headers["Idempotency-Key"].strip()
        result = purchase_refund(
            purchase=purchase,
            amount_ore=amount_ore,
            idempotency_key=f"api:{key.prefix}:refund:{idem}",
            location=key.location,
        )
        refund = Refund.objects.get(operation_id=result.operation_id)
        body = {
            "receipt_id": data["receipt_id"],
            "refunded": s.kr_text(refund.amount_ore),
            "points_taken_back": refund.points,
            "points_already_spent": refund.points_short,
            "stamps_taken_back": refund.stamps,
            "balance": result.balance,
        }
        return Response(body, status=201)


def _voucher(code: str) -> Voucher:
    code = (code or "").strip().upper().replace("-", "")[:32]
    voucher = Voucher.objects.select_related("reward", "wallet__member").filter(code=code).first()
    if voucher is None or voucher.reward.partner_id:
        raise RewardsError("voucher_not_found")
    return voucher


class VoucherCheck(ApiView):
    scope = Scope.REDEEM

    @extend_schema(responses=s.VoucherOut)
    def get(self, request, code: str):
        voucher = _voucher(code)
        body = _voucher_out(voucher) | {"usable": voucher.is_usable, "member": voucher.wallet.member.number}
        return Response(body)


class VoucherRedeem(ApiView):
    scope = Scope.REDEEM

    @extend_schema(request=None, responses=s.VoucherOut, parameters=[IDEMPOTENCY])
    @idempotent
    def post(self, request, code: str):
        voucher, key = _voucher(code), request.auth
        idem = request.headers["Idempotency-Key"].strip()
        voucher_use(
            code=voucher.code, idempotency_key=f"api:{key.prefix}:voucher:{idem}", location=key.location
        )
        voucher.refresh_from_db()
        return Response(_voucher_out(voucher))


class RewardRedeem(ApiView):
    scope = Scope.REDEEM

    @extend_schema(request=s.RedeemRewardIn, responses={201: s.VoucherOut}, parameters=[IDEMPOTENCY])
    @idempotent
    def post(self, request, reward_id: int):
        data = valid(s.RedeemRewardIn, request.data)
        member, key = _member(data["member"]), request.auth
        reward = Reward.objects.filter(pk=reward_id).first()
        if reward is None:
            raise ApiError("reward_not_found")
        idem = request.headers["Idempotency-Key"].strip()
        result = reward_redeem(
            member=member,
            reward=reward,
            idempotency_key=f"api:{key.prefix}:reward:{idem}",
            location=key.location,
        )
        return Response(_voucher_out(result.voucher) | {"balance": result.balance}, status=201)
