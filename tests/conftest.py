import io

import pytest
from django.core.management import call_command
from django.db import connection

from clubsite import sms
from tests.factories import MemberFactory


@pytest.fixture(autouse=True)
def _clean_outboxes(settings):
    sms.outbox.clear()
    yield
    sms.outbox.clear()


@pytest.fixture(autouse=True)
def _fresh_cache():
    # Rate limits live in the cache; one test's attempts must not count in the next. The
    # wallet's settings too, and their copy in this process (rolled back with each test).
    from django.core.cache import cache

    from referrals.templatetags import referral_tags
    from rewards import config

    cache.clear()
    config.forget()
    referral_tags.forget()  # the counter panel's copy of whether referrals are on


@pytest.fixture
def member(db):
    return MemberFactory()


@pytest.fixture
def member_client(client, member):
    client.force_login(member.user)
    return client


def requires_postgres():
    return pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="needs PostgreSQL (set DATABASE_URL): SQLite cannot prove row locks and concurrency",
    )


@pytest.fixture
def demo_club(db):
    """The club `make run` shows (load_demo): a few months of a real club's rows of every kind."""
    call_command("load_demo", stdout=io.StringIO())  # its logins banner is not wanted here
