"""The login pages in the words of a Norwegian shop (issue 14, item 10)."""

import re

import pytest
from django.test import Client
from django.urls import reverse

from members.phone import phone_display
from tests.factories import MemberFactory

pytestmark = pytest.mark.django_db


def text(response) -> str:
    html = re.sub(r"(?s)<head>.*?</head>|<script.*?</script>", "", response.content.decode())
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def test_the_code_page_writes_the_phone_as_people_do_and_says_how_long_the_code_works(client):
    MemberFactory(user__phone="+4747812345")
    sent = client.post(reverse("account_request_login_code"), {"login": "47812345"}, follow=True)

    page = sent.content.decode()
    written = phone_display("+4747812345")  # as the club writes numbers everywhere
    assert f"Vi har sendt en kode til {written}. Den gjelder i 10 minutter." in text(sent)
    assert "tel:" not in page and "mailto:" not in page and "+4747812345" not in page
    assert "vennligst" not in page
    cancel = re.search(r'<button[^>]*form="logout-from-stage"[^>]*>', page)[0]
    assert "btn-outline-secondary" in cancel and "btn-club" not in cancel


def test_the_password_login_names_its_field_and_points_to_joining(client):
    page = text(client.get(reverse("account_login")))

    assert "E-post eller mobilnummer" in page and " Logg inn * " not in page
    assert "Bli medlem på ti sekunder" in page or "Bli med på ti sekunder" in page
    assert "/accounts/signup/" not in client.get(reverse("account_login")).content.decode()


def test_logging_out_asks_in_plain_norwegian(member):
    client = Client()
    client.force_login(member.user)

    page = text(client.get(reverse("account_logout")))

    assert "Vil du logge ut?" in page and "Er du sikker at" not in page
