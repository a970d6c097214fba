"""Who may use which till: every counter URL against every kind of user."""

import pytest
from django.urls import reverse

from members import roles
from rewards.models import LedgerEntry, ScanRefusal
from tests.factories import MemberFactory, staff_user

pytestmark = pytest.mark.django_db


def counter_requests(shop, member):
    """(method, url, data) for every counter URL at `shop`."""
    nonce = "0" * 32
    return [
        ("get", reverse("rewards:counter_page", args=[shop.pk]), {}),
        ("post", reverse("rewards:counter_find", args=[shop.pk]), {"q": member.number}),
        ("get", reverse("rewards:counter_member", args=[shop.pk, member.number]), {}),
        (
            "post",
            reverse("rewards:counter_action", args=[shop.pk, member.number, "kjop"]),
            {"nonce": nonce, "amount": "10"},
        ),
    ]


def call(client, method, url, data):
    return getattr(client, method)(url, data)


def test_anonymous_visitors_are_sent_to_log_in(client, other_shop, guest):
    assert client.get(reverse("rewards:counter")).status_code == 302
    for method, url, data in counter_requests(other_shop, guest):
        response = call(client, method, url, data)
        assert response.status_code == 302 and "/accounts/login/" in response.url, url


def test_members_are_refused_everywhere(client, other_shop, guest):
    client.force_login(MemberFactory().user)
    assert client.get(reverse("rewards:counter")).status_code == 403
    for method, url, data in counter_requests(other_shop, guest):
        assert call(client, method, url, data).status_code == 403, url
    assert not LedgerEntry.objects.exists()


def test_counter_staff_of_one_shop_cannot_act_at_another(client, cashier, other_shop, guest):
    client.force_login(cashier)
    for method, url, data in counter_requests(other_shop, guest):
        response = call(client, method, url, data)
        assert response.status_code == 403, url
        assert (
            "not registered at this shop" in response.content.decode()
            or "ikke registrert" in response.content.decode()
        )
    assert not LedgerEntry.objects.exists()
    assert ScanRefusal.objects.filter(reason="wrong_location", staff=cashier).count() == 4


def test_counter_staff_act_at_their_own_shop(client, cashier, shop, guest, program):
    client.force_login(cashier)
    for method, url, data in counter_requests(shop, guest):
        assert call(client, method, url, data).status_code == 200, url


@pytest.mark.parametrize("role", [roles.CUSTOMER_SERVICE, roles.OWNER])
def test_customer_service_and_the_owner_may_work_any_till(client, role, other_shop, guest, program):
    client.force_login(staff_user(role))
    for method, url, data in counter_requests(other_shop, guest):
        assert call(client, method, url, data).status_code == 200, url


def test_only_customer_service_may_give_or_take_points(client, cashier, service_desk, shop, guest, program):
    url = reverse("rewards:counter_action", args=[shop.pk, guest.number, "juster"])
    data = {"nonce": "1" * 32, "points": "50", "reason": "apology", "direction": "grant"}

    client.force_login(cashier)
    assert client.post(url, data).status_code == 403
    client.force_login(service_desk)
    assert client.post(url, data).status_code == 200
    assert LedgerEntry.objects.get().points == 50
