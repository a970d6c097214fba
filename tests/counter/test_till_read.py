"""The till's reads: who is at the till (the shop, whether the staff user works there, their
roles, the member and their visits) in a few queries, and the panel's vouchers."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from members import roles
from members.models import Member
from rewards import selectors
from rewards.models import Visit, Voucher
from rewards.selectors import active_vouchers
from rewards.services import reward_redeem, wallet_get_or_create
from tests.counter.test_counter_pages import HTMX, act, nonce_in
from tests.factories import LocationFactory, MemberFactory, RewardFactory, staff_user
from tests.rewards.wallet_helpers import give

pytestmark = pytest.mark.django_db


def visit(member, shop, minutes_ago):
    at = timezone.now() - timedelta(minutes=minutes_ago)
    return Visit.objects.create(member=member, location=shop, started_at=at, last_seen_at=at)


def test_a_few_queries_read_the_shop_the_roles_and_the_member_whatever_their_history(
    cashier, shop, guest, django_assert_max_num_queries
):
    for minutes_ago in range(20):
        visit(guest, shop, minutes_ago=minutes_ago)

    # The shop with the assignment, the member with their user, their visits, the roles.
    with django_assert_max_num_queries(4):
        till = selectors.till_read(user=cashier, location_id=shop.pk, number=guest.number.lower())
        assert cashier.is_counter_staff and not cashier.is_customer_service

    assert (till.location, till.assigned, till.member) == (shop, True, guest)
    assert till.member.user.first_name == "Kari" and till.member.user.phone == "+4791234567"


def test_the_member_and_visits_read_are_the_stored_rows(cashier, shop, guest):
    visit(guest, shop, minutes_ago=3)

    till = selectors.till_read(user=cashier, location_id=shop.pk, number=guest.number)

    stored = Member.objects.select_related("user").get(pk=guest.pk)
    for field in Member._meta.concrete_fields:
        assert getattr(till.member, field.attname) == getattr(stored, field.attname), field.name
    for field in type(stored.user)._meta.concrete_fields:
        assert getattr(till.member.user, field.attname) == getattr(stored.user, field.attname), field.name
    (shown,) = till.visits
    assert (shown.started_at, shown.location.name) == (Visit.objects.get().started_at, shop.name)
    assert timezone.is_aware(shown.started_at)


def test_staff_of_another_shop_read_as_not_assigned_and_customer_service_by_role(other_shop, cashier):
    desk = staff_user(roles.CUSTOMER_SERVICE)

    elsewhere = selectors.till_read(user=cashier, location_id=other_shop.pk)
    anywhere = selectors.till_read(user=desk, location_id=other_shop.pk)

    assert elsewhere.location == other_shop and not elsewhere.assigned
    assert not anywhere.assigned and desk.is_customer_service and desk.is_counter_staff


def test_an_unknown_or_closed_shop_and_an_unknown_or_erased_member_read_as_none(cashier, shop, guest):
    closed = LocationFactory(name="Stengt", is_active=False)
    cashier.locations.add(closed)
    guest.erased_at = timezone.now()
    guest.save(update_fields=["erased_at"])

    assert selectors.till_read(user=cashier, location_id=closed.pk).location is None
    assert selectors.till_read(user=cashier, location_id=999_999).location is None
    assert selectors.till_read(user=cashier, location_id=shop.pk, number=guest.number).member is None
    assert selectors.till_read(user=cashier, location_id=shop.pk, number="NOSUCH99").member is None
    assert cashier.is_counter_staff  # the roles are read even so


def test_a_user_without_roles_reads_as_no_staff(shop, guest):
    member = MemberFactory()

    till = selectors.till_read(user=member.user, location_id=shop.pk, number=guest.number)

    assert member.user.role_names == frozenset() and not member.user.is_counter_staff
    assert till.member == guest  # read, but the view refuses before it is used


def test_the_last_five_visits_of_the_member_come_newest_first_with_their_shops(
    cashier, shop, other_shop, guest, other_member
):
    for minutes in (50, 40, 30, 20, 10, 5):
        visit(guest, shop if minutes % 20 else other_shop, minutes_ago=minutes)
    visit(other_member, shop, minutes_ago=1)

    till = selectors.till_read(user=cashier, location_id=shop.pk, number=guest.number)

    assert [v.started_at for v in till.visits] == sorted(
        (v.started_at for v in Visit.objects.filter(member=guest)), reverse=True
    )[: selectors.VISITS_SHOWN]
    assert [v.location.name for v in till.visits] == ["Løkka", "Løkka", "Majorstuen", "Løkka", "Majorstuen"]


def test_a_staff_user_with_several_roles_reads_one_member_with_every_visit_once(shop, guest):
    owner = staff_user(roles.COUNTER_STAFF, shop)
    owner.groups.add(*staff_user(roles.CUSTOMER_SERVICE).groups.all())
    visit(guest, shop, minutes_ago=10)
    visit(guest, shop, minutes_ago=5)

    till = selectors.till_read(user=owner, location_id=shop.pk, number=guest.number)

    assert owner.role_names == {roles.COUNTER_STAFF, roles.CUSTOMER_SERVICE}
    assert len(till.visits) == 2


def test_the_panel_lists_the_visit_just_recorded_and_keeps_it_after_an_action(till, shop, guest, program):
    panel = till.get(reverse("rewards:counter_member", args=[shop.pk, guest.number]), **HTMX)
    after = act(till, shop, guest, "kjop", {"nonce": nonce_in(panel), "amount": "10"}, **HTMX)

    for response in (panel, after):
        assert response.context["visits"] == [Visit.objects.get(member=guest, location=shop)]


def test_the_panels_vouchers_read_by_hand_equal_the_orms(guest, program):
    give(guest, 500)
    reward_redeem(member=guest, reward=RewardFactory(name="Kanelbolle", cost_points=100), idempotency_key="v")

    (shown,) = active_vouchers(wallet_get_or_create(guest), now=timezone.now())

    stored = Voucher.objects.get()
    for field in Voucher._meta.concrete_fields:
        assert getattr(shown, field.attname) == getattr(stored, field.attname), field.name
    assert shown.reward.name == "Kanelbolle" and timezone.is_aware(shown.expires_at)
