"""Every page of the owner's admin speaks Norwegian: no English from the libraries whose
catalogues lack a string, no raw codes, no decimal points (issue 14, item 19)."""

import re

import pytest
from django.test import Client
from django.urls import reverse

from campaigns.models import ClubEconomics
from campaigns.sending.content import MERGE_FIELDS
from clubsite.management.commands.load_demo import OWNER
from members.imports.rows import columns as import_columns
from rewards.admin_ledger import LedgerExportResource
from tests.clubsite.test_crawl import crawl, logged_in

pytestmark = pytest.mark.django_db

# English that showed in the nb admin (Django's newest admin strings, django-import-export
# and django-axes have no Norwegian), and field labels left in English.
ENGLISH = [
    "Skip to main content",
    "Toggle theme",
    "Model name",
    "Add link",
    "Change or view list link",
    "Show counts",
    "Hide counts",
    "Export",
    "File to import",
    "Format:",
    "This exporter will export",
    "Select all",
    "Choose all",
    "Qualifying",
    "Access attempts",
    "Access failures",
    "Axes",
    "Can add",
    "Can change",
    "Can view",
    "Can delete",
]
# A code as the code has it: "member_not_found", "undo"; column names of the member file
# (the import page lists them on purpose) are not codes.
CODE = re.compile(r"\b[a-z]+(?:_[a-z]+)+\b")
RAW_REASONS = ["undo", "refund", "welcome"]
DECIMAL_POINT = re.compile(r"\b\d+\.\d+\s?%")


def visible(html: str) -> str:
    html = re.sub(
        r"(?s)<script.*?</script>|<style.*?</style>|<head>.*?</head>|<select.*?</select>", " ", html
    )
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def test_every_admin_page_of_the_owner_is_norwegian(demo_club):
    client, _start = logged_in(OWNER[0])
    statuses, _errors, _forms = crawl(client, ["/admin/", "/admin/members/member/export/"])
    # The export pages list the file's columns, and allauth's token form names OAuth's fields.
    file_columns = set(import_columns()) | {"consent_email", "consent_sms", "erased_at", "joined_at"}
    file_columns |= {field.column_name for field in LedgerExportResource().get_export_fields()}
    file_columns |= {"oauth_token", "oauth_token_secret"}
    file_columns |= set(MERGE_FIELDS)  # the campaign form lists the merge fields the owner types
    found = []
    for url, status in statuses.items():
        response = client.get(url) if url.startswith("/admin/") and status == 200 else None
        if response is None or "text/html" not in response.get("Content-Type", ""):
            continue
        text = visible(response.content.decode())
        found += [f"{url}: {word!r}" for word in ENGLISH if word in text]
        codes = {
            code for code in CODE.findall(text) if not code.startswith("whsec_")
        }  # a new webhook's secret
        found += [f"{url}: code {code!r}" for code in codes - file_columns]
        found += [f"{url}: reason {word!r}" for word in RAW_REASONS if f" {word} " in text]
        found += [f"{url}: {number!r}" for number in DECIMAL_POINT.findall(text)]
    assert found == [], "\n".join(found)


def test_percentages_and_multipliers_are_written_with_a_comma_and_taken_either_way(owner):
    norwegian = Client()
    norwegian.force_login(owner)
    url = reverse("admin:campaigns_clubeconomics_change", args=[ClubEconomics.load().pk])
    shown = norwegian.get(url)
    assert re.search(r'<input type="text" name="uplift_percent" value="10,00"', shown.content.decode())

    form = shown.context["adminform"].form
    data = {name: form.initial.get(name) for name in form.fields}
    norwegian.post(url, data | {"uplift_percent": "12,5", "gross_margin_percent": "40.5"})

    economics = ClubEconomics.load()
    assert (str(economics.uplift_percent), str(economics.gross_margin_percent)) == ("12.50", "40.50")
