"""Right of access and portability: one zip with everything, machine-readable and readable."""

from __future__ import annotations

import io
import json
import zipfile
from datetime import date

import pytest
from django.urls import reverse

from members.models import Interest, Member, User
from members.services import MembersError, member_erase, member_export, member_export_archive
from rewards.models import LedgerEntry
from tests.factories import LocationFactory, MemberFactory

pytestmark = pytest.mark.django_db

# Fields that are bookkeeping, not about the person; everything else must be exported.
NOT_PERSONAL = {"password", "card_secret", "is_superuser", "user"}
SECTIONS = {"wallet", "ledger", "stamps", "vouchers", "visits", "refused_scans", "referrals", "consents"}


def unzip(archive: bytes) -> tuple[dict, str]:
    with zipfile.ZipFile(io.BytesIO(archive)) as files:
        assert sorted(files.namelist()) == ["data.json", "summary.html"]
        return json.loads(files.read("data.json")), files.read("summary.html").decode()


def test_the_zip_holds_every_section_of_the_members_life(life):
    name, archive = member_export_archive(member=life.member)

    data, _summary = unzip(archive)
    assert name.endswith(f"-{life.member.number}.zip")
    assert set(data) >= SECTIONS
    assert data["wallet"]["balance"] == life.member.wallet.balance
    assert len(data["ledger"]) == LedgerEntry.objects.filter(wallet__member=life.member).count() > 0
    assert {v["reward"] for v in data["vouchers"]} == {"Kanelbolle", "Gratis kaffe"}
    assert [v["location"] for v in data["visits"]] == ["Løkka"]
    assert data["stamps"][0]["card"] == "Kaffekort"
    assert data["refused_scans"][0]["input"] == "912 34 567"
    assert {c for c, granted in data["consents"]["current"].items() if granted} == {"email", "sms"}
    assert [e["source"] for e in data["consents"]["log"]] == ["signup", "preferences"]


def test_referrals_are_exported_both_as_the_one_who_invited_and_as_the_friend(life):
    _name, archive = member_export_archive(member=life.member)

    referrals = unzip(archive)[0]["referrals"]
    inviter = referrals["as_inviter"]
    assert inviter["code"] == life.member.referral_code.code and inviter["link_opened"] == 1
    assert [(r["status"], r["my_reward"]["points"]) for r in inviter["friends_joined"]] == [("paid", 200)]
    assert referrals["as_friend"]["status"] == "paid"
    assert referrals["as_friend"]["my_reward"]["points"] == 100


def test_another_members_data_never_appears(life):
    _name, archive = member_export_archive(member=life.member)

    data, summary = unzip(archive)
    text = json.dumps(data, ensure_ascii=False) + summary
    for other in (life.olga, life.viktor):
        other = Member.objects.select_related("user").get(pk=other.pk)
        for value in (other.user.first_name, other.user.email, other.number, other.display_number):
            assert value not in text
    assert "Zelmira" in text and life.member.number in text


def test_the_summary_is_readable_and_in_the_members_language(life):
    Member.objects.filter(pk=life.member.pk).update(language="en")

    _name, archive = member_export_archive(member=life.member)

    summary = unzip(archive)[1]
    assert '<html lang="en">' in summary
    assert "Your data in" in summary and "Quist-Ødegård" in summary
    assert f"Balance: {life.member.wallet.balance} points." in summary
    assert "Kanelbolle" in summary and "Løkka" in summary


def test_a_member_with_nothing_gets_a_complete_export_too(db):
    member = MemberFactory(user__first_name="Tom")

    _name, archive = member_export_archive(member=member)

    data, summary = unzip(archive)
    assert data["wallet"] is None
    assert data["ledger"] == data["vouchers"] == data["visits"] == data["stamps"] == []
    assert data["referrals"] == {
        "as_inviter": {"code": None, "link_opened": 0, "friends_joined": []},
        "as_friend": None,
    }
    assert data["consents"] == {"current": {}, "log": []}
    assert "Tom" in summary


def test_the_export_contains_every_personal_field_of_user_and_member(db):
    member = MemberFactory(
        user__first_name="Zelmira", user__last_name="Quist-Ødegård", user__phone="+4791234567"
    )
    member.birthday, member.postcode = date(1987, 3, 14), "7043"
    member.save()
    member.interests.add(Interest.objects.create(name="Surdeig"))
    member.user.locations.add(LocationFactory(name="Bakeriet Løkka"))

    data = member_export(member=member)

    for model, section in [(User, "user"), (Member, "member")]:
        for field in model._meta.concrete_fields:
            if field.name not in NOT_PERSONAL:
                assert field.name in data[section], (
                    f"{model.__name__}.{field.name} is missing from the export"
                )
    assert data["user"]["last_name"] == "Quist-Ødegård" and data["user"]["phone"] == "+4791234567"
    assert data["member"]["birthday"] == "1987-03-14" and data["member"]["interests"] == ["Surdeig"]
    assert data["email_addresses"][0]["email"] == member.user.email
    assert data["locations"] == ["Bakeriet Løkka"]


def test_the_member_downloads_the_zip_from_my_data(life):
    assert life.browser.get(reverse("members:my_data")).status_code == 200

    response = life.browser.post(reverse("members:my_data"))

    assert response.status_code == 200 and response["Content-Type"] == "application/zip"
    assert f'filename="lojal-{life.member.number}.zip"' in response["Content-Disposition"]
    assert "no-store" in response["Cache-Control"]
    assert unzip(response.content)[0]["user"]["phone"] == "+4791234567"


def test_nothing_is_exported_for_an_erased_member(life):
    member_erase(member=life.member)

    with pytest.raises(MembersError) as error:
        member_export_archive(member=life.member)

    assert error.value.code == "already_erased"


@pytest.mark.django_db
def test_the_shop_a_member_joined_in_is_exported_by_its_name_and_the_zip_is_written():
    member = MemberFactory(channel=Member.Channel.SHOP_QR, joined_location=LocationFactory(name="Løkka"))

    data = member_export(member=member)
    _name, archive = member_export_archive(member=member)

    assert (data["member"]["channel"], data["member"]["joined_location"]) == ("shop_qr", "Løkka")
    assert (
        json.loads(zipfile.ZipFile(io.BytesIO(archive)).read("data.json"))["member"]["joined_location"]
        == "Løkka"
    )
