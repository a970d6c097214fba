"""With a read replica the owner's heavy pages read from it; the till and every write stay on
the primary; without one nothing changes. The "replica" here is the test database itself
(tests/settings.py), so each query's connection shows where the router sent it."""

from __future__ import annotations

import uuid

import pytest
from django.db import connections
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from campaigns.insights.rollups import SETTLE, ledger_roll_up
from campaigns.models import Campaign, Message
from clubsite.replica import from_replica, read_alias
from members import roles
from rewards.models import LedgerEntry
from rewards.services import purchase_register
from tests.campaigns.sending_helpers import campaign
from tests.factories import LocationFactory, MemberFactory, staff_user

pytestmark = pytest.mark.django_db(transaction=True, databases=["default", "replica"])


def captured(alias: str):
    return CaptureQueriesContext(connections[alias])


def ledger_reads(context) -> int:
    return sum(LedgerEntry._meta.db_table in q["sql"] for q in context.captured_queries)


@pytest.fixture
def replica(settings):
    settings.READ_REPLICA = True


def test_the_dashboard_reads_the_ledger_from_the_replica(client, replica):
    member, shop = MemberFactory(), LocationFactory()
    purchase_register(member=member, amount_ore=10_000, idempotency_key=uuid.uuid4().hex, location=shop)
    ledger_roll_up(now=timezone.now() + SETTLE)  # up to date: the page asks for no catch-up
    client.force_login(staff_user(roles.OWNER))
    with captured("default") as primary, captured("replica") as copy:
        response = client.get(reverse("campaigns:dashboard"))
        csv = client.get(
            reverse("campaigns:dashboard_csv", args=["nokkeltall"]),
            {"start": "2026-01-01", "end": "2026-01-31"},
        )
    assert response.status_code == 200 and csv.status_code == 200
    assert ledger_reads(copy) >= 2  # the dashboard's and the CSV's
    assert ledger_reads(primary) == 0  # the primary: the session and the user, never the figures


def test_a_campaigns_report_in_admin_reads_its_messages_from_the_replica(client, replica):
    made = campaign(status=Campaign.Status.DONE)  # a draft's audience preview reads the primary
    client.force_login(staff_user(roles.OWNER))
    with captured("default") as primary, captured("replica") as copy:
        page = client.get(reverse("admin:campaigns_campaign_change", args=[made.pk]))
    assert page.status_code == 200

    def message_reads(context) -> int:
        return sum(f'FROM "{Message._meta.db_table}"' in q["sql"] for q in context.captured_queries)

    assert message_reads(copy) >= 2  # the report's counts and its buyers
    assert message_reads(primary) == 0


def test_the_till_never_reads_from_the_replica(client, replica):
    shop = LocationFactory()
    member = MemberFactory()
    client.force_login(staff_user(roles.COUNTER_STAFF, shop))
    with captured("replica") as copy:
        assert client.get(reverse("rewards:counter_page", args=[shop.pk])).status_code == 200
        assert client.get(reverse("rewards:counter_member", args=[shop.pk, member.number])).status_code == 200
    assert copy.captured_queries == []


def test_a_write_inside_a_replica_read_still_goes_to_the_primary(replica):
    member = MemberFactory()
    with from_replica(), captured("replica") as copy, captured("default") as primary:
        assert read_alias() == "replica"
        LedgerEntry.objects.count()
        member.user.first_name = "Kari"
        member.user.save(update_fields=["first_name"])
    assert len(copy.captured_queries) == 1
    assert any(q["sql"].startswith("UPDATE") for q in primary.captured_queries)


def test_without_a_replica_everything_reads_from_the_one_database(client):
    client.force_login(staff_user(roles.OWNER))
    with from_replica():
        assert read_alias() == "default"
    with captured("replica") as copy:
        assert client.get(reverse("campaigns:dashboard")).status_code == 200
    assert copy.captured_queries == []
