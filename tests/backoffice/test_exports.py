"""The owner exports the member list and the ledger as CSV (Excel opens it as UTF-8)."""

import csv
import io

import pytest
from django.urls import reverse

from members import services as member_services
from members.models import ConsentEvent
from rewards import services
from tests.factories import LocationFactory, MemberFactory

pytestmark = pytest.mark.django_db
CSV = "0"


def export(client, url, **query) -> list[dict]:
    response = client.post(
        url + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else ""), {"format": CSV}
    )
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert response["Content-Disposition"].startswith("attachment")
    body = response.content
    assert body.startswith("\ufeff".encode())  # the byte-order mark Excel looks for
    return list(csv.DictReader(io.StringIO(body.decode("utf-8-sig"))))


@pytest.fixture
def members(db):
    kari = MemberFactory(
        number="KAR2345Q",
        user__first_name="Kari",
        user__last_name="Nordmann",
        user__phone="+4741234567",
        home_location=LocationFactory(name="Bakeriet Majorstuen"),
    )
    member_services.consent_set(member=kari, channel="email", granted=True, source=ConsentEvent.Source.SIGNUP)
    services.points_award(member=kari, points=120, reason="gift", idempotency_key="k")
    ola = MemberFactory(number="OLA2345Q", user__first_name='=HYPERLINK("x")')
    return kari, ola


def test_the_member_export_has_the_columns_and_a_row_per_member(owner_client, members):
    kari, _ola = members
    rows = export(owner_client, reverse("admin:members_member_export"))
    assert list(rows[0]) == [
        "number",
        "first_name",
        "last_name",
        "email",
        "phone",
        "birthday",
        "postcode",
        "joined_at",
        "source",
        "shop",
        "consent_email",
        "consent_sms",
        "points",
        "tier",
        "erased_at",
    ]
    by_number = {row["number"]: row for row in rows}
    assert set(by_number) == {"KAR2345Q", "OLA2345Q"}
    row = by_number["KAR2345Q"]
    assert (row["first_name"], row["last_name"], row["email"], row["phone"]) == (
        "Kari",
        "Nordmann",
        kari.user.email,
        "+4741234567",
    )
    assert (row["consent_email"], row["consent_sms"], row["points"]) == ("1", "", "120")
    assert (row["shop"], by_number["OLA2345Q"]["shop"]) == ("Bakeriet Majorstuen", "")
    # Text a member typed is never run as a formula by the spreadsheet.
    assert by_number["OLA2345Q"]["first_name"] == '\'=HYPERLINK("x")'


def test_the_member_export_follows_the_search(owner_client, members):
    rows = export(owner_client, reverse("admin:members_member_export"), q="Kari")
    assert [row["number"] for row in rows] == ["KAR2345Q"]


def test_the_ledger_export_has_the_columns_and_a_row_per_entry(owner_client, members):
    kari, _ola = members
    entry = services.purchase_register(member=kari, amount_ore=5_000, idempotency_key="p").entry
    services.entry_reverse(entry=entry, reason="-wrong till", idempotency_key="r")
    rows = export(owner_client, reverse("admin:rewards_ledgerentry_export"))
    assert list(rows[0]) == [
        "id",
        "created_at",
        "member_number",
        "kind",
        "points",
        "remaining",
        "expires_at",
        "amount_ore",
        "reason",
        "location",
        "staff",
        "reverses",
    ]
    by_kind = {row["kind"]: row for row in rows}
    assert set(by_kind) == {"bonus", "earn", "reversal"}
    assert (by_kind["earn"]["points"], by_kind["earn"]["amount_ore"]) == ("50", "5000")
    assert (by_kind["reversal"]["points"], by_kind["reversal"]["reverses"]) == ("-50", str(entry.pk))
    assert by_kind["reversal"]["reason"] == "'-wrong till"
    assert {row["member_number"] for row in rows} == {"KAR2345Q"}


def test_the_export_page_offers_csv(owner_client):
    page = owner_client.get(reverse("admin:rewards_ledgerentry_export"))
    assert page.status_code == 200
    assert "csv" in page.content.decode()
