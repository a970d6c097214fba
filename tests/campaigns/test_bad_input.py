"""A bad period or shop gets a clear message, never a server error; nothing is computed."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.html import escape

from members import roles
from tests.factories import LocationFactory, staff_user

pytestmark = pytest.mark.django_db

ODD = [
    "",
    " ",
    "0",
    "-1",
    "1e9",
    "abc",
    "🙂",
    "<script>",
    "' OR 1=1 --",
    "x" * 5000,
    "\x00",
    "99999999999999999999",
    "2025-02-30",
    "0001-01-01",
    "9999-12-31",
    "31.12.2024",
]


@pytest.fixture
def owner(client):
    client.force_login(staff_user(roles.OWNER))
    return client


def page(client, **params):
    return client.get(reverse("campaigns:dashboard"), params)


def test_a_reversed_period_is_refused_with_a_message(owner):
    response = page(owner, start="2025-03-31", end="2025-03-01")
    assert response.status_code == 400
    (error,) = response.context["form"].errors.as_data()["__all__"]
    assert error.code == "order"
    with translation.override("nb"):  # the page's language
        assert escape(str(error.message)) in response.content.decode()
    assert "data" not in response.context


def test_garbage_dates_are_refused_per_field(owner):
    response = page(owner, start="yesterday", end="2025-13-45")
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert "start" in errors and "end" in errors
    assert 'aria-invalid="true"' in response.content.decode()


def test_an_unknown_shop_is_refused(owner):
    response = page(owner, location="424242")
    assert response.status_code == 400
    assert "location" in response.context["form"].errors


def test_a_period_reaching_past_today_is_cut_at_today(owner):
    today = timezone.localdate()
    response = page(owner, start=today.replace(day=1).isoformat(), end="2099-12-31")
    assert response.status_code == 200
    assert response.context["data"].period.last == today


def test_a_period_starting_in_the_future_or_too_long_ago_is_refused(owner):
    assert page(owner, start="2099-01-01", end="2099-01-31").status_code == 400
    assert page(owner, start="1970-01-01", end="2025-01-31").status_code == 400
    assert page(owner, start="2001-01-01", end="2025-01-31").status_code == 400  # more than five years


def test_the_csv_downloads_refuse_bad_input_in_words(owner):
    response = owner.get(
        reverse("campaigns:dashboard_csv", args=["nokkeltall"]), {"start": "2025-03-31", "end": "2025-03-01"}
    )
    assert response.status_code == 400
    assert response["Content-Type"].startswith("text/plain")
    assert response.content.decode().strip()


def test_an_unknown_table_is_not_found(owner):
    assert owner.get("/dashbord/tull.csv").status_code == 404


@pytest.mark.parametrize("value", ODD)
def test_odd_values_anywhere_are_answered_without_a_server_error(owner, value):
    LocationFactory()
    for params in ({"start": value}, {"end": value}, {"location": value}, {"start": value, "end": value}):
        assert page(owner, **params).status_code in (200, 400), params
        csv = owner.get(reverse("campaigns:dashboard_csv", args=["maneder"]), params)
        assert csv.status_code in (200, 400), params
