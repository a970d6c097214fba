"""The card page as the phone gets it, the web app manifest and the service worker."""

import json
import re
from unittest import mock

import pytest
from django.urls import reverse
from django.utils import timezone

from members import card, qr
from members.models import Club
from members.services import card_code


def data_block(body: str) -> dict:
    match = re.search(r'<script id="member-card-data" type="application/json">(.*?)</script>', body, re.S)
    assert match, "the card data block is missing"
    return json.loads(match.group(1))


@pytest.mark.django_db
@pytest.mark.parametrize("name", ["members:card", "members:welcome"])
def test_the_card_page_gives_the_phone_the_derived_key_and_the_server_time(member_client, member, name):
    before = timezone.now()
    response = member_client.get(reverse(name))
    body = response.content.decode()
    data = data_block(body)
    assert data["key"] == card.member_key(member.card_secret).hex()
    assert data["number"] == member.number
    assert before.timestamp() * 1000 - 1 <= data["serverTime"] <= timezone.now().timestamp() * 1000
    assert data["stepSeconds"] == card.STEP_SECONDS
    assert data["serviceWorker"] == reverse("members:service_worker")
    assert member.card_secret not in body  # only the derived key leaves the server


@pytest.mark.django_db
def test_the_card_page_draws_the_current_code_for_phones_without_javascript(member_client, member):
    now = timezone.now()
    with mock.patch("members.views.timezone.now", return_value=now):
        body = member_client.get(reverse("members:card")).content.decode()
    assert qr.svg(card_code(member=member, at=now)) in body


@pytest.mark.django_db
def test_the_card_has_a_labelled_qr_code_the_readable_number_and_the_refresh_hint(member_client, member):
    body = member_client.get(reverse("members:card")).content.decode()
    assert re.search(r'class="member-card-qr" role="img" aria-label="[^"]+" aria-live="off"', body)
    assert member.display_number in body
    assert "member-card-hint" in body


@pytest.mark.django_db
def test_the_card_page_has_no_inline_script_but_the_data_block(member_client):
    body = member_client.get(reverse("members:card")).content.decode()
    scripts = re.findall(r"<script([^>]*)>", body)
    inline = [attrs for attrs in scripts if "src=" not in attrs]
    assert inline == [' id="member-card-data" type="application/json"']
    assert "js/card.js" in body
    assert "vendor/js-sha256/sha256.min.js" in body
    assert "vendor/qrcode-generator/qrcode.js" in body


@pytest.mark.django_db
def test_the_card_page_is_kept_out_of_shared_caches(member_client):
    response = member_client.get(reverse("members:card"))
    assert "private" in response["Cache-Control"]
    assert "no-cache" in response["Cache-Control"]


@pytest.mark.django_db
def test_every_page_links_the_manifest(client):
    body = client.get(reverse("home")).content.decode()
    assert f'<link rel="manifest" href="{reverse("members:manifest")}"' in body
    assert '<meta name="theme-color"' in body


@pytest.mark.django_db
def test_the_manifest_names_the_club_and_starts_on_the_card(client):
    club = Club.load()
    club.name, club.brand_colour = "Bakeriet på hjørnet", "#123456"
    club.save()
    response = client.get(reverse("members:manifest"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/manifest+json")
    manifest = json.loads(response.content)
    assert manifest["name"] == "Bakeriet på hjørnet"
    assert manifest["start_url"] == reverse("members:card")
    assert manifest["theme_color"] == "#123456"
    assert manifest["lang"] == "nb"
    assert {(icon["sizes"], icon["purpose"]) for icon in manifest["icons"]} == {
        ("192x192", "any"),
        ("512x512", "any"),
        ("192x192", "maskable"),
        ("512x512", "maskable"),
    }


@pytest.mark.django_db
def test_the_service_worker_is_javascript_whose_scope_covers_the_card(client):
    response = client.get(reverse("members:service_worker"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/javascript")
    assert "no-cache" in response["Cache-Control"]
    worker_folder = reverse("members:service_worker").rsplit("/", 1)[0] + "/"
    assert reverse("members:card").startswith(worker_folder)
    assert f'const CARD_URL = "{reverse("members:card")}";' in response.content.decode()


@pytest.mark.django_db
def test_anonymous_visitors_get_no_card_key(client, member):
    key = card.member_key(member.card_secret).hex()
    for name in ["members:card", "members:welcome", "members:manifest", "members:service_worker", "home"]:
        response = client.get(reverse(name))
        assert key not in response.content.decode()
        assert b"member-card-data" not in response.content
    assert client.get(reverse("members:card")).status_code == 302
