import io
import os

import pytest
from django.core.management import call_command
from django.db import connection, transaction
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings

from clubsite import sms
from members import roles
from rewards.models import PointsProgram
from tests.factories import LocationFactory, MemberFactory, staff_user

# Property tests: a quick look while working, a longer one in CI (CI=true).
hypothesis_settings.register_profile(
    "dev",
    max_examples=10,
    deadline=None,
    database=None,  # keep the repository clean; a failure prints its reproduction
    suppress_health_check=[HealthCheck.too_slow],
)
hypothesis_settings.register_profile("ci", parent=hypothesis_settings.get_profile("dev"), max_examples=25)
hypothesis_settings.load_profile(
    os.environ.get("HYPOTHESIS_PROFILE") or ("ci" if os.environ.get("CI") else "dev")
)


@pytest.fixture(autouse=True)
def _clean_outboxes(settings):
    sms.outbox.clear()
    yield
    sms.outbox.clear()


@pytest.fixture(autouse=True)
def _celery_join_flag():
    # Celery keeps "a task is running here, .get() would block" in one process-wide flag, set
    # and restored around every eager task. The concurrency tests run eager tasks from many
    # threads at once, which can leave it set; a later test's `.delay().get()` would then
    # fail for no reason of its own. Each test starts with it cleared, as a process would.
    from celery.result import _set_task_join_will_block

    _set_task_join_will_block(False)
    yield


@pytest.fixture(autouse=True)
def _club_language():
    # A request in English leaves English active in this thread (the locale middleware does
    # not switch back): each test starts in the club's language, as a new request would.
    from django.conf import settings
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture(autouse=True)
def _fresh_cache():
    # Rate limits live in the cache; one test's attempts must not count in the next. The
    # wallet's settings too, and their copy in this process (rolled back with each test).
    from django.core.cache import cache

    from referrals import counter_part as referral_tags
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


def load_demo_club() -> None:
    call_command("load_demo", stdout=io.StringIO())  # its logins banner is not wanted here


@pytest.fixture(scope="module")
def _demo_club_of_module(django_db_setup, django_db_blocker):
    """The demo club, loaded once for a test module inside a transaction that is rolled back
    after the module's last test. Each test runs in a savepoint on top of it (pytest-django's
    `db`), so every test still starts from the club exactly as loaded."""
    with django_db_blocker.unblock(), transaction.atomic():
        load_demo_club()
        yield
        transaction.set_rollback(True)


@pytest.fixture
def demo_club(_demo_club_of_module, db):
    """The club `make run` shows (load_demo): a few months of a real club's rows of every kind."""


# Shared by the wallet, counter, referral and GDPR tests.


@pytest.fixture
def program(db):
    """The club's points program as the defaults leave it: 1 point per krone, 12 months."""
    return PointsProgram.load()


@pytest.fixture
def shop(db):
    return LocationFactory(name="Løkka")


@pytest.fixture
def cashier(shop):
    return staff_user(roles.COUNTER_STAFF, shop)


@pytest.fixture
def till(client, cashier):
    """A browser at the till, logged in as the shop's cashier."""
    client.force_login(cashier)
    return client


@pytest.fixture
def after_commit(django_capture_on_commit_callbacks):
    """`with after_commit():` runs what the block queued for after commit (signals, tasks)."""
    return lambda: django_capture_on_commit_callbacks(execute=True)
