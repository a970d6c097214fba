"""The owner's page of one member: wallet, history, vouchers, referrals and consents on one
page (long histories cut short), and the GDPR buttons: export the data, erase the member."""

import io
import json
import zipfile

import pytest
from django.contrib.admin.models import LogEntry
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from members import services as member_services
from members.models import ConsentEvent, Member
from rewards import services
from rewards.models import LedgerEntry
from tests.factories import MemberFactory, RewardFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def kari(db):
    member = MemberFactory(number="KAR2345Q", user__first_name="Kari", user__last_name="Nordmann")
    member_services.consent_set(
        member=member, channel="email", granted=True, source=ConsentEvent.Source.SIGNUP
    )
    services.points_award(member=member, points=500, reason="welcome", idempotency_key="w")
    services.reward_redeem(member=member, reward=RewardFactory(name="Kanelbolle"), idempotency_key="r")
    return member


def page(client, member):
    response = client.get(reverse("admin:members_member_change", args=[member.pk]))
    assert response.status_code == 200
    return response.content.decode()


def test_the_member_page_shows_wallet_history_vouchers_and_consents(owner_client, kari):
    html = page(owner_client, kari)
    assert "Worth" in html and "400" in html  # 500 points less the bun's 100
    assert "Welcome bonus" in html  # the history, with the reasons as members read them
    assert "Kanelbolle" in html  # the voucher
    assert kari.consent_events.get().wording in html  # the consent, with the words agreed to
    assert reverse("admin:members_member_export_data", args=[kari.pk]) in html
    assert reverse("admin:members_member_erase", args=[kari.pk]) in html


def test_a_long_history_is_cut_short_and_the_page_costs_the_same(owner_client, kari):
    def queries() -> int:
        with CaptureQueriesContext(connection) as ctx:
            page(owner_client, kari)
        return len(ctx.captured_queries)

    def gifts(numbers):
        for i in numbers:
            services.points_award(member=kari, points=1, reason=f"gift {i}", idempotency_key=f"g{i}")

    gifts(range(25))  # past one panel's length
    page(owner_client, kari)  # warm up
    some = queries()
    gifts(range(25, 80))
    html = page(owner_client, kari)
    assert queries() == some
    assert "gift 79" in html and "gift 59" not in html  # the newest 20 only
    assert "All 82 entries" in html


def test_export_data_gives_the_members_zip(owner_client, kari):
    response = owner_client.get(reverse("admin:members_member_export_data", args=[kari.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    assert "KAR2345Q" in response["Content-Disposition"]
    with zipfile.ZipFile(io.BytesIO(response.content)) as archive:
        data = json.loads(archive.read("data.json"))
    assert data["user"]["first_name"] == "Kari"
    assert LogEntry.objects.filter(object_id=str(kari.pk)).exists()


def test_erasing_asks_how_the_request_came_and_for_confirmation(owner_client, kari):
    url = reverse("admin:members_member_erase", args=[kari.pk])
    assert owner_client.get(url).status_code == 200
    refused = owner_client.post(url, {"how": "", "note": ""})
    assert set(refused.context["form"].errors) == {"how", "confirm"}
    kari.refresh_from_db()
    assert not kari.is_erased


def test_a_note_naming_the_member_is_refused(owner_client, kari):
    url = reverse("admin:members_member_erase", args=[kari.pk])
    response = owner_client.post(url, {"how": "phone", "note": "Kari Nordmann called", "confirm": "on"})
    assert response.context["form"].errors["note"]
    assert not Member.objects.get(pk=kari.pk).is_erased


def test_the_owner_erases_a_member_and_the_history_says_how_it_was_asked(owner_client, kari):
    url = reverse("admin:members_member_erase", args=[kari.pk])
    done = owner_client.post(
        url, {"how": "phone", "note": "Request of 3 March", "confirm": "on"}, follow=True
    )
    assert done.status_code == 200
    kari.refresh_from_db()
    assert kari.is_erased and kari.user.first_name == "" and kari.user.email is None
    record = LogEntry.objects.filter(object_id=str(kari.pk)).latest("action_time")
    assert "by phone" in record.change_message and "Request of 3 March" in record.change_message
    # The books stay: the ledger still adds up, without the person.
    assert LedgerEntry.objects.filter(wallet__member=kari).count() == 2
    html = page(owner_client, kari)
    assert url not in html  # nothing left to erase or export
    again = owner_client.post(url, {"how": "phone", "confirm": "on"}, follow=True)
    assert any("already been erased" in str(m) for m in again.context["messages"])


def test_exporting_an_erased_member_is_a_message(owner_client, kari):
    member_services.member_erase(member=kari)
    response = owner_client.get(reverse("admin:members_member_export_data", args=[kari.pk]), follow=True)
    assert response.status_code == 200
    assert any("already been erased" in str(m) for m in response.context["messages"])


def test_an_unknown_member_is_not_found(owner_client):
    assert owner_client.get(reverse("admin:members_member_erase", args=[999999])).status_code == 404
    assert owner_client.get(reverse("admin:members_member_export_data", args=[999999])).status_code == 404
