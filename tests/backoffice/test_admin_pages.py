"""Every page of the owner's admin opens on a club with a few months of history (the demo),
and no list runs a query per row."""

import pytest
from django.contrib import admin
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

pytestmark = pytest.mark.django_db

# Lists the demo fills with at least two rows: the query guard must really compare pages of
# one row and of many for these (a list with one row proves nothing about N+1).
FILLED_BY_DEMO = {
    "members.member",
    "members.user",
    "members.consentevent",
    "members.location",
    "rewards.wallet",
    "rewards.ledgerentry",
    "rewards.voucher",
    "rewards.stampentry",
    "rewards.counteraction",
    "rewards.visit",
    "referrals.referral",
    "referrals.referralcode",
    "campaigns.npsanswer",
    "rewards.membership",
    "rewards.donation",
}


def _label(model) -> str:
    return f"{model._meta.app_label}.{model._meta.model_name}"


def _url(model, view, *args) -> str:
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)


def test_every_admin_page_opens_for_the_owner_on_the_demo_club(demo_club, owner_client):
    checked = []
    request = owner_client.get(reverse("admin:index")).wsgi_request
    for model, model_admin in admin.site._registry.items():
        if not model_admin.has_view_or_change_permission(request):
            continue  # e.g. the staff groups, kept in step with members.roles by code
        changelist = owner_client.get(_url(model, "changelist"), follow=True)
        assert changelist.status_code == 200, _label(model)
        request = changelist.wsgi_request
        if model_admin.has_add_permission(request):
            assert owner_client.get(_url(model, "add")).status_code == 200, _label(model)
        obj = model_admin.get_queryset(request).first()
        if obj is not None:
            response = owner_client.get(_url(model, "change", obj.pk))
            assert response.status_code == 200, _label(model)
        checked.append(_label(model))
    assert {"members.member", "rewards.ledgerentry", "referrals.referral"} <= set(checked)


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def test_no_list_runs_a_query_per_row(demo_club, owner_client, monkeypatch):
    compared = set()
    for model, model_admin in admin.site._registry.items():
        url = _url(model, "changelist")
        response = owner_client.get(url)
        if response.status_code != 200:  # a settings page that redirects to its one form,
            continue  # or a list the owner may not see
        rows = response.context["cl"].result_count
        owner_client.get(url)  # warm up: first-use rows (club, programme) are created here
        monkeypatch.setattr(model_admin, "list_per_page", 1)
        one = _queries(owner_client, url)
        monkeypatch.setattr(model_admin, "list_per_page", 100)
        many = _queries(owner_client, url)
        assert many == one, f"{_label(model)}: {one} queries for 1 row, {many} for {min(rows, 100)}"
        if rows >= 2:
            compared.add(_label(model))
    assert compared >= FILLED_BY_DEMO
