"""A member's home shop (issue 20): the shop a shop's figures on the dashboard count them in.
It is where they joined, or else where they were first seen; it never moves afterwards."""

import importlib
import uuid

import pytest
from django.apps import apps
from django.test import Client
from django.utils import timezone

from members import roles
from members.models import Member
from members.recruiting import join_url
from rewards import services
from rewards.models import Visit
from rewards.services.visits import visit_record
from tests.factories import LocationFactory, MemberFactory, staff_user

pytestmark = pytest.mark.django_db


def key() -> str:
    return str(uuid.uuid4())


def home_of(member: Member):
    return Member.objects.get(pk=member.pk).home_location


def test_a_member_who_joins_through_a_shops_poster_belongs_to_that_shop():
    shop = LocationFactory(name="Løkka")
    Client().post(
        join_url(Member.Channel.SHOP_QR, shop), {"contact": "kari@example.com", "first_name": "Kari"}
    )
    assert Member.objects.get(user__email="kari@example.com").home_location == shop


def test_a_member_who_joined_online_belongs_to_the_shop_of_their_first_visit_and_stays_there():
    first, second = LocationFactory(), LocationFactory()
    member = MemberFactory()
    assert home_of(member) is None

    visit_record(member=member, location=first, staff=staff_user(roles.COUNTER_STAFF, first))
    services.purchase_register(member=member, amount_ore=10_000, idempotency_key=key(), location=second)
    visit_record(
        member=Member.objects.get(pk=member.pk),
        location=second,
        staff=staff_user(roles.COUNTER_STAFF, second),
    )

    assert home_of(member) == first


def test_a_purchase_at_a_shop_gives_a_home_and_one_without_a_shop_does_not():
    shop = LocationFactory()
    online, in_shop = MemberFactory(), MemberFactory()

    services.purchase_register(member=online, amount_ore=10_000, idempotency_key=key())
    services.purchase_register(member=in_shop, amount_ore=10_000, idempotency_key=key(), location=shop)

    assert (home_of(online), home_of(in_shop)) == (None, shop)


def test_the_members_from_before_home_shops_get_the_shop_they_joined_at_or_else_first_came_to():
    joined_at, visited, bought = LocationFactory(), LocationFactory(), LocationFactory()
    poster = MemberFactory(joined_location=joined_at)
    visitor, buyer, never = MemberFactory(), MemberFactory(), MemberFactory()
    services.purchase_register(member=buyer, amount_ore=10_000, idempotency_key=key(), location=bought)
    services.purchase_register(member=visitor, amount_ore=10_000, idempotency_key=key(), location=bought)
    now = timezone.now()
    # Written straight to the table as an import would, before the purchase above.
    Visit.objects.create(member=visitor, location=visited, started_at=now.replace(year=now.year - 1))
    Member.objects.update(home_location=None)

    importlib.import_module("rewards.migrations.0027_members_home_shop").settle(apps, None)

    homes = [home_of(m) for m in (poster, visitor, buyer, never)]
    assert homes == [joined_at, visited, bought, None]
