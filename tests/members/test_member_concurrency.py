"""Real races on a member's own rows against PostgreSQL (skipped visibly on SQLite)."""

import pytest

from members.models import ConsentEvent, Member
from members.services import consent_set, member_erase
from tests.conftest import requires_postgres
from tests.rewards.wallet_helpers import run_together

pytestmark = [requires_postgres(), pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_the_same_consent_ticked_on_six_devices_at_once_is_recorded_once(member):
    for _round in range(5):
        run_together(
            6,
            lambda n: consent_set(
                member=member, channel="email", granted=True, source=ConsentEvent.Source.PREFERENCES
            ),
        )
        run_together(
            6,
            lambda n: consent_set(
                member=member, channel="email", granted=False, source=ConsentEvent.Source.PREFERENCES
            ),
        )

    events = ConsentEvent.objects.filter(member=member, channel="email").order_by("pk")
    assert [e.granted for e in events] == [True, False] * 5


def test_an_erasure_asked_for_four_times_at_once_erases_once_and_refuses_the_rest(member):
    outcomes = run_together(4, lambda n: member_erase(member=member))

    assert sorted(o if isinstance(o, str) else "erased" for o in outcomes) == ["already_erased"] * 3 + [
        "erased"
    ]
    assert Member.objects.get(pk=member.pk).is_erased
