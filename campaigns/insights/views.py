"""The owner's dashboard: for the owner and customer service, not for counter staff.

A GET form chooses the period and the shop; a bad choice is answered with the form and a
translated message (400), never a server error.
"""

from __future__ import annotations

import functools

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from campaigns.experiments.views import programme_view
from campaigns.insights import selectors, tables
from campaigns.insights.forms import DashboardForm
from campaigns.insights.rollups import rollups_stale
from campaigns.insights.selectors.period import trend_months
from campaigns.insights.selectors.usage import usage
from campaigns.insights.snapshots import owner_dashboard
from campaigns.tasks import rollups_update
from clubsite.replica import from_replica, replica_view


def back_office_required(view):
    """The owner and customer service; counter staff and members get 403."""

    @login_required
    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.user.is_customer_service:
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapper


def _query(form: DashboardForm) -> str:
    """The chosen period and shop as a query string (for the CSV links)."""
    params = {"start": form.cleaned_data["start"].isoformat(), "end": form.cleaned_data["end"].isoformat()}
    if form.cleaned_data["location"] is not None:
        params["location"] = form.cleaned_data["location"].pk
    return urlencode(params)


@back_office_required
def dashboard(request):
    today = timezone.localdate()
    form = DashboardForm(request.GET, today=today)
    presets = DashboardForm.presets(today)
    if not form.is_valid():
        context = {"form": form, "presets": presets}
        return render(request, "campaigns/dashboard.html", context, status=400)
    if rollups_stale():  # beat has stopped, or never ran: catch up (in the background with a broker)
        rollups_update.delay()
    with from_replica():
        return _dashboard_page(request, form, presets, today)


def _dashboard_page(request, form: DashboardForm, presets, today):
    view = owner_dashboard(period=form.period, location=form.cleaned_data["location"])
    if request.headers.get("HX-Request") == "true":  # the counting page asks whether it is done
        return HttpResponse(status=204) if view is None else HttpResponse(headers={"HX-Refresh": "true"})
    if view is None:  # a large club's new period: a worker is counting it
        shown = DashboardForm(initial=form.cleaned_data, today=today)
        context = {"form": shown, "presets": presets, "counting": True}
        return render(request, "campaigns/dashboard.html", context, status=202)
    data = view.data
    shown = DashboardForm(
        initial={"start": data.period.first, "end": data.period.last, "location": data.location}, today=today
    )
    context = {
        "form": shown,
        "presets": presets,
        "data": data,
        "query": _query(form),
        "tables": tables.pages(data),
        "chart": _chart_data(data),
        "can_edit_economics": request.user.has_perm("campaigns.change_clubeconomics"),
        "programme": programme_view(view.programme),
        "goals": view.goals,
    }
    return render(request, "campaigns/dashboard.html", context)


@back_office_required
@replica_view
def dashboard_csv(request, table: str):
    if table not in tables.TABLES:
        raise Http404
    form = DashboardForm(request.GET)
    if not form.is_valid():
        errors = [str(e) for field_errors in form.errors.values() for e in field_errors]
        return HttpResponse("\n".join(errors), status=400, content_type="text/plain; charset=utf-8")
    data = owner_dashboard(period=form.period, location=form.cleaned_data["location"], wait=True).data
    response = HttpResponse(
        # A byte-order mark, so that Excel reads the file as UTF-8 (æ, ø, å).
        "\ufeff" + tables.table_csv(data, table),
        content_type="text/csv; charset=utf-8",
    )
    name = f"lojal-{table}-{data.period.first:%Y-%m-%d}-{data.period.last:%Y-%m-%d}.csv"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


def _chart_data(data: selectors.Dashboard) -> dict:
    """What the charts draw (static/js/dashboard.js); the tables beside them show the same."""
    return {
        "months": [row.month.isoformat() for row in data.trend],
        "members": [row.members for row in data.trend],
        "active": [float(row.active_share) if row.active_share is not None else None for row in data.trend],
        "redeemed": [row.points_redeemed for row in data.trend],
        "vouchers": [row.vouchers_used for row in data.trend],
        "liability": [row.liability_ore / 100 for row in data.trend],
        "labels": {"points": _("Points redeemed"), "vouchers": _("Vouchers used")},
    }


USAGE_MONTHS = (1, 3, 6, 12)


@back_office_required
@replica_view
def usage_page(request):
    """What members use, over the last 1, 3, 6 or 12 calendar months (this one included)."""
    raw = request.GET.get("months", "3")
    months = int(raw) if raw.isdigit() and int(raw) in USAGE_MONTHS else None
    if months is None:
        context = {"error": _("Choose 1, 3, 6 or 12 months."), "choices": USAGE_MONTHS, "months": 3}
        return render(request, "campaigns/usage.html", context, status=400)
    span = trend_months(timezone.localdate(), months)
    rows = usage(start=span[0].start, last_month=span[-1].start, end=span[-1].end)
    context = {
        "rows": rows,
        "months": months,
        "choices": USAGE_MONTHS,
        "first": span[0].first,
        "last": span[-1].first,
    }
    return render(request, "campaigns/usage.html", context)
