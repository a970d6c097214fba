"""What the API takes and gives. Amounts are kroner as strings with two decimals ("129.50"):
exact, and what a register prints; inside, they are øre."""

from __future__ import annotations

from decimal import Decimal

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

MAX_KR = Decimal("999999.99")


def kr_text(ore: int | None) -> str | None:
    if ore is None:
        return None
    sign, ore = ("-" if ore < 0 else ""), abs(ore)
    return f"{sign}{ore // 100}.{ore % 100:02d}"


def to_ore(kroner: Decimal) -> int:
    return int(kroner * 100)


class Kroner(serializers.DecimalField):
    def __init__(self, **kwargs):
        super().__init__(
            max_digits=8, decimal_places=2, min_value=Decimal("0.01"), max_value=MAX_KR, **kwargs
        )


class Line(serializers.Serializer):
    category = serializers.CharField(max_length=60)
    amount = Kroner()
    quantity = serializers.IntegerField(min_value=1, max_value=999, default=1)


def lines_of(data: dict) -> list[tuple[str, int]]:
    """The receipt's lines as the wallet takes them: (category, quantity)."""
    return [(line["category"], line["quantity"]) for line in data.get("lines") or []]


class MemberRef(serializers.Serializer):
    """One way to say who the member is: the card's rotating code, the number or the mobile."""

    card = serializers.CharField(required=False, max_length=200)
    number = serializers.CharField(required=False, max_length=20)
    phone = serializers.CharField(required=False, max_length=30)


class PurchaseIn(serializers.Serializer):
    member = serializers.CharField(max_length=200, help_text=_("The member number or the card's code."))
    amount = Kroner()
    receipt_id = serializers.CharField(max_length=64)
    sold_at = serializers.DateTimeField(required=False)
    lines = Line(many=True, required=False)

    def validate_sold_at(self, value):
        now = timezone.now()
        if value > now + timezone.timedelta(minutes=5):
            raise serializers.ValidationError(_("The time of sale is in the future."))
        if value < now - timezone.timedelta(days=30):
            raise serializers.ValidationError(_("The time of sale is more than 30 days ago."))
        return value

    def validate(self, data):
        lines = data.get("lines") or []
        if lines and sum(line["amount"] for line in lines) > data["amount"]:
            raise serializers.ValidationError({"lines": [_("The lines add up to more than the amount.")]})
        return data


class PreviewIn(serializers.Serializer):
    member = serializers.CharField(max_length=200)
    amount = Kroner()
    lines = Line(many=True, required=False)


class RefundIn(serializers.Serializer):
    receipt_id = serializers.CharField(max_length=64)
    amount = Kroner(required=False, help_text=_("Leave out to refund all that is left of the purchase."))


class RedeemRewardIn(serializers.Serializer):
    member = serializers.CharField(max_length=200)


class MemberOut(serializers.Serializer):
    number = serializers.CharField()
    first_name = serializers.CharField()
    tier = serializers.CharField(allow_null=True)
    points = serializers.IntegerField()
    value = serializers.CharField(help_text=_("What the points are worth, in kroner."))


class StampCardOut(serializers.Serializer):
    card = serializers.CharField()
    stamps = serializers.IntegerField()
    size = serializers.IntegerField()


class VoucherOut(serializers.Serializer):
    code = serializers.CharField()
    reward = serializers.CharField()
    status = serializers.CharField()
    expires_at = serializers.DateTimeField()


class WalletOut(MemberOut):
    stamp_cards = StampCardOut(many=True)
    vouchers = VoucherOut(many=True)


class PurchaseOut(serializers.Serializer):
    member = serializers.CharField()
    receipt_id = serializers.CharField()
    amount = serializers.CharField()
    points = serializers.IntegerField()
    stamps = serializers.IntegerField()
    balance = serializers.IntegerField()
    tier = serializers.CharField(allow_null=True)
    next_tier = serializers.CharField(allow_null=True, help_text=_("None at the highest tier."))
    points_to_next_tier = serializers.IntegerField(help_text=_("Qualifying points still missing."))
    vouchers = VoucherOut(many=True)
    referral_qualified = serializers.BooleanField(
        required=False, help_text=_("The purchase qualifies the referral that brought the member in.")
    )


class RefundOut(serializers.Serializer):
    receipt_id = serializers.CharField()
    refunded = serializers.CharField()
    points_taken_back = serializers.IntegerField()
    points_already_spent = serializers.IntegerField()
    stamps_taken_back = serializers.IntegerField()
    balance = serializers.IntegerField()
