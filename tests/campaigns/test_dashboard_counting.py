"""A large club's owner never waits for a count: a period nobody has counted yet is counted
by a worker while the page says so and asks again every few seconds; a small club's is
counted within the request, as before."""

from __future__ import annotations

import time
import uuid

import pytest
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone

from campaigns.insights import snapshots
from campaigns.insights.rollups import SETTLE, ledger_roll_up
from campaigns.insights.selectors import Period
from members import roles
from rewards import services
from tests.clubsite.redis_server import celery_worker_on, needs_redis, redis_url
from tests.factories import MemberFactory, staff_user

REDIS_URL = redis_url(6)
TODAY = {"start": timezone.localdate().isoformat(), "end": timezone.localdate().isoformat()}


@pytest.fixture
def owner(client):
    client.force_login(staff_user(roles.OWNER))
    return client


@pytest.fixture
def large_club(monkeypatch):
    """Two members are a large club here: over the size a request counts itself."""
    monkeypatch.setattr(snapshots, "COUNT_AT_ONCE", 2)
    for _ in range(2):
        services.purchase_register(
            member=MemberFactory(), amount_ore=10_000, idempotency_key=uuid.uuid4().hex
        )


def today() -> Period:
    return Period(timezone.localdate(), timezone.localdate())


def a_worker_is_counting(period: Period) -> None:
    """As when an earlier visit asked a worker, and the worker has not finished."""
    cache.add(f"counting:{snapshots._key(period, None)}", True, 60, version=snapshots.VERSION)


def members_shown(client) -> int:
    response = client.get(reverse("campaigns:dashboard"), TODAY)
    assert response.status_code == 200
    return response.context["data"].kpis["members"].current


def poll(client):
    return client.get(reverse("campaigns:dashboard"), TODAY, HTTP_HX_REQUEST="true")


@pytest.mark.django_db
def test_a_small_clubs_new_period_is_counted_within_the_request(owner):
    services.purchase_register(member=MemberFactory(), amount_ore=10_000, idempotency_key=uuid.uuid4().hex)
    assert members_shown(owner) == 1


@pytest.mark.django_db
def test_while_a_worker_counts_the_page_says_so_and_its_poll_waits(owner, large_club):
    a_worker_is_counting(today())

    response = owner.get(reverse("campaigns:dashboard"), TODAY, HTTP_ACCEPT_LANGUAGE="nb")

    assert response.status_code == 202
    html = response.content.decode()
    assert 'role="status"' in html
    assert "telles" in html  # «Tallene for denne perioden og butikken telles …»
    assert 'hx-trigger="every 3s"' in html
    assert f'value="{TODAY["start"]}"' in html  # the form keeps the chosen period
    assert poll(owner).status_code == 204
    assert snapshots.kept(today(), None) is None


@pytest.mark.django_db
def test_once_the_worker_has_counted_the_poll_reloads_the_page_with_the_figures(owner, large_club):
    a_worker_is_counting(today())
    owner.get(reverse("campaigns:dashboard"), TODAY)

    snapshots.count_in_background(TODAY["start"], TODAY["end"], None)  # the worker's part

    assert poll(owner)["HX-Refresh"] == "true"
    assert members_shown(owner) == 2


@pytest.mark.django_db
def test_a_download_of_an_uncounted_period_counts_it_at_once(owner, large_club):
    a_worker_is_counting(today())
    response = owner.get(reverse("campaigns:dashboard_csv", args=["nokkeltall"]), TODAY)
    assert response.status_code == 200
    assert snapshots.kept(today(), None) is not None


@pytest.mark.redis
@needs_redis(REDIS_URL)
@pytest.mark.django_db(transaction=True)
def test_a_real_worker_counts_the_period_through_redis_and_the_poll_then_reloads(owner, large_club):
    ledger_roll_up(now=timezone.now() + SETTLE)  # the rollups are fresh: the count is the worker's one task
    with celery_worker_on(REDIS_URL):
        first = owner.get(reverse("campaigns:dashboard"), TODAY)
        deadline = time.monotonic() + 30
        while (answer := poll(owner)).status_code == 204 and time.monotonic() < deadline:
            time.sleep(0.2)

    assert first.status_code == 202
    assert answer["HX-Refresh"] == "true"
    assert snapshots.kept(today(), None).counts.members_now == 2
