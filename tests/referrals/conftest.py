"""Fixtures for referrals: an active programme, Kari who invites, a shop and its till.

Purchases go through the wallet's services and the referral receivers run after commit, as
in production (tests wrap them in `after_commit`, which runs the on-commit callbacks).
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.conf import settings
from django.utils import timezone

from referrals import services
from referrals.models import ReferralProgram
from rewards.models import PointsProgram
from tests.factories import MemberFactory


@pytest.fixture
def points_program(db):
    return PointsProgram.load()


@pytest.fixture
def program(db, points_program):
    """Kari gets 200 points, the friend 100, for a first purchase of 100 kr within 30 days;
    paid after 14 days; at most 10 a month; 3 sign-ups from one IP in an hour are a burst."""
    program = ReferralProgram.load()
    program.is_active = True
    program.referrer_points, program.friend_points = 200, 100
    program.min_purchase_ore = 10_000
    program.qualify_within_days, program.hold_days = 30, 14
    program.cap_per_month, program.burst_count, program.burst_minutes = 10, 3, 60
    program.save()
    return program


@pytest.fixture
def no_hold(program):
    program.hold_days = 0
    program.save()
    return program


@pytest.fixture
def kari(db):
    member = MemberFactory(
        number="KAR2345Q", user__first_name="Kari", user__email="kari@example.com", user__phone="+4791234567"
    )
    member.joined_at = timezone.now() - timedelta(days=400)
    member.save(update_fields=["joined_at"])
    return member


@pytest.fixture
def kari_code(kari, program):
    return services.referral_code_get_or_create(member=kari)


@pytest.fixture
def english(client):
    """The visitor picked English: the pages' words are the source strings, whatever the
    translators do to the Norwegian ones."""
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client
