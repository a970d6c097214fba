"""Limited retention: inactive members are warned once, by the channel they gave us, and erased
30 days later unless they came back."""

from __future__ import annotations

import uuid
from datetime import timedelta
from io import StringIO
from types import SimpleNamespace

import pytest
from django.conf import settings
from django.core import mail
from django.core.management import call_command
from django.utils import timezone

from clubsite import sms
from clubsite.celery import app as celery_app
from members import tasks
from members.models import Club, Member
from members.services.retention import retention_sweep
from rewards.services import points_award, points_expire_due, purchase_register, visits
from tests.factories import LocationFactory, MemberFactory, UserFactory

pytestmark = pytest.mark.django_db
DAY = timedelta(days=1)
NOW = timezone.now()
LONG_AGO = NOW - timedelta(days=3 * 365 + 30)  # past a 36-month period by about a month


@pytest.fixture(autouse=True)
def club(db):
    club = Club.load()
    club.retention_months = 36
    club.save()
    return club


@pytest.fixture
def sweep(django_capture_on_commit_callbacks):
    """Run the sweep at `at`, sending what it queues after commit (the warnings)."""

    def run(at=NOW, **kwargs):
        seen = {"cancel": [], "erase": [], "warn": []}
        with django_capture_on_commit_callbacks(execute=True):
            counts = retention_sweep(now=at, report=lambda action, m: seen[action].append(m), **kwargs)
        assert (counts.cancelled, counts.erased, counts.warned) == tuple(map(len, seen.values()))
        return SimpleNamespace(cancelled=seen["cancel"], erased=seen["erase"], warned=seen["warn"])

    return run


def member(joined=LONG_AGO, **user) -> Member:
    found = MemberFactory(**{f"user__{k}": v for k, v in user.items()})
    Member.objects.filter(pk=found.pk).update(joined_at=joined)
    return Member.objects.select_related("user").get(pk=found.pk)


def fresh(m: Member) -> Member:
    return Member.objects.select_related("user").get(pk=m.pk)


def test_an_inactive_member_is_warned_by_e_mail_once(sweep):
    sleeper = member(email="sover@example.com")

    first = sweep()
    again = sweep(at=NOW + DAY)

    assert first.warned == [sleeper] and again.warned == []
    assert [m.to for m in mail.outbox] == [["sover@example.com"]]
    assert "36" in mail.outbox[0].body
    assert fresh(sleeper).erasure_warned_at == NOW
    assert fresh(sleeper).erased_at is None


def test_a_member_with_only_a_mobile_number_is_warned_by_sms(sweep):
    sleeper = member(email=None, phone="+4791234567")

    sweep()

    assert [m.to for m in sms.outbox] == ["+4791234567"] and mail.outbox == []
    assert fresh(sleeper).erasure_warned_at == NOW


def test_the_warning_comes_30_days_before_the_period_runs_out_not_earlier(sweep):
    almost = member(joined=NOW - timedelta(days=3 * 365 - 40), email="snart@example.com")

    assert sweep().warned == []
    assert sweep(at=NOW + 40 * DAY).warned == [almost]


def test_the_member_is_erased_only_30_days_after_the_warning(sweep):
    sleeper = member(email="sover@example.com")
    sweep()

    assert sweep(at=NOW + 29 * DAY).erased == []
    assert fresh(sleeper).erased_at is None

    assert sweep(at=NOW + 30 * DAY).erased == [sleeper]
    assert fresh(sleeper).erased_at is not None and fresh(sleeper).user.email is None
    assert len(mail.outbox) == 1, "warned once, erased without another message"


@pytest.mark.parametrize("comes_back", ["visit", "purchase", "login"])
def test_coming_back_after_the_warning_cancels_it(sweep, comes_back):
    sleeper = member(email="sover@example.com")
    sweep()
    back = NOW + 10 * DAY
    if comes_back == "visit":
        staff = UserFactory()
        visits.visit_record(member=sleeper, location=LocationFactory(), staff=staff, now=back)
    elif comes_back == "purchase":
        purchase_register(member=sleeper, amount_ore=5_000, idempotency_key=uuid.uuid4().hex, at=back)
    else:
        sleeper.user.last_login = back
        sleeper.user.save(update_fields=["last_login"])

    run = sweep(at=NOW + 30 * DAY)

    assert run.cancelled == [sleeper] and run.erased == []
    assert fresh(sleeper).erasure_warned_at is None and fresh(sleeper).erased_at is None


def test_the_clubs_own_entries_do_not_keep_a_member_on_file(sweep):
    # A bonus the club gave everyone, and points expiring, are not the member's doing.
    sleeper = member(email="sover@example.com")
    points_award(member=sleeper, points=50, reason="Julebonus", idempotency_key="xmas", at=NOW - 400 * DAY)
    points_expire_due(now=NOW + 5 * 365 * DAY)

    assert sweep().warned == [sleeper]


def test_a_member_we_cannot_reach_is_erased_without_warning_when_the_period_is_over(sweep):
    # Only an account the owner deactivated can have neither e-mail nor mobile number
    # (the user's check constraint); there is nobody to warn.
    unreachable = member(email=None, phone=None, is_active=False)

    run = sweep()

    assert run.erased == [unreachable] and run.warned == []
    assert mail.outbox == [] and sms.outbox == []
    assert fresh(unreachable).erased_at is not None


def test_active_members_staff_and_a_club_that_keeps_members_are_left_alone(sweep, club):
    member(joined=NOW - 30 * DAY, email="ny@example.com")
    member(email="eier@example.com", is_staff=True)
    assert sweep().warned == []

    member(email="sover@example.com")
    club.retention_months = 0
    club.save()
    assert sweep().warned == []
    assert mail.outbox == []


def test_lengthening_the_period_cancels_warnings_no_longer_due(sweep, club):
    sleeper = member(email="sover@example.com")
    sweep()
    club.retention_months = 60
    club.save()

    run = sweep(at=NOW + 30 * DAY)

    assert run.cancelled == [sleeper] and run.erased == []


def test_a_dry_run_says_who_and_changes_nothing(sweep):
    warned = member(email="sover@example.com")
    sweep()
    due = member(email="sover2@example.com")

    out = StringIO()
    call_command("erase_inactive", "--dry-run", stdout=out)

    text = out.getvalue()
    assert f"Would warn {due.number} by email" in text
    assert warned.number not in text  # warned today: not due yet
    assert "Dry run: 1 warned, 0 erased" in text
    assert fresh(due).erasure_warned_at is None and mail.outbox[-1].to == ["sover@example.com"]


def test_the_command_warns_and_erases(sweep, django_capture_on_commit_callbacks):
    sleeper = member(email="sover@example.com")
    Member.objects.filter(pk=sleeper.pk).update(erasure_warned_at=NOW - 31 * DAY)
    newcomer = member(email="ny@example.com")

    out = StringIO()
    with django_capture_on_commit_callbacks(execute=True):
        call_command("erase_inactive", stdout=out)

    assert "1 warned, 1 erased" in out.getvalue()
    assert fresh(sleeper).erased_at is not None
    assert fresh(newcomer).erasure_warned_at is not None and mail.outbox[0].to == ["ny@example.com"]


def test_the_scheduled_task_runs_the_sweep_daily(django_capture_on_commit_callbacks):
    member(email="sover@example.com")
    entry = next(
        e for e in settings.CELERY_BEAT_SCHEDULE.values() if e["task"] == "members.tasks.erase_inactive"
    )
    assert entry["task"] in celery_app.tasks

    with django_capture_on_commit_callbacks(execute=True):
        result = tasks.erase_inactive.delay().get()

    assert result == {"warned": 1, "erased": 0, "cancelled": 0}
    assert len(mail.outbox) == 1
