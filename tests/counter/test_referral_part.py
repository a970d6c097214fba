"""The panel's referral part (registered in rewards.registry): whether the programme is on
comes from this process's copy."""

import time

import pytest

from referrals import counter_part as referral_tags
from referrals.models import ReferralProgram
from tests.referrals.helpers import referral_part

pytestmark = pytest.mark.django_db


@pytest.fixture
def programme(db):
    return ReferralProgram.load()  # off, as a new club's is


def test_the_referral_part_asks_nothing_while_the_programme_is_off(
    guest, shop, programme, django_assert_num_queries
):
    assert referral_part(guest, shop) == ""  # reads the programme

    with django_assert_num_queries(0):
        assert referral_part(guest, shop) == ""


def test_switching_the_programme_on_shows_the_part_at_once_in_this_process(guest, shop, programme):
    assert referral_part(guest, shop) == ""

    programme.is_active = True
    programme.save()

    assert 'name="code"' in referral_part(guest, shop)


def test_another_process_switching_it_on_is_seen_within_a_few_seconds(guest, shop, programme):
    assert referral_part(guest, shop) == ""
    ReferralProgram.objects.update(is_active=True)  # as another process's save looks from here

    assert referral_part(guest, shop) == ""  # this process's copy, for now
    read_at, active = referral_tags._local
    referral_tags._local = (read_at - referral_tags.LOCAL_SECONDS, active)

    assert 'name="code"' in referral_part(guest, shop)
    assert time.monotonic() - referral_tags._local[0] < 1  # read again just now
