"""What members use (issue 17): every reward, stamp card and membership perk on offer with
how often it was used and what it cost; what nobody used is listed too, and marked."""

from __future__ import annotations

import pytest
from django.urls import reverse

from members import roles
from rewards.services import reward_redeem, stamps_add
from tests.factories import LocationFactory, MemberFactory, RewardFactory, StampCardFactory, staff_user
from tests.rewards.wallet_helpers import give

pytestmark = pytest.mark.django_db


def test_each_thing_on_offer_with_its_use_and_cost_and_the_unused_marked(client, program, economics):
    bun, _unused = (
        RewardFactory(name="Kanelbolle", cost_points=100),
        RewardFactory(name="Bløtkake", cost_points=2000),
    )
    card = StampCardFactory(name="Kaffekort", stamps_needed=2)
    member = MemberFactory()
    give(member, 300)
    for key in ("a", "b"):
        reward_redeem(member=member, reward=bun, idempotency_key=key)
    stamps_add(member=member, card=card, stamps=1, idempotency_key="s1")
    stamps_add(member=member, card=card, stamps=1, idempotency_key="s2")
    client.force_login(staff_user(roles.OWNER))

    page = client.get(reverse("campaigns:usage"), {"months": "1"})

    rows = {row.name: row for row in page.context["rows"]}
    assert (rows["Kanelbolle"].used, rows["Kanelbolle"].cost_ore) == (2, program.value_ore(200))
    assert rows["Kaffekort"].used == 1 and rows["Kaffekort"].cost_ore == economics.free_voucher_value_kr * 100
    assert rows["Bløtkake"].used == 0 and "ikke brukt" in page.content.decode()


def test_a_bad_span_is_a_clear_error(client, program):
    client.force_login(staff_user(roles.OWNER))

    page = client.get(reverse("campaigns:usage"), {"months": "7"})

    assert page.status_code == 400 and "Velg 1, 3, 6 eller 12 måneder." in page.content.decode()


def test_counter_staff_may_not_see_it(client, program):
    client.force_login(staff_user(roles.COUNTER_STAFF, LocationFactory()))

    assert client.get(reverse("campaigns:usage")).status_code == 403
