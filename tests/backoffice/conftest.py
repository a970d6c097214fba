"""The owner's admin: a logged-in owner, and the demo club for the pages' smoke test."""

import pytest
from django.conf import settings
from django.test import Client

from members import roles
from tests.factories import staff_user


@pytest.fixture
def owner(db):
    return staff_user(roles.OWNER)


@pytest.fixture
def owner_client(owner):
    client = Client()
    # English: the tests read the source strings, whatever the translators make of them.
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    client.force_login(owner)
    return client
