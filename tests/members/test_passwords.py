"""Passwords are stored with Argon2id at OWASP's setting, so a login costs the server about a
fifth of what PBKDF2 at a million rounds did (issue 14, item 23), and passwords stored before
the change still work and are re-stored with Argon2id at their owner's next login."""

import pytest
from django.contrib.auth.hashers import make_password
from django.test import Client
from django.urls import reverse

from clubsite import settings as production
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db
SECRET = "correct horse battery staple"


@pytest.fixture(autouse=True)
def production_hashers(settings):
    # The test settings hash with MD5 for speed; these tests are about the real list.
    settings.PASSWORD_HASHERS = production.PASSWORD_HASHERS


def test_a_new_password_is_stored_with_argon2id_at_46_mib_one_pass_one_lane():
    user = UserFactory()
    user.set_password(SECRET)

    assert user.password.startswith("argon2$argon2id$v=19$m=47104,t=1,p=1$")
    assert user.check_password(SECRET)
    assert not user.check_password("Correct horse battery staple")


def test_a_password_stored_with_pbkdf2_still_logs_in_and_is_then_stored_with_argon2id():
    user = UserFactory(email="eier@bakeriet.no")
    user.password = make_password(SECRET, hasher="pbkdf2_sha256")
    user.save()
    client = Client()

    response = client.post(reverse("account_login"), {"login": "eier@bakeriet.no", "password": SECRET})

    assert response.status_code == 302
    assert "_auth_user_id" in client.session
    user.refresh_from_db()
    assert user.password.startswith("argon2$argon2id$")


def test_a_wrong_password_against_a_pbkdf2_hash_is_refused_and_leaves_the_hash_alone():
    user = UserFactory(email="eier@bakeriet.no")
    user.password = stored = make_password(SECRET, hasher="pbkdf2_sha256")
    user.save()
    client = Client()

    response = client.post(reverse("account_login"), {"login": "eier@bakeriet.no", "password": "feil"})

    assert response.status_code == 200
    assert "_auth_user_id" not in client.session
    user.refresh_from_db()
    assert user.password == stored
