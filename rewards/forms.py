import re
from datetime import timedelta
from decimal import Decimal, InvalidOperation

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from rewards.services.points import MAX_AMOUNT_ORE


class NonceForm(forms.Form):
    """A one-time key put in the form when the page is shown: a double tap or a resubmitted
    form carries the same key, so the wallet does the thing once and shows that result."""

    nonce = forms.UUIDField(widget=forms.HiddenInput)


# --- The counter

# How long an action made while the till was offline may wait to be sent: older than this it
# is shown to staff as a conflict instead of changing a wallet days later.
OFFLINE_LIMIT = timedelta(hours=72)


class TillForm(NonceForm):
    """An action the till can take offline: it is sent later with the time it happened, and
    the wallet records it at that time."""

    happened_at = forms.DateTimeField(required=False, widget=forms.HiddenInput)

    def clean_happened_at(self):
        at, now = self.cleaned_data.get("happened_at"), timezone.now()
        if at is None:
            return None
        if at > now + timedelta(minutes=5):
            raise forms.ValidationError(_("The time of the action is in the future; check the till's clock."))
        if at < now - OFFLINE_LIMIT:
            raise forms.ValidationError(
                _("This was done offline more than 3 days ago and is too old to register now.")
            )
        return min(at, now)


# "129", "129,50", "129.5", "1 299,00", "kr 129": what a till operator types. Not "1e9", not "-5".
_AMOUNT = re.compile(r"^(?:kr\.?)?(\d{1,7})(?:[.,](\d{1,2}))?(?:kr\.?)?$", re.IGNORECASE)


class AmountField(forms.CharField):
    """An amount in kroner as people type it (comma or point for øre) → integer øre."""

    default_error_messages = {
        "invalid": _("Enter the amount in kroner, e.g. 129 or 129,50."),
        "range": _("Enter an amount greater than zero and below one million kroner."),
    }

    def to_python(self, value):
        text = re.sub(r"[\s\u00a0]", "", super().to_python(value) or "")
        if not text:
            return None
        match = _AMOUNT.match(text)
        if not match:
            raise ValidationError(self.error_messages["invalid"], code="invalid")
        kroner, ore = match.group(1), (match.group(2) or "0").ljust(2, "0")
        try:
            amount = int(Decimal(kroner) * 100 + int(ore))
        except InvalidOperation:
            raise ValidationError(self.error_messages["invalid"], code="invalid") from None
        if not 0 < amount <= MAX_AMOUNT_ORE:
            raise ValidationError(self.error_messages["range"], code="range")
        return amount


class ScanForm(forms.Form):
    # No max_length: a 10,000-character scan gets the service's clear refusal, not a form error.
    q = forms.CharField(label=_("Scan or type"), required=False, strip=True)


class PurchaseForm(TillForm):
    amount = AmountField(label=_("Amount (kr)"))
    # Set by the "Yes, register" button of the till's "Are you sure?" for a large amount.
    confirmed = forms.BooleanField(required=False, widget=forms.HiddenInput)


class RefundForm(NonceForm):
    purchase = forms.IntegerField(widget=forms.HiddenInput)
    amount = AmountField(label=_("Amount to refund (kr)"), required=False)  # empty: all that is left


class StampsForm(TillForm):
    card = forms.IntegerField(widget=forms.HiddenInput)
    stamps = forms.IntegerField(label=_("Stamps"), min_value=1, max_value=100, initial=1)


class VoucherForm(TillForm):
    code = forms.CharField(label=_("Voucher code"), max_length=40)


class RewardForm(TillForm):
    reward = forms.IntegerField(widget=forms.HiddenInput)


class PlanForm(NonceForm):
    plan = forms.IntegerField(widget=forms.HiddenInput)


class AdjustForm(NonceForm):
    points = forms.IntegerField(label=_("Points"), min_value=1, max_value=1_000_000)
    reason = forms.CharField(label=_("Reason"), max_length=200)
    direction = forms.ChoiceField(choices=[("grant", _("Give")), ("deduct", _("Take away"))])
