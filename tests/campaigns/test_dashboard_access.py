"""Who may see the dashboard and download its tables: the owner and customer service."""

from __future__ import annotations

import pytest
from django.urls import reverse

from campaigns.insights import tables
from members import roles
from tests.factories import LocationFactory, MemberFactory, staff_user

pytestmark = pytest.mark.django_db


def urls() -> list[str]:
    return [reverse("campaigns:dashboard")] + [
        reverse("campaigns:dashboard_csv", args=[name]) for name in tables.TABLES
    ]


def test_anonymous_visitors_are_sent_to_log_in(client):
    for url in urls():
        response = client.get(url)
        assert response.status_code == 302 and "/accounts/login/" in response.url, url


def test_members_are_refused(client):
    client.force_login(MemberFactory().user)
    for url in urls():
        assert client.get(url).status_code == 403, url


def test_counter_staff_can_neither_see_the_dashboard_nor_download_its_tables(client):
    client.force_login(staff_user(roles.COUNTER_STAFF, LocationFactory()))
    for url in urls():
        assert client.get(url).status_code == 403, url
    assert "/dashbord/" not in client.get(reverse("rewards:counter")).content.decode()


@pytest.mark.parametrize("role", [roles.CUSTOMER_SERVICE, roles.OWNER])
def test_customer_service_and_the_owner_see_it_all(client, role):
    client.force_login(staff_user(role))
    for url in urls():
        assert client.get(url).status_code == 200, url
    assert reverse("campaigns:dashboard") in client.get(reverse("home")).content.decode()


def test_only_the_owner_is_offered_the_settings(client):
    settings_url = reverse("admin:campaigns_clubeconomics_changelist")
    client.force_login(staff_user(roles.CUSTOMER_SERVICE))
    assert settings_url not in client.get(reverse("campaigns:dashboard")).content.decode()
    client.force_login(staff_user(roles.OWNER))
    assert settings_url in client.get(reverse("campaigns:dashboard")).content.decode()


def test_the_owner_edits_the_economics_in_admin(client):
    from campaigns.models import ClubEconomics

    client.force_login(staff_user(roles.OWNER))
    page = client.get(reverse("admin:campaigns_clubeconomics_changelist"), follow=True)
    assert page.status_code == 200
    change = reverse("admin:campaigns_clubeconomics_change", args=[1])
    data = {
        "gross_margin_percent": "35",
        "monthly_operating_cost_kr": "1200",
        "uplift_percent": "8",
        "member_discount_percent": "0",
        "free_voucher_value_kr": "40",
        "active_window_days": "60",
    }
    assert client.post(change, data).status_code == 302
    assert ClubEconomics.load().active_window_days == 60
    data["gross_margin_percent"] = "140"
    assert client.post(change, data).status_code == 200  # refused: more than 100 %
    assert ClubEconomics.load().gross_margin_percent == 35
