"""The dashboard's choice of period and shop (a GET form: the page's address says what it shows)."""

from __future__ import annotations

from datetime import date, timedelta

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from campaigns.insights.selectors import Period
from members.models import Location

DEFAULT_DAYS = 30
EARLIEST = date(2000, 1, 1)
LONGEST_DAYS = 5 * 366  # the previous period and the trend must stay within sane dates


class DateInput(forms.DateInput):
    input_type = "date"

    def format_value(self, value):
        # The browser's date picker wants ISO dates, whatever the language.
        return value.isoformat() if isinstance(value, date) else value


class DashboardForm(forms.Form):
    start = forms.DateField(label=_("From"), required=False, widget=DateInput)
    end = forms.DateField(label=_("To"), required=False, widget=DateInput)
    location = forms.ModelChoiceField(
        label=_("Shop"),
        queryset=Location.objects.order_by("name"),
        required=False,
        empty_label=_("All shops"),
    )

    def __init__(self, data=None, *, today: date | None = None, **kwargs):
        super().__init__(data, **kwargs)
        self.today = today or timezone.localdate()
        for field in self.fields.values():
            field.widget.attrs["class"] = (
                "form-select" if isinstance(field.widget, forms.Select) else "form-control"
            )

    def full_clean(self):
        super().full_clean()
        # Bootstrap's red frame, and the message read out with the field.
        for name in self.errors:
            if name in self.fields:
                attrs = self.fields[name].widget.attrs
                attrs["class"] += " is-invalid"
                attrs["aria-describedby"] = f"{self[name].auto_id}-error"

    def clean(self):
        cleaned = super().clean()
        if self.errors:
            return cleaned
        start, end = cleaned.get("start"), cleaned.get("end")
        if any(day is not None and day < EARLIEST for day in (start, end)):
            raise forms.ValidationError(
                _("Choose dates from %(date)s on.") % {"date": EARLIEST.isoformat()}, code="too_early"
            )
        # A period that reaches past today is cut at today: the days to come have no figures
        # yet and would make the comparison with the period before lopsided.
        end = min(end or self.today, self.today)
        start = start or end - timedelta(days=DEFAULT_DAYS - 1)
        if start > self.today:
            raise forms.ValidationError(_("The period must start today or earlier."), code="future")
        if start > end:
            raise forms.ValidationError(
                _("The start of the period must be on or before its end."), code="order"
            )
        if (end - start).days + 1 > LONGEST_DAYS:
            raise forms.ValidationError(_("Choose a period of at most five years."), code="too_long")
        cleaned["start"], cleaned["end"] = start, end
        return cleaned

    @property
    def period(self) -> Period:
        return Period(self.cleaned_data["start"], self.cleaned_data["end"])

    @classmethod
    def presets(cls, today: date) -> list[tuple[str, date, date]]:
        """Quick choices: (label, first day, last day)."""
        this_month = today.replace(day=1)
        last_month_end = this_month - timedelta(days=1)
        return [
            (_("Last 30 days"), today - timedelta(days=29), today),
            (_("This month"), this_month, today),
            (_("Last month"), last_month_end.replace(day=1), last_month_end),
            (_("Last 90 days"), today - timedelta(days=89), today),
            (_("Last 12 months"), today - timedelta(days=364), today),
        ]
