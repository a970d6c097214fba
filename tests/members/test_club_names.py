"""The club's name where it must be short or plain: the export's file name keeps every
letter, the home-screen name keeps whole words (issue 14, item 22)."""

import pytest
from django.urls import reverse

from members.models import Club
from members.services.gdpr import member_export_archive
from members.text import ascii_slug, short_name

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("name", "slug"),
    [
        ("Bakeriet på Hjørnet", "bakeriet-pa-hjornet"),
        ("Kafé Ærlig", "kafe-aerlig"),
        ("Blomster & Strå", "blomster-stra"),
        ("Straße 1", "strasse-1"),
    ],
)
def test_a_file_name_keeps_every_letter(name, slug):
    assert ascii_slug(name) == slug


@pytest.mark.parametrize(
    ("name", "short"),
    [
        ("Bakeriet på Hjørnet", "Bakeriet"),
        ("Kafé Ærlig", "Kafé Ærlig"),
        ("Frisørsalongen Lokken", "Frisørsalong"),
        ("Apotek 1 Torget", "Apotek 1"),
    ],
)
def test_a_home_screen_name_keeps_whole_words(name, short):
    assert short_name(name) == short


def test_the_export_and_the_manifest_use_them(member, client):
    club = Club.load()
    club.name = "Bakeriet på Hjørnet"
    club.save()

    filename, _archive = member_export_archive(member=member)
    assert filename == f"bakeriet-pa-hjornet-{member.number}.zip"
    assert client.get(reverse("members:manifest")).json()["short_name"] == "Bakeriet"

    club.app_name = "Hjørnet"
    club.save()
    assert client.get(reverse("members:manifest")).json()["short_name"] == "Hjørnet"
