"""The club's e-mail says who it is from: the club's name, not the server's host and port
(issue 14, item 9)."""

import pytest
from django.core import mail
from django.urls import reverse

from members.models import Club
from members.services import member_join
from tests.factories import MemberFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def bakery(settings):
    settings.DEFAULT_FROM_EMAIL = "Lojal <klubb@bakeriet.example>"
    settings.LOJAL_SITE_URL = "https://klubb.bakeriet.example"
    club = Club.load()
    club.name = "Bakeriet på hjørnet"
    club.save()
    return club


def test_the_login_code_mail_names_the_club_not_the_server(client, bakery):
    MemberFactory(user__email="kari@example.com")

    client.post(
        reverse("account_request_login_code"),
        {"login": "kari@example.com"},
        SERVER_NAME="127.0.0.1",
        SERVER_PORT="8101",
    )

    message = mail.outbox[-1]
    assert message.subject == "Bakeriet på hjørnet: Innloggingskode"
    assert message.from_email == '"Bakeriet på hjørnet" <klubb@bakeriet.example>'
    assert message.message()["From"].encode()  # Django encodes the name for the wire
    assert "Bakeriet på hjørnet" in message.body
    assert "127.0.0.1" not in message.body + message.subject and "localhost" not in message.from_email


def test_the_welcome_mail_comes_from_the_club_with_links_to_its_address(bakery, after_commit):
    with after_commit():
        member_join(first_name="Kari", email="kari@example.org")

    message = mail.outbox[-1]
    assert "Bakeriet" in message.from_email and "klubb@bakeriet.example" in message.from_email
    assert "https://klubb.bakeriet.example/" in message.body
