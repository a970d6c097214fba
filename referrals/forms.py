from __future__ import annotations

from decimal import Decimal

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from members.forms import JoinForm
from referrals import services
from referrals.errors import ReferralsError
from referrals.models import ReferralCode, ReferralProgram

MAX_MIN_PURCHASE_KR = Decimal("100000")


class CodeField(forms.CharField):
    """An invitation code as people type it: any case, spaces and dashes allowed."""

    def __init__(self, **kwargs):
        kwargs.setdefault("label", _("Invitation code"))
        kwargs.setdefault("help_text", _("Eight letters and digits, like ABCD-2345."))
        kwargs.setdefault("error_messages", {"required": ReferralsError.messages["code_empty"]})
        super().__init__(**kwargs)
        # No max_length check here: the service refuses long input with its own clear message.
        self.widget.attrs.update(
            {"autocomplete": "off", "autocapitalize": "characters", "spellcheck": "false", "maxlength": 40}
        )


def code_clean(raw: str, *, ip: str | None) -> ReferralCode:
    try:
        return services.referral_code_lookup(raw=raw, ip=ip)
    except ReferralsError as error:
        raise ValidationError(error.message, code=error.code) from None


class InviteJoinForm(JoinForm):
    """The normal three-field sign-up with the invitation code that brought the visitor:
    typed on /verv/, or carried (hidden) from the member's link on /verv/<code>/."""

    code = CodeField()

    field_order = ["code", "contact", "first_name", "marketing_consent"]

    def __init__(self, *args, code_hidden: bool = False, ip: str | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.ip = ip
        if code_hidden:
            self.fields["code"].widget = forms.HiddenInput()
        self.order_fields(self.field_order)

    def clean_code(self):
        self.referral_code = code_clean(self.cleaned_data["code"], ip=self.ip)
        return self.referral_code.code


class CounterCodeForm(forms.Form):
    code = CodeField(label=_("Invitation code from a friend"))


class ReferralProgramAdminForm(forms.ModelForm):
    """The settings, with the minimum purchase in kroner (stored in øre)."""

    min_purchase_kr = forms.DecimalField(
        label=_("minimum qualifying purchase (kr)"),
        min_value=Decimal("0"),
        max_value=MAX_MIN_PURCHASE_KR,
        decimal_places=2,
        help_text=_("The friend's first purchase of at least this amount qualifies the referral."),
    )

    class Meta:
        model = ReferralProgram
        fields = [
            "is_active",
            "referrer_kind",
            "referrer_points",
            "referrer_reward",
            "friend_kind",
            "friend_points",
            "friend_reward",
            "qualifies_on_visit",
            "qualify_within_days",
            "hold_days",
            "cap_per_month",
            "burst_count",
            "burst_minutes",
            "cookie_days",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.initial.setdefault("min_purchase_kr", Decimal(self.instance.min_purchase_ore) / 100)

    def clean(self):
        data = super().clean()
        for side in ("referrer", "friend"):
            if data.get(f"{side}_kind") == ReferralProgram.RewardKind.VOUCHER and not data.get(
                f"{side}_reward"
            ):
                self.add_error(f"{side}_reward", _("Choose the reward the voucher is for."))
        return data

    def save(self, commit=True):
        amount = self.cleaned_data.get("min_purchase_kr") or Decimal(0)
        self.instance.min_purchase_ore = int(amount * 100)
        return super().save(commit=commit)
