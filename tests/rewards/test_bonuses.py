"""Bonuses: welcome and completed profile once per member; birthday once a year, in the
birthday month, and not for a birthday entered in the last 30 days."""

from datetime import UTC, date, datetime

import pytest

from members.models import Interest
from rewards.models import LedgerEntry
from rewards.services import bonus_birthdays_due, bonus_profile_award
from rewards.services.welcome import welcome_gift_give as bonus_welcome_award
from tests.factories import MemberFactory
from tests.rewards.wallet_helpers import balance

pytestmark = pytest.mark.django_db

LONG_AGO = datetime(2020, 1, 1, tzinfo=UTC)


@pytest.fixture
def bonuses(program):
    program.welcome_bonus = 50
    program.profile_bonus = 75
    program.birthday_bonus = 100
    program.save()
    return program


def bonus_entries(member, reason) -> list[LedgerEntry]:
    return list(LedgerEntry.objects.filter(wallet__member=member, reason=reason))


def born_in_may(**kwargs):
    return MemberFactory(birthday=date(1990, 5, 17), birthday_set_at=LONG_AGO, **kwargs)


def test_the_welcome_bonus_is_paid_once(member, bonuses):
    first = bonus_welcome_award(member=member)
    again = bonus_welcome_award(member=member)

    assert (first.entry.kind, first.entry.points) == (LedgerEntry.Kind.BONUS, 50)
    assert again.replayed
    assert again.entry.pk == first.entry.pk
    assert len(bonus_entries(member, "welcome")) == 1
    assert balance(member) == 50


def test_no_welcome_bonus_when_the_program_has_none(member, program):
    assert bonus_welcome_award(member=member) is None
    assert not LedgerEntry.objects.exists()


def test_the_profile_bonus_waits_for_a_complete_profile_and_is_paid_once(member, bonuses):
    assert bonus_profile_award(member=member) is None

    member.birthday, member.postcode = date(1990, 5, 17), "0150"
    member.save()
    assert bonus_profile_award(member=member) is None  # interests still missing
    member.interests.add(Interest.objects.create(name="Brød"))

    first = bonus_profile_award(member=member)
    again = bonus_profile_award(member=member)

    assert first.entry.points == 75
    assert again.replayed
    assert len(bonus_entries(member, "profile")) == 1
    assert balance(member) == 75


def test_the_birthday_bonus_is_paid_in_the_birthday_month(bonuses):
    birthday_child = born_in_may()
    born_in_june = MemberFactory(birthday=date(1990, 6, 1), birthday_set_at=LONG_AGO)
    no_birthday = MemberFactory()

    assert bonus_birthdays_due(today=date(2030, 5, 2)) == 1

    assert [e.points for e in bonus_entries(birthday_child, "birthday")] == [100]
    assert bonus_entries(born_in_june, "birthday") == []
    assert bonus_entries(no_birthday, "birthday") == []


def test_the_birthday_bonus_is_paid_once_a_year(bonuses):
    member = born_in_may()

    assert bonus_birthdays_due(today=date(2030, 5, 2)) == 1
    assert bonus_birthdays_due(today=date(2030, 5, 3)) == 0
    assert bonus_birthdays_due(today=date(2030, 5, 31)) == 0
    assert len(bonus_entries(member, "birthday")) == 1

    assert bonus_birthdays_due(today=date(2031, 5, 2)) == 1
    assert len(bonus_entries(member, "birthday")) == 2


def test_no_birthday_bonus_for_a_birthday_entered_in_the_last_30_days(bonuses):
    today = date(2030, 5, 10)
    just_entered = born_in_may()
    just_entered.birthday_set_at = datetime(2030, 4, 30, 12, 0, tzinfo=UTC)
    just_entered.save()

    assert bonus_birthdays_due(today=today) == 0
    assert bonus_entries(just_entered, "birthday") == []


def test_a_birthday_entered_more_than_30_days_ago_earns_the_bonus(bonuses):
    today = date(2030, 5, 10)
    member = born_in_may()
    member.birthday_set_at = datetime(2030, 3, 31, 12, 0, tzinfo=UTC)
    member.save()

    assert bonus_birthdays_due(today=today) == 1
    assert len(bonus_entries(member, "birthday")) == 1


def test_the_30_days_are_counted_back_from_the_day_the_job_runs_for(bonuses):
    # Entered 10 days before the job's day, but years before the wall clock: still too new.
    member = born_in_may()
    member.birthday_set_at = datetime(2020, 4, 30, 12, 0, tzinfo=UTC)
    member.save()

    assert bonus_birthdays_due(today=date(2020, 5, 10)) == 0
    assert bonus_birthdays_due(today=date(2020, 5, 31)) == 1


def test_an_erased_member_gets_no_birthday_bonus(bonuses):
    erased = born_in_may(erased_at=LONG_AGO)

    assert bonus_birthdays_due(today=date(2030, 5, 2)) == 0
    assert bonus_entries(erased, "birthday") == []


def test_no_birthday_bonuses_when_the_program_has_none(program):
    born_in_may()

    assert bonus_birthdays_due(today=date(2030, 5, 2)) == 0
    assert not LedgerEntry.objects.exists()
