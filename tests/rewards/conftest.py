"""Fixtures for the wallet tests. Points are always given through the services."""

from decimal import Decimal

import pytest

from tests.factories import MemberFactory, TierFactory
from tests.rewards.api_client import Register, make_key


@pytest.fixture
def other_member(db):
    return MemberFactory()


@pytest.fixture
def tiers(db):
    """Bronse from the first krone, Sølv from 2 000 and Gull from 5 000 qualifying points."""
    return (
        TierFactory(name="Bronse", threshold=0, multiplier=Decimal("1.00")),
        TierFactory(name="Sølv", threshold=2000, multiplier=Decimal("1.25")),
        TierFactory(name="Gull", threshold=5000, multiplier=Decimal("1.50")),
    )


@pytest.fixture
def register(client, shop, program):
    """A register at `shop` with a key of every scope."""
    _key, raw = make_key(shop)
    return Register(client, raw)
