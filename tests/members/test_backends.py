"""Signing in: Django's and allauth's backends, as configured, keep a session honest."""

import pytest
from allauth.account.auth_backends import AuthenticationBackend
from django.contrib.auth import get_user
from django.contrib.auth.backends import ModelBackend
from django.urls import reverse

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]


def test_a_session_of_a_user_since_deleted_signs_nobody_in(client):
    user = UserFactory()
    client.force_login(user)
    user.delete()
    request = client.get(reverse("members:card")).wsgi_request
    assert get_user(request).is_anonymous
    assert ModelBackend().get_user("999999") is None


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
