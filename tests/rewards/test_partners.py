"""Partner vouchers (issue 18): the florist's staff open their page with a PIN (wrong ones are
limited), check a code and mark it used once; they never see who the member is; the till
refuses a partner's voucher; the owner's monthly settlement counts them."""

from __future__ import annotations

import uuid

import pytest
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone

from members import roles
from rewards.errors import RewardsError
from rewards.models import Partner, PartnerRedemption, Voucher
from rewards.services import voucher_use
from rewards.services.partners import partner_pin_set, partner_voucher_use
from rewards.services.vouchers import voucher_gift
from tests.factories import MemberFactory, RewardFactory, staff_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def florist(program):
    cache.clear()
    partner = Partner.objects.create(
        name="Blomsterbutikken", slug="blomster", offer="20 % på en bukett", value_kr=25
    )
    partner_pin_set(partner=partner, pin="4711")
    return partner


@pytest.fixture
def bouquet_voucher(florist) -> Voucher:
    reward = RewardFactory(name="20 % på en bukett", cost_points=None, partner=florist)
    member = MemberFactory(user__first_name="Kari", user__last_name="Nordmann")
    return voucher_gift(member=member, reward=reward, idempotency_key="g")


def unlock(client, pin="4711"):
    return client.post(reverse("rewards:partner", args=["blomster"]), {"pin": pin})


def test_the_florist_checks_a_code_and_marks_it_used_once_without_seeing_the_member(
    client, florist, bouquet_voucher
):
    unlock(client)
    url = reverse("rewards:partner_code", args=["blomster"])

    checked = client.post(url, {"code": bouquet_voucher.code}).content.decode()
    client.post(url, {"code": bouquet_voucher.code, "use": "1", "nonce": uuid.uuid4()})
    again = client.post(url, {"code": bouquet_voucher.code, "use": "1", "nonce": uuid.uuid4()})

    assert "gyldig" in checked and "Kari" not in checked and "Nordmann" not in checked
    assert again.status_code == 409 and "allerede brukt" in again.content.decode()
    assert PartnerRedemption.objects.get().voucher == bouquet_voucher
    assert Voucher.objects.get(pk=bouquet_voucher.pk).status == Voucher.Status.USED


def test_a_wrong_pin_is_refused_and_after_five_the_page_locks(client, florist):
    for _ in range(5):
        assert unlock(client, pin="0000").status_code == 403
    locked = unlock(client)  # even the right PIN waits now

    assert locked.status_code == 429 and "Vent et kvarter" in locked.content.decode()
    code_page = client.post(reverse("rewards:partner_code", args=["blomster"]), {"code": "X"})
    assert code_page.status_code == 403


def test_the_till_refuses_a_partners_voucher_and_the_partner_anothers(florist, bouquet_voucher):
    coffee = voucher_gift(
        member=MemberFactory(), reward=RewardFactory(name="Kaffe", cost_points=None), idempotency_key="c"
    )

    with pytest.raises(RewardsError) as at_till:
        voucher_use(code=bouquet_voucher.code, idempotency_key="t")
    with pytest.raises(RewardsError) as at_florist:
        partner_voucher_use(partner=florist, code=coffee.code, idempotency_key="f")

    assert (at_till.value.code, at_florist.value.code) == ("partner_voucher", "voucher_not_found")


def test_the_monthly_settlement_counts_what_was_used_at_each_partner(client, florist, bouquet_voucher):
    partner_voucher_use(partner=florist, code=bouquet_voucher.code, idempotency_key="u")
    client.force_login(staff_user(roles.OWNER))

    page = client.get(
        reverse("admin:rewards_partner_settlement"), {"month": timezone.localdate().strftime("%Y-%m")}
    )

    assert page.status_code == 200
    (row,) = page.context["rows"]
    assert (row.used, row.value_ore) == (1, 2500)


def test_the_dashboard_counts_partner_usage_from_the_redemptions(florist, bouquet_voucher):
    from campaigns.insights.selectors.dashboard import dashboard
    from campaigns.insights.selectors.period import Period

    partner_voucher_use(partner=florist, code=bouquet_voucher.code, idempotency_key="u")

    kpis = dashboard(period=Period.last_days(30, today=timezone.localdate())).kpis

    assert (kpis["partner_usage"].current, kpis["partner_value"].current) == (1, 2500)
    assert kpis["partner_usage"].previous == 0
