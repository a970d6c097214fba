"""The owner sees refused scans and anomaly flags in admin."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from members import roles
from members.services import MembersError
from rewards.models import CounterFlag, ScanRefusal
from rewards.services import counter, member_search, points_award, reward_redeem
from rewards.services.flags import counter_flags_scan
from tests.factories import MemberFactory, RewardFactory, staff_user

pytestmark = pytest.mark.django_db


def purchase(member, staff, shop, at=None):
    return counter.counter_purchase(
        member=member, amount_ore=1_000, nonce=counter.new_nonce(), staff=staff, location=shop, at=at
    )


def test_a_member_credited_more_often_than_the_limit_in_a_day_is_flagged(guest, cashier, shop, program):
    program.flag_credits_per_day = 3
    program.save()
    for _ in range(3):
        purchase(guest, cashier, shop)
    counter_flags_scan()
    assert not CounterFlag.objects.exists()

    purchase(guest, cashier, shop)
    counter_flags_scan()

    flag = CounterFlag.objects.get()
    assert (flag.kind, flag.member, flag.count) == (CounterFlag.Kind.MEMBER_CREDITS, guest, 4)


def test_a_cashier_crediting_far_more_than_colleagues_is_flagged(shop, program):
    program.flag_credits_per_day = 0  # only the staff comparison here
    program.save()
    busy, *others = [staff_user(roles.COUNTER_STAFF, shop) for _ in range(4)]
    members = [MemberFactory() for _ in range(3)]
    for n in range(30):
        purchase(members[n % 3], busy, shop)
    for colleague in others:
        for n in range(3):
            purchase(members[n], colleague, shop)

    counter_flags_scan()

    flag = CounterFlag.objects.get(kind=CounterFlag.Kind.STAFF_CREDITS)
    assert (flag.staff, flag.count) == (busy, 30)


def test_a_redemption_right_after_a_manual_grant_is_flagged_and_an_old_grant_is_not(
    guest, other_member, program
):
    owner = staff_user(roles.OWNER)
    day_ago = timezone.now() - timedelta(days=3)
    points_award(member=other_member, points=500, reason="old", idempotency_key="g0", staff=owner, at=day_ago)
    reward_redeem(member=other_member, reward=RewardFactory(), idempotency_key="r0")
    points_award(member=guest, points=500, reason="gift", idempotency_key="g1", staff=owner)
    reward_redeem(member=guest, reward=RewardFactory(), idempotency_key="r1")

    counter_flags_scan()

    assert list(CounterFlag.objects.values_list("kind", "member")) == [
        (CounterFlag.Kind.GRANT_THEN_REDEEM, guest.pk)
    ]


def test_scanning_twice_raises_each_flag_once(guest, cashier, shop, program):
    program.flag_credits_per_day = 1
    program.save()
    purchase(guest, cashier, shop)
    purchase(guest, cashier, shop)

    counter_flags_scan()
    counter_flags_scan()

    assert CounterFlag.objects.count() == 1


def test_the_owner_reads_refused_scans_and_flags_in_admin(client, cashier, shop, guest, program):
    with pytest.raises(MembersError):
        member_search.member_find(raw="ZZZZ2345", staff=cashier, location=shop, ip="10.0.0.1")
    program.flag_credits_per_day = 1
    program.save()
    purchase(guest, cashier, shop)
    purchase(guest, cashier, shop)
    client.force_login(staff_user(roles.OWNER))

    refusals = client.get(reverse("admin:rewards_scanrefusal_changelist"))
    flags = client.get(reverse("admin:rewards_counterflag_changelist"))

    assert refusals.status_code == 200 and "ZZZZ2345" in refusals.content.decode()
    assert flags.status_code == 200 and guest.user.first_name in flags.content.decode()
    assert client.get(reverse("admin:rewards_counteraction_changelist")).status_code == 200
    assert client.get(reverse("admin:rewards_visit_changelist")).status_code == 200
    assert ScanRefusal.objects.count() == 1
