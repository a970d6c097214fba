"""The signed-in user is loaded by a statement worked out once, and comes back as the ORM makes it."""

import pytest
from django.contrib.auth import get_user
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from members.backends import AuthenticationBackend, ModelBackend, user_by_pk
from members.models import User
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

BACKENDS = ["members.backends.ModelBackend", "members.backends.AuthenticationBackend"]


def _fields(user: User) -> dict:
    return {field.attname: getattr(user, field.attname) for field in User._meta.concrete_fields}


def test_the_user_read_is_the_orms_user_field_by_field():
    made = UserFactory(phone="+4741234567", phone_verified=True, last_name="Nordmann", is_staff=True)
    User.objects.filter(pk=made.pk).update(last_login=timezone.now())
    lean, orm = user_by_pk(str(made.pk)), User.objects.get(pk=made.pk)
    assert _fields(lean) == _fields(orm)
    assert lean.last_login.tzinfo is not None and lean.date_joined.tzinfo is not None
    assert lean.is_staff is True and lean.phone_verified is True  # booleans, also on SQLite
    assert lean._state.adding is False and lean._state.db == orm._state.db  # saved as an update
    lean.first_name = "Kari"
    lean.save(update_fields=["first_name"])
    assert User.objects.get(pk=made.pk).first_name == "Kari"


def test_it_takes_one_statement():
    user = UserFactory()
    with CaptureQueriesContext(connection) as queries:
        assert user_by_pk(user.pk) is not None
    assert len(queries) == 1


@pytest.mark.parametrize("session_value", ["999999", "not a number", "", None, "1.5"])
def test_an_id_of_nobody_is_no_user(session_value):
    assert user_by_pk(session_value) is None
    assert ModelBackend().get_user(session_value) is None


@pytest.mark.parametrize("backend", [ModelBackend, AuthenticationBackend])
def test_an_inactive_user_is_not_signed_in(backend):
    user = UserFactory(is_active=False)
    assert backend().get_user(str(user.pk)) is None
    assert backend().get_user(str(UserFactory().pk)) is not None


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_session_from_either_backend_signs_the_user_in_until_the_password_changes(client, backend):
    user = UserFactory()
    client.force_login(user, backend=backend)
    request = client.get(reverse("members:card")).wsgi_request
    assert get_user(request).pk == user.pk
    user.set_password("a whole new secret phrase")
    user.save()
    request = client.get(reverse("members:card")).wsgi_request
    assert get_user(request).is_anonymous  # the session hash no longer matches
