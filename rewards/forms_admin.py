"""Forms for the owner's admin pages."""

from datetime import date, datetime, time

from dateutil.relativedelta import relativedelta
from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from rewards.models import Reward

MAX_IMAGE_BYTES = 5 * 1024 * 1024
MAX_IMAGE_SIDE = 6000
IMAGE_FORMATS = {"JPEG", "PNG", "WEBP"}


class RewardAdminForm(forms.ModelForm):
    class Meta:
        model = Reward
        fields = [
            "name",
            "description",
            "image",
            "cost_points",
            "stock",
            "per_member_limit",
            "valid_from",
            "valid_to",
            "min_tier",
            "members_only",
            "partner",
            "voucher_valid_days",
            "early_days",
            "early_tier",
            "early_plan",
            "is_active",
        ]

    def clean_image(self):
        image = self.cleaned_data.get("image")
        upload = getattr(image, "image", None)  # set by Django's ImageField for a new upload
        if not image or upload is None:
            return image
        if image.size > MAX_IMAGE_BYTES:
            raise forms.ValidationError(_("The image is too large (at most 5 MB)."))
        if upload.format not in IMAGE_FORMATS:
            raise forms.ValidationError(_("Upload a JPEG, PNG or WebP image."))
        if max(upload.size) > MAX_IMAGE_SIDE:
            raise forms.ValidationError(_("The image is too large (at most 6000 pixels on a side)."))
        return image

    def clean_early_days(self):
        return self.cleaned_data.get("early_days") or 0  # empty: no early access

    def clean(self):
        data = super().clean()
        start, end = data.get("valid_from"), data.get("valid_to")
        if start and end and end <= start:
            self.add_error("valid_to", _("The end must be after the start."))
        if data.get("early_days"):
            if not start:
                self.add_error("valid_from", _("Early access is counted back from «valid from»: set it."))
            if not (data.get("early_tier") or data.get("early_plan")):
                self.add_error("early_days", _("Choose the tier or the membership that gets it early."))
        return data


class BonusForm(forms.Form):
    points = forms.IntegerField(label=_("Points"), min_value=1, max_value=1_000_000)
    reason = forms.CharField(label=_("Reason"), max_length=200)


class ReverseEntryForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"),
        max_length=200,
        help_text=_("Kept with the reversal, e.g. «wrong amount typed at the till»."),
        widget=forms.TextInput(attrs={"size": 60}),
    )

    def clean_reason(self):
        reason = self.cleaned_data["reason"].strip()
        if not reason:
            raise forms.ValidationError(_("Give a reason."))
        return reason


class MonthForm(forms.Form):
    """The month a monthly report shows (the causes' payout, the partners' settlement)."""

    month = forms.DateField(
        label=_("Month"), input_formats=["%Y-%m"], widget=forms.DateInput(attrs={"type": "month"})
    )

    @classmethod
    def chosen(cls, data) -> tuple["MonthForm", date, datetime, datetime]:
        """(the form to show, the month, its start, its end): this month when none is asked
        for, or when the one asked for is not a month (the form then says why)."""
        form = cls(data or None)
        month = (form.cleaned_data["month"] if form.is_valid() else timezone.localdate()).replace(day=1)
        start = timezone.make_aware(datetime.combine(month, time()))
        shown = form if form.is_bound else cls(initial={"month": month.strftime("%Y-%m")})
        return shown, month, start, start + relativedelta(months=1)
