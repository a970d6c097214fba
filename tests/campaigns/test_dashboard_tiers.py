"""The dashboard's members per tier: with a tier from 0 every member is in a tier."""

from decimal import Decimal

import pytest

from campaigns.insights.selectors import members as member_figures
from campaigns.insights.selectors.dashboard import _tier_rows
from tests.factories import MemberFactory, TierFactory
from tests.rewards.wallet_helpers import set_tier

pytestmark = pytest.mark.django_db


def rows():
    tiers, per_tier = member_figures.tier_counts()
    return {str(row.name): row.members for row in _tier_rows(tiers, per_tier, members_now=3)}


def test_members_without_a_wallet_count_in_the_base_tier():
    TierFactory(name="Bronse", threshold=0)
    solv = TierFactory(name="Sølv", threshold=2000, multiplier=Decimal("1.25"))
    MemberFactory(), MemberFactory()
    set_tier(MemberFactory(), solv)

    assert rows() == {"Bronse": 2, "Sølv": 1}


def test_without_a_base_tier_they_have_no_tier_yet():
    solv = TierFactory(name="Sølv", threshold=2000, multiplier=Decimal("1.25"))
    MemberFactory(), MemberFactory()
    set_tier(MemberFactory(), solv)

    assert rows() == {"Ikke noe nivå ennå": 2, "Sølv": 1}
