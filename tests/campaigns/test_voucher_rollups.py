"""Vouchers issued and used are rolled up per day and shop like the ledger: a voucher or a use
written late lands in its own day, and a use undone at the till is taken back on the day of
the undo, never on the day of the use."""

from __future__ import annotations

import importlib
import re
import uuid
from datetime import datetime, time, timedelta

import pytest
from django.apps import apps
from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone

from campaigns.insights.rollups import SETTLE, ledger_roll_up
from campaigns.insights.selectors import Period, dashboard
from campaigns.models import RollupState, VoucherDay
from members import roles
from rewards import services
from rewards.models import LedgerImmutable, Voucher, VoucherUse
from rewards.services.counter import counter_undo, counter_voucher, new_nonce
from tests.factories import LocationFactory, MemberFactory, RewardFactory, staff_user

pytestmark = pytest.mark.django_db

Kind = VoucherDay.Kind


def key() -> str:
    return uuid.uuid4().hex


def roll_up() -> None:
    ledger_roll_up(now=timezone.now() + SETTLE)


def local(day, hour: int, minute: int, second: int = 0) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour, minute, second)))


def rolled(day, kind: str) -> list[tuple]:
    return list(
        VoucherDay.objects.filter(day=day, kind=kind).values_list("location__name", "vouchers", "points")
    )


def vouchers_used(first, last, *, shop=None, direct=False) -> int:
    """The dashboard's "vouchers used" for the days, from the rollups or (direct) read
    from the vouchers' uses alone."""
    state = list(RollupState.objects.values_list("ledger_until", flat=True))
    if direct:
        RollupState.objects.all().delete()
    try:
        data = dashboard(period=Period(first, last), location=shop, now=timezone.now() + timedelta(minutes=5))
        return data.kpis["vouchers_used"].current
    finally:
        if direct and state:
            RollupState.objects.create(pk=1, ledger_until=state[0])


@pytest.fixture
def club():
    """A member with points to spend, a shop and its till."""
    shop, member = LocationFactory(name="Torget"), MemberFactory()
    services.purchase_register(member=member, amount_ore=100_000, idempotency_key=key(), location=shop)
    staff = staff_user(roles.COUNTER_STAFF, shop)
    return member, shop, staff, RewardFactory(name="Kaffe", cost_points=100)


def test_a_voucher_and_a_use_written_late_are_rolled_into_their_own_days(club):
    member, shop, _staff, reward = club
    roll_up()
    issued_on = timezone.localdate() - timedelta(days=10)
    used_on = issued_on + timedelta(days=3)
    voucher = services.reward_redeem(
        member=member, reward=reward, idempotency_key=key(), location=shop, at=local(issued_on, 12, 0)
    ).voucher
    roll_up()
    services.voucher_use(code=voucher.code, idempotency_key=key(), location=shop, at=local(used_on, 12, 0))
    assert vouchers_used(used_on, used_on) == 1  # before the next run: from the uses written since
    roll_up()
    assert rolled(issued_on, Kind.ISSUED) == [("Torget", 1, 100)]
    assert rolled(used_on, Kind.USED) == [("Torget", 1, 100)]
    assert vouchers_used(used_on, used_on, shop=shop) == vouchers_used(used_on, used_on, direct=True) == 1


def test_an_undo_past_midnight_takes_the_use_back_on_the_next_day_and_leaves_the_day_of_the_use(club):
    member, shop, staff, reward = club
    day = timezone.localdate() - timedelta(days=5)
    voucher = services.reward_redeem(
        member=member, reward=reward, idempotency_key=key(), location=shop, at=local(day, 10, 0)
    ).voucher
    counter_voucher(
        member=member,
        code=voucher.code,
        nonce=new_nonce(),
        staff=staff,
        location=shop,
        at=local(day, 23, 59, 30),
    )
    roll_up()
    next_day = day + timedelta(days=1)
    counter_undo(member=member, nonce=new_nonce(), staff=staff, location=shop, at=local(next_day, 0, 0, 15))
    roll_up()
    assert Voucher.objects.get(pk=voucher.pk).status == Voucher.Status.ACTIVE
    assert rolled(day, Kind.USED) == [("Torget", 1, 100)]
    assert rolled(next_day, Kind.USED) == [("Torget", -1, -100)]
    assert vouchers_used(day, day) == 1
    assert (
        vouchers_used(next_day, next_day, shop=shop) == vouchers_used(next_day, next_day, direct=True) == -1
    )
    assert vouchers_used(day, next_day) == 0


def test_the_vouchers_used_before_get_one_use_at_the_time_and_shop_they_were_used(club):
    member, shop, _staff, reward = club
    used, unused = (
        services.reward_redeem(member=member, reward=reward, idempotency_key=key(), location=shop).voucher
        for _ in range(2)
    )
    services.voucher_use(code=used.code, idempotency_key=key(), location=shop)
    QuerySet(VoucherUse).delete()  # as before the uses were rows (the ORM's guard refuses)
    importlib.import_module("rewards.migrations.0029_voucher_uses").uses_from_vouchers(apps, None)
    used.refresh_from_db()
    assert list(VoucherUse.objects.values_list("voucher", "uses", "location", "created_at")) == [
        (used.pk, 1, shop.pk, used.used_at)
    ]
    assert Voucher.objects.get(pk=unused.pk).recorded_at == unused.issued_at


def test_a_use_is_never_edited_or_deleted(club):
    member, shop, _staff, reward = club
    voucher = services.reward_redeem(
        member=member, reward=reward, idempotency_key=key(), location=shop
    ).voucher
    services.voucher_use(code=voucher.code, idempotency_key=key(), location=shop)
    with pytest.raises(LedgerImmutable):
        VoucherUse.objects.update(uses=-1)
    with pytest.raises(LedgerImmutable):
        VoucherUse.objects.get().delete()


def test_the_vouchers_admin_page_lists_its_use_and_the_undo(club, client):
    member, shop, staff, reward = club
    voucher = services.reward_redeem(
        member=member, reward=reward, idempotency_key=key(), location=shop
    ).voucher
    counter_voucher(member=member, code=voucher.code, nonce=new_nonce(), staff=staff, location=shop)
    counter_undo(member=member, nonce=new_nonce(), staff=staff, location=shop)
    client.force_login(staff_user(roles.OWNER))

    page = client.get(reverse("admin:rewards_voucher_change", args=[voucher.pk])).content.decode()

    uses = re.findall(r'class="field-uses">\s*<p>(-?\d+)</p>', page)
    assert "Bruk av kuponger" in page and sorted(uses) == ["-1", "1"]
