"""The owner imports the member list from CSV or Excel: a dry run lists each row's problems
and writes nothing; the import creates the good rows with their consents and opening points;
importing the same file again creates nothing and posts no points twice."""

import io
from datetime import date, datetime

import openpyxl
import pytest
import tablib
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from members.imports import MemberImportResource
from members.models import ConsentEvent, Member
from rewards import services
from rewards.models import LedgerEntry, Wallet
from tests.factories import LocationFactory, MemberFactory

pytestmark = pytest.mark.django_db
IMPORT = reverse("admin:members_member_import")
PROCESS = reverse("admin:members_member_process_import")
CSV, XLSX = "0", "1"

HEADER = "first_name,last_name,email,phone,birthday,consent_email,consent_sms,consent_version,opening_points"
FILE = "\n".join(
    [
        HEADER,
        "Nora,Hansen,nora@example.com,412 34 567,17.05.1990,ja,nei,2024-03,150",  # line 2: good
        "Emil,Berg,,+47 91234568,1985-01-31,nei,yes,2024-03,",  # line 3: good, by mobile only
        "Sara,Lie,sara@example.com,123,,,,,",  # line 4: bad mobile number
        "Dag,En,dup@example.com,,,,,,",  # line 5: same e-mail as line 6
        "Dag,To,DUP@example.com,,,,,,",  # line 6
        "Olav,Old,existing@example.com,90000001,,,,,",  # line 7: a member's e-mail, other mobile
        "Kari,Known,kari@example.com,,,,,,20",  # line 8: already a member: opening points only
        "Ida,Dato,ida@example.com,,31.02.1990,,,,",  # line 9: no such date
        "Siv,Samtykke,siv@example.com,,,ja,,,",  # line 10: consent without a wording version
    ]
)


@pytest.fixture
def existing(db):
    MemberFactory(user__email="existing@example.com", user__phone="+4798765432")
    return MemberFactory(user__email="kari@example.com", user__first_name="Kari")


def upload(client, content: bytes, *, name="members.csv", fmt=CSV):
    return client.post(IMPORT, {"import_file": SimpleUploadedFile(name, content), "format": fmt})


def confirm(client, dry_run):
    form = dry_run.context["confirm_form"]
    return client.post(PROCESS, {name: form.initial.get(name, "") for name in form.fields}, follow=True)


def errors_by_line(dry_run) -> dict[int, dict]:
    return {row.number + 1: row.error_dict for row in dry_run.context["result"].invalid_rows}


def snapshot() -> tuple[int, int, int]:
    return Member.objects.count(), ConsentEvent.objects.count(), LedgerEntry.objects.count()


def test_the_dry_run_lists_the_errors_of_each_row_and_writes_nothing(owner_client, existing):
    before = snapshot()
    dry_run = upload(owner_client, FILE.encode())
    assert dry_run.status_code == 200
    errors = errors_by_line(dry_run)
    assert set(errors) == {4, 5, 6, 7, 9, 10}
    assert "phone" in errors[4]
    assert "Also on line 6 of the file." in errors[5]["email"]
    assert "Also on line 5 of the file." in errors[6]["email"]
    assert "with another mobile number" in errors[7]["email"][0]
    assert "birthday" in errors[9]
    assert "consent_version" in errors[10]
    assert dry_run.context["counts"] == {"new": 2, "points": 1, "opening": 2, "skipped": 0, "invalid": 6}
    page = dry_run.content.decode()
    assert "Not a valid mobile number." in page and "Nothing has been saved yet." in page
    assert snapshot() == before


def test_the_import_creates_the_good_rows_with_consents_and_opening_points(owner_client, owner, existing):
    done = confirm(owner_client, upload(owner_client, FILE.encode()))
    assert done.status_code == 200
    # Nora (new) and Kari (already here) got opening points: the message says 2, not 0
    # or only Kari's 1 (issue 14, item 20).
    (message,) = [str(m) for m in done.context["messages"]]
    assert message == "Import done: 2 new members, 2 members given their opening points, 0 already there."

    nora = Member.objects.get(user__email="nora@example.com")
    assert (nora.user.first_name, nora.user.last_name, nora.user.phone) == ("Nora", "Hansen", "+4741234567")
    assert (nora.source, nora.birthday, nora.number != "") == ("import", date(1990, 5, 17), True)
    consent = nora.consent_events.get()
    assert (consent.channel, consent.granted, consent.source, consent.wording_version) == (
        "email",
        True,
        "import",
        "2024-03",
    )
    opening = LedgerEntry.objects.get(wallet__member=nora)
    assert (opening.points, opening.reason, opening.staff) == (150, "opening_balance", owner)

    emil = Member.objects.get(user__phone="+4791234568")
    assert emil.user.email is None
    assert list(emil.consent_events.values_list("channel", "wording_version")) == [("sms", "2024-03")]
    assert Wallet.objects.get(member=existing).balance == 20  # Kari was here: only her points
    assert not Member.objects.filter(user__email__in=["sara@example.com", "dup@example.com"]).exists()
    assert services.wallets_reconcile() == []


def test_importing_the_same_file_again_creates_nothing_and_posts_no_points_twice(owner_client, existing):
    confirm(owner_client, upload(owner_client, FILE.encode()))
    after_first = snapshot()

    again = upload(owner_client, FILE.encode())
    assert again.context["counts"]["new"] == 0 and again.context["counts"]["points"] == 0
    assert "confirm_form" not in again.context  # nothing left to import
    # And straight through the resource, as a real import (not a dry run):
    result = MemberImportResource().import_data(tablib.Dataset().load(FILE, format="csv"), dry_run=False)
    assert result.totals["new"] == 0 and result.totals["update"] == 0
    assert snapshot() == after_first
    assert LedgerEntry.objects.filter(reason="opening_balance").count() == 2


def test_other_opening_points_for_a_member_already_imported_are_refused(owner_client, existing):
    confirm(owner_client, upload(owner_client, FILE.encode()))
    changed = FILE.replace("2024-03,150", "2024-03,999")
    errors = errors_by_line(upload(owner_client, changed.encode()))
    assert "imported before, with 150 points" in errors[2]["opening_points"][0]


def test_an_excel_workbook_imports_too(owner_client):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["Fornavn", "E-post", "Mobil", "Fødselsdato", "consent_sms", "consent_version", "Poeng"])
    sheet.append(["Bjørn", "bjorn@example.com", 41234567, datetime(1979, 12, 24), True, "2025-01", 75])
    buffer = io.BytesIO()
    book.save(buffer)

    dry_run = upload(owner_client, buffer.getvalue(), name="medlemmer.xlsx", fmt=XLSX)
    assert dry_run.context["counts"]["new"] == 1, errors_by_line(dry_run)
    confirm(owner_client, dry_run)

    bjorn = Member.objects.get(user__email="bjorn@example.com")
    assert (bjorn.user.first_name, bjorn.user.phone, bjorn.birthday) == (
        "Bjørn",
        "+4741234567",
        date(1979, 12, 24),
    )
    assert bjorn.consent_events.get().channel == "sms"
    assert Wallet.objects.get(member=bjorn).balance == 75


def test_a_semicolon_csv_saved_by_norwegian_excel_is_read(owner_client):
    content = "fornavn;e-post;mobil\r\nBjørn;bjorn@example.com;412 34 567\r\n".encode("cp1252")
    dry_run = upload(owner_client, content)
    assert dry_run.context["counts"]["new"] == 1
    confirm(owner_client, dry_run)
    assert Member.objects.get().user.first_name == "Bjørn"


def test_a_shop_column_gives_new_members_their_home_shop_and_names_an_unknown_shop(owner_client, existing):
    majorstuen = LocationFactory(name="Bakeriet Majorstuen")
    content = "\n".join(
        [
            "fornavn,e-post,butikk",
            "Nora,nora@example.com,bakeriet majorstuen",  # line 2: the shop, however it is capitalised
            "Emil,emil@example.com,Sentrum",  # line 3: no such shop
            "Kari,kari@example.com,Bakeriet Majorstuen",  # line 4: already a member
            "Ida,ida@example.com,",  # line 5: no shop given
        ]
    )
    dry_run = upload(owner_client, content.encode())
    errors = errors_by_line(dry_run)
    assert set(errors) == {3}
    assert "«Sentrum»" in errors[3]["shop"][0]
    assert "home shop: Bakeriet Majorstuen" in dry_run.content.decode()

    confirm(owner_client, dry_run)

    nora = Member.objects.get(user__email="nora@example.com")
    assert (nora.home_location, nora.joined_location) == (majorstuen, majorstuen)
    assert Member.objects.get(user__email="ida@example.com").home_location is None
    assert not Member.objects.filter(user__email="emil@example.com").exists()
    existing.refresh_from_db()
    assert existing.home_location is None  # a member already here keeps what they have


def test_a_file_without_an_address_column_is_refused_as_a_whole(owner_client):
    dry_run = upload(owner_client, b"first_name,last_name\nNora,Hansen\n")
    assert dry_run.status_code == 200
    assert "needs a column" in dry_run.content.decode()
    assert "confirm_form" not in dry_run.context
    assert not Member.objects.exists()


@pytest.mark.parametrize(
    ("content", "name", "fmt"),
    [(b"\x00\x01 not a workbook", "x.xlsx", XLSX), (b"a,b\n1,2,3,4\n", "x.csv", CSV), (b"", "x.csv", CSV)],
)
def test_an_unreadable_file_gets_a_message_not_an_error_page(owner_client, content, name, fmt):
    response = upload(owner_client, content, name=name, fmt=fmt)
    assert response.status_code == 200
    assert response.context["form"].errors
    assert not Member.objects.exists()


def test_confirming_a_file_the_cache_forgot_asks_for_it_again(owner_client):
    response = owner_client.post(
        PROCESS,
        {"import_file_name": "gone", "original_file_name": "m.csv", "format": CSV, "resource": ""},
        follow=True,
    )
    assert response.status_code == 200
    assert any("upload it again" in str(m) for m in response.context["messages"])


def test_the_demo_file_of_fifty_paper_card_customers_imports_without_a_single_error(owner_client):
    # static/demo/papirkort-kunder.csv is what the README's demo tour imports: Norwegian
    # headers, semicolons, phones typed three ways, dates as 17.05.1990, the shop by name.
    from django.conf import settings

    shops = [LocationFactory(name=f"Bakeriet {name}") for name in ("Grünerløkka", "Majorstuen")]
    content = (settings.BASE_DIR / "static" / "demo" / "papirkort-kunder.csv").read_bytes()
    dry_run = upload(owner_client, content, name="papirkort-kunder.csv")
    assert errors_by_line(dry_run) == {}
    assert dry_run.context["counts"]["new"] == 50
    confirm(owner_client, dry_run)
    assert Member.objects.filter(source=Member.Source.IMPORT).count() == 50
    assert Member.objects.filter(user__phone="+4792601815", user__first_name="Ola").exists()
    # Two thirds of them name their shop (the file says which: 16 and 17).
    assert [Member.objects.filter(home_location=shop).count() for shop in shops] == [16, 17]
