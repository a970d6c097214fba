"""In a real browser: the owner of a large club opens a period nobody has counted; the page
says a worker is counting, asks again by itself, and shows the figures once they are in."""

import uuid

import pytest
from django.core.cache import cache
from django.utils import timezone

from campaigns.insights import snapshots
from campaigns.insights.selectors import Period
from members import roles
from rewards import services
from tests.factories import MemberFactory, staff_user

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_the_counting_page_turns_into_the_dashboard_by_itself_when_the_count_is_in(
    logged_in, live_server, monkeypatch
):
    monkeypatch.setattr(snapshots, "COUNT_AT_ONCE", 2)  # two members: a large club here
    for _ in range(2):
        services.purchase_register(
            member=MemberFactory(), amount_ore=10_000, idempotency_key=uuid.uuid4().hex
        )
    today = timezone.localdate()
    period = Period(today, today)
    # A worker is counting (an earlier visit asked it) and has not finished.
    cache.add(f"counting:{snapshots._key(period, None)}", True, 60, version=snapshots.VERSION)
    page = logged_in(staff_user(roles.OWNER)).new_page()
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))

    page.goto(f"/dashbord/?start={today:%Y-%m-%d}&end={today:%Y-%m-%d}")
    status = page.get_by_role("status")
    assert "telles" in status.inner_text()
    page.wait_for_timeout(3500)  # one poll comes back empty: the page stays as it is
    assert page.locator("#counting").is_visible()

    snapshots.count_in_background(today.isoformat(), today.isoformat(), None)  # the worker's part

    page.locator("#freshness").wait_for(timeout=10_000)
    assert page.locator("#counting").count() == 0
    assert errors == []
