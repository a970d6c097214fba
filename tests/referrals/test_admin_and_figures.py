"""The owner's side: settings in kroner, the list with reasons and filters, approve/reject
actions that call the services, and the figures (also for the dashboard later)."""

from decimal import Decimal

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from members import roles
from referrals.models import Referral, ReferralProgram
from referrals.selectors import referral_figures
from tests.factories import MemberFactory, staff_user
from tests.referrals.helpers import balance, buy, fresh, invited

pytestmark = pytest.mark.django_db
LIST = reverse("admin:referrals_referral_changelist")


@pytest.fixture
def owner_client(english):
    english.force_login(staff_user(roles.OWNER))
    return english


def flagged(kari_code) -> Referral:
    user = kari_code.member.user
    user.email = "kari.nordmann@gmail.com"
    user.save(update_fields=["email"])
    return invited(kari_code, email="ola.nordmann@gmail.com")


def test_the_settings_page_shows_the_minimum_in_kroner_and_saves_it_in_ore(owner_client, program):
    url = reverse("admin:referrals_referralprogram_change", args=[1])
    page = owner_client.get(url)
    assert page.status_code == 200 and page.context["adminform"].form.initial["min_purchase_kr"] == Decimal(
        100
    )
    assert owner_client.get(reverse("admin:referrals_referralprogram_changelist")).url == url

    data = {
        "is_active": "on",
        "referrer_kind": "points",
        "referrer_points": "300",
        "friend_kind": "points",
        "friend_points": "150",
        "min_purchase_kr": "149.50",
        "qualify_within_days": "30",
        "hold_days": "14",
        "cap_per_month": "10",
        "burst_count": "3",
        "burst_minutes": "60",
        "cookie_days": "30",
    }
    assert owner_client.post(url, data).status_code == 302
    saved = ReferralProgram.load()
    assert (saved.min_purchase_ore, saved.referrer_points, saved.friend_points) == (14_950, 300, 150)


def test_a_voucher_reward_without_a_reward_is_refused_with_a_clear_message(owner_client, program):
    url = reverse("admin:referrals_referralprogram_change", args=[1])
    data = {
        "referrer_kind": "voucher",
        "referrer_points": "0",
        "friend_kind": "points",
        "friend_points": "100",
        "min_purchase_kr": "-5",
        "qualify_within_days": "0",
        "hold_days": "14",
        "cap_per_month": "10",
        "burst_count": "3",
        "burst_minutes": "60",
        "cookie_days": "30",
    }
    response = owner_client.post(url, data)

    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert set(errors) == {"referrer_reward", "min_purchase_kr", "qualify_within_days"}
    assert "Choose the reward the voucher is for." in errors["referrer_reward"]


def test_the_list_shows_status_and_reasons_and_filters_by_reason(owner_client, kari_code):
    refused = invited(kari_code, email="kari+1@example.com")
    waiting = flagged(kari_code)

    body = owner_client.get(LIST).content.decode()
    assert "self-referral" in body and "same household" in body

    only_household = owner_client.get(LIST, {"reason": "same_household"}).context["cl"].result_list
    assert list(only_household) == [waiting]
    assert list(owner_client.get(LIST, {"review": "waiting"}).context["cl"].result_list) == [waiting]
    assert list(owner_client.get(LIST, {"status": "refused"}).context["cl"].result_list) == [refused]
    assert owner_client.get(LIST, {"q": "ola.nordmann"}).context["cl"].result_list[0] == waiting


def test_a_referrals_page_gives_its_reasons_in_words_not_codes(owner_client, kari_code):
    waiting = flagged(kari_code)

    body = owner_client.get(reverse("admin:referrals_referral_change", args=[waiting.pk])).content.decode()

    assert "same household" in body and "same_household" not in body


def test_the_list_takes_a_fixed_number_of_queries(owner_client, kari_code):
    for _n in range(3):
        invited(kari_code)
    owner_client.get(LIST)
    with CaptureQueriesContext(connection) as few:
        owner_client.get(LIST)
    for _n in range(10):
        invited(kari_code)
    with CaptureQueriesContext(connection) as many:
        owner_client.get(LIST)
    assert len(many) == len(few)


def test_approve_and_reject_actions_go_through_the_services(owner_client, kari_code, no_hold, after_commit):
    waiting = flagged(kari_code)
    with after_commit():
        buy(waiting.friend)
    plain = invited(kari_code, email="per@example.org")

    owner_client.post(LIST, {"action": "approve", ACTION_CHECKBOX_NAME: [waiting.pk]})
    response = owner_client.post(
        LIST, {"action": "reject", ACTION_CHECKBOX_NAME: [plain.pk, waiting.pk]}, follow=True
    )

    assert fresh(waiting).status == Referral.Status.PAID and balance(kari_code.member) == 200
    assert fresh(plain).status == Referral.Status.REFUSED and "rejected" in fresh(plain).reason_list
    body = response.content.decode()
    assert "Rejected: 1." in body and "already paid, cancelled or refused" in body


def test_referrals_cannot_be_added_edited_or_deleted_by_hand(owner_client, kari_code):
    referral = invited(kari_code)
    assert owner_client.get(reverse("admin:referrals_referral_add")).status_code == 403
    page = owner_client.get(reverse("admin:referrals_referral_change", args=[referral.pk]))
    assert page.status_code == 200 and 'name="status"' not in page.content.decode()
    assert owner_client.get(reverse("admin:referrals_referral_delete", args=[referral.pk])).status_code == 403


def test_counter_staff_cannot_open_the_referral_admin(client, kari_code):
    client.force_login(staff_user(roles.COUNTER_STAFF))
    assert client.get(LIST).status_code == 302


def test_the_figures_referral_rate_conversion_cost_and_spend(kari_code, no_hold, after_commit):
    MemberFactory.create_batch(2)  # members who never invite nor were invited
    bought = invited(kari_code)
    invited(kari_code)  # joined, never bought
    invited(kari_code, email="kari+2@example.com")  # refused: not counted
    with after_commit():
        buy(bought.friend, 30_000)
        buy(kari_code.member, 10_000)

    figures = referral_figures()

    # Members: Kari, 2 others, 3 friends (the refused one is a member too) = 6; 1 referrer.
    assert (figures.members, figures.referrers) == (6, 1)
    assert figures.referral_rate == Decimal("16.7")
    assert (figures.joined, figures.qualified, figures.conversion) == (2, 1, Decimal("50.0"))
    # 200 + 100 points paid at 1000 points = 100 kr: 30 kr.
    assert figures.cost_ore == 3_000 and figures.cost_per_qualified_ore == 3_000
    assert figures.referred_average_spend_ore == 15_000  # 300 kr over 2 referred members
    assert figures.other_average_spend_ore == 2_500  # 100 kr over 4 others


def test_the_figures_are_shown_above_the_list(owner_client, kari_code, no_hold, after_commit):
    referral = invited(kari_code)
    with after_commit():
        buy(referral.friend)

    body = owner_client.get(LIST).content.decode()

    assert "How referrals are doing" in body and "Cost per qualified referral" in body
    assert "NOK\xa030.00" in body


def test_the_figures_take_the_same_queries_however_many_members(kari_code, no_hold, after_commit):
    with CaptureQueriesContext(connection) as few:
        referral_figures()
    for _n in range(5):
        referral = invited(kari_code)
        with after_commit():
            buy(referral.friend)
    with CaptureQueriesContext(connection) as many:
        referral_figures()
    assert len(few) == len(many) <= 5
