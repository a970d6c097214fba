"""The privacy page is generated from the club's settings, in every language the club speaks."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.urls import reverse

from members.models import Club
from referrals.models import ReferralProgram

pytestmark = pytest.mark.django_db


@pytest.fixture
def club(db):
    club = Club.load()
    club.name, club.contact_email, club.retention_months = "Bakeriet", "personvern@bakeriet.no", 24
    club.privacy = "Kameraovervåking i butikken: se oppslag ved inngangen."
    club.save()
    return club


def page(client, language: str) -> str:
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    response = client.get(reverse("privacy"))
    assert response.status_code == 200
    return response.content.decode()


@pytest.mark.parametrize("language", ["nb", "en", "sv"])
def test_the_page_answers_in_each_language_with_the_period_and_the_contact(client, club, language):
    body = page(client, language)

    assert f'<html lang="{language}">' in body
    assert "24" in body and "personvern@bakeriet.no" in body
    assert "Kameraovervåking i butikken" in body, "the owner's own text comes after the generated one"


def test_each_purpose_has_what_why_legal_basis_and_how_long(client, club):
    body = page(client, "en")

    assert body.count("<dt>Legal basis</dt>") == body.count("<dt>How long we keep it</dt>") >= 4
    assert "art. 6(1)(a)" in body and "art. 6(1)(b)" in body and "art. 6(1)(f)" in body
    assert "Until you delete your membership, or until it has not been used for 24 months" in body


def test_a_club_that_keeps_members_says_so(client, club):
    club.retention_months = 0
    club.save()

    body = page(client, "en")

    assert "Until you delete your membership." in body and "not been used for" not in body


def test_the_referral_programme_is_described_only_while_it_runs(client, club):
    assert "Invite a friend" not in page(client, "en")

    program = ReferralProgram.load()
    program.is_active = True
    program.save()

    assert "Invite a friend" in page(client, "en")


def test_without_a_contact_address_the_page_sends_people_to_the_shop(client, club):
    club.contact_email = ""
    club.save()

    assert "ask us in the shop" in page(client, "en")


def test_the_footer_and_the_join_page_link_to_it(client, club):
    body = client.get(reverse("members:join")).content.decode()

    assert body.count(f'href="{reverse("privacy")}"') >= 2
