"""The campaign calendar: the owner's month of campaigns and occasions (campaigns.planning)."""

from __future__ import annotations

import re
from datetime import date

from django.contrib.auth.decorators import login_required, permission_required
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _

from campaigns.models import Campaign
from campaigns.planning.selectors import calendar_month

MONTH = re.compile(r"^(?P<year>\d{4})-(?P<month>\d{2})$")


def _month(text: str) -> date | None:
    """'2026-12' as its first day; None for anything else (or years no shop plans for)."""
    found = MONTH.match(text)
    if not found:
        return None
    year, month = int(found["year"]), int(found["month"])
    if not (2000 <= year <= 2100 and 1 <= month <= 12):
        return None
    return date(year, month, 1)


@login_required
@permission_required("campaigns.view_campaign", raise_exception=True)
def calendar_page(request):
    asked = request.GET.get("m", "").strip()
    first = _month(asked) if asked else timezone.localdate().replace(day=1)
    status, error = 200, None
    if first is None:
        status, error = 400, _("No such month: write it as year-month, e.g. 2026-12. Showing this month.")
        first = timezone.localdate().replace(day=1)
    context = {
        "month": calendar_month(first),
        "error": error,
        "today": timezone.localdate(),
        "statuses": dict(Campaign.Status.choices),
    }
    return render(request, "campaigns/calendar.html", context, status=status)
