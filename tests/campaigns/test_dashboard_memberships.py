"""Paid membership on the dashboard (issue 17): paying members and trials at each month's
end, conversion from trial, memberships that ran out unrenewed, fees, and the perks' cost."""

from __future__ import annotations

import uuid
from datetime import date, datetime

import pytest
from django.utils import timezone

from campaigns.insights.selectors.memberships import memberships_by_month
from campaigns.insights.selectors.period import Month
from members import roles
from rewards.models import Voucher
from rewards.services import purchase_register, voucher_use
from rewards.services.membership import membership_pay, trial_start
from rewards.services.membership_payments import marked_paid_by_owner
from tests.factories import MemberFactory, PlanFactory, staff_user

pytestmark = pytest.mark.django_db


def oslo(*args) -> datetime:
    return timezone.make_aware(datetime(*args))


def test_a_month_of_trials_sales_and_perks_adds_up(program, django_capture_on_commit_callbacks):
    vip, owner = PlanFactory(), staff_user(roles.OWNER)
    converts, stays_free, renews_not = MemberFactory(), MemberFactory(), MemberFactory()
    membership_pay(
        member=renews_not,
        plan=vip,
        payment=marked_paid_by_owner(plan=vip, key="old", owner=owner),
        at=oslo(2025, 10, 20, 12),
    )
    with django_capture_on_commit_callbacks(execute=True):
        trial_start(member=converts, plan=vip, at=oslo(2026, 10, 3, 12))
    trial_start(member=stays_free, plan=vip, at=oslo(2026, 10, 25, 12))
    purchase_register(
        member=converts, amount_ore=10000, idempotency_key=str(uuid.uuid4()), at=oslo(2026, 10, 10, 12)
    )
    drop = Voucher.objects.get(wallet__member=converts, source=Voucher.Source.MEMBERSHIP)
    voucher_use(code=drop.code, idempotency_key="use", at=oslo(2026, 10, 11, 12))
    membership_pay(
        member=converts,
        plan=vip,
        payment=marked_paid_by_owner(plan=vip, key="new", owner=owner),
        at=oslo(2026, 10, 28, 12),
    )

    (row,) = memberships_by_month([Month(date(2026, 10, 1))], now=oslo(2026, 11, 15, 12), program=program)

    assert (row.paying, row.in_trial) == (
        1,
        1,
    )  # converts paid; stays_free tries; renews_not ran out on 20 Oct
    assert (row.trials_started, row.trials_paid, row.conversion) == (2, 1, 50)
    assert row.ended_unrenewed == 1
    assert row.fees_ore == 19900
    assert row.perks_ore == program.value_ore(100) + 4500  # 100 extra points and a coffee worth 45 kr


def test_a_club_without_a_paid_membership_gets_no_table(program):
    assert memberships_by_month([Month(date(2026, 10, 1))], now=oslo(2026, 11, 15), program=program) == []
