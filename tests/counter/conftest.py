"""Fixtures for the counter: a shop, its staff, a member with a real-looking number."""

import pytest

from members import roles
from tests.factories import LocationFactory, MemberFactory, StampCardFactory, staff_user


@pytest.fixture
def other_shop(db):
    return LocationFactory(name="Majorstuen")


@pytest.fixture
def service_desk(db):
    return staff_user(roles.CUSTOMER_SERVICE)


@pytest.fixture
def guest(db):
    """A member at the till, with a number in the card alphabet and a mobile number."""
    member = MemberFactory(number="KAR2345Q", user__first_name="Kari", user__last_name="Nordmann")
    member.user.phone = "+4791234567"
    member.user.save(update_fields=["phone"])
    return member


@pytest.fixture
def coffee_card(db):
    return StampCardFactory(name="Kaffekort", stamps_needed=3, max_stamps_per_visit=2)


@pytest.fixture
def other_member(db):
    return MemberFactory(number="OLA2345Q", user__first_name="Ola")
