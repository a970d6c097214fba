"""Five wrong passwords lock the account that was tried, from that IP, not the whole shop:
a colleague or a customer on the same network still logs in (issue 14, item 8)."""

import pytest
from axes.models import AccessAttempt
from django.test import Client
from django.urls import reverse

from members.lockout import axes_username
from tests.factories import MemberFactory, UserFactory

pytestmark = pytest.mark.django_db
SECRET = "correct horse battery staple"
SHOP_IP = "203.0.113.7"


def login(client, login, password, ip=SHOP_IP):
    return client.post(reverse("account_login"), {"login": login, "password": password}, REMOTE_ADDR=ip)


def logged_in(client) -> bool:
    return "_auth_user_id" in client.session


@pytest.fixture
def colleague(db):
    user = UserFactory(email="kari@bakeriet.no", phone="+4791234567", phone_verified=True)
    user.set_password(SECRET)
    user.save()
    return user


def test_five_wrong_passwords_lock_that_account_from_that_ip(colleague, settings):
    settings.AXES_FAILURE_LIMIT = 5
    for _ in range(5):
        login(Client(), "kari@bakeriet.no", "wrong")

    locked = Client()
    response = login(locked, "Kari@Bakeriet.no", SECRET)

    assert response.status_code == 429 and not logged_in(locked)
    assert AccessAttempt.objects.get().username == "kari@bakeriet.no"


def test_a_colleague_and_a_customer_on_the_same_ip_still_log_in(colleague, settings):
    settings.AXES_FAILURE_LIMIT = 5
    owner = UserFactory(email="eier@bakeriet.no")
    owner.set_password(SECRET)
    owner.save()
    customer = MemberFactory(user__phone="+4798765432", user__phone_verified=True).user
    customer.set_password(SECRET)
    customer.save()
    for _ in range(5):
        login(Client(), "nobody@example.org", "wrong")  # an address that does not exist
    for _ in range(5):
        login(Client(), "kari@bakeriet.no", "wrong")

    for who in ("eier@bakeriet.no", "+4798765432"):
        client = Client()
        login(client, who, SECRET)
        assert logged_in(client), who


def test_the_mistyped_account_logs_in_from_another_ip(colleague, settings):
    settings.AXES_FAILURE_LIMIT = 5
    for _ in range(5):
        login(Client(), "kari@bakeriet.no", "wrong")

    home = Client()
    login(home, "kari@bakeriet.no", SECRET, ip="198.51.100.2")

    assert logged_in(home)


def test_one_ip_trying_many_accounts_is_refused_at_a_much_higher_count(colleague, settings):
    settings.AXES_FAILURE_LIMIT, settings.LOGIN_IP_FAILURE_LIMIT = 5, 12
    for n in range(12):
        login(Client(), f"guess{n}@example.org", "wrong")

    client = Client()
    response = login(client, "kari@bakeriet.no", SECRET)

    assert response.status_code == 429 and not logged_in(client)
    other = Client()
    login(other, "kari@bakeriet.no", SECRET, ip="198.51.100.2")
    assert logged_in(other)


def test_a_phone_login_locks_the_same_account_however_it_is_typed(colleague, settings):
    settings.AXES_FAILURE_LIMIT = 3
    for typed in ("912 34 567", "+47 912 34 567", "91234567"):
        login(Client(), typed, "wrong")

    client = Client()
    login(client, "91234567", SECRET)

    assert not logged_in(client)
    assert set(AccessAttempt.objects.values_list("username", flat=True)) == {"+4791234567"}


@pytest.mark.parametrize(
    ("credentials", "account"),
    [
        ({"username": "Eier@Bakeriet.no"}, "eier@bakeriet.no"),
        ({"email": "kari@x.no", "password": "x"}, "kari@x.no"),
        ({"phone": "+4791234567"}, "+4791234567"),
        ({"login": "x" * 10_000}, "x" * 255),
        ({"login": "a\x00b"}, "a\N{SYMBOL FOR NULL}b"),
    ],
)
def test_the_account_is_read_from_whichever_field_names_it(credentials, account):
    assert axes_username(None, credentials) == account
