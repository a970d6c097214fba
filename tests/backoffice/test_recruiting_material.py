"""The owner prints a poster and a counter sign for a shop and copies its receipt line
(issue 15): each has the join link with its channel and the shop."""

import pytest
from django.test import Client
from django.urls import reverse

from members import roles
from tests.factories import LocationFactory, staff_user

pytestmark = pytest.mark.django_db


def test_the_shop_page_offers_the_material_with_the_channels_in_the_links(owner_client):
    shop = LocationFactory(name="Løkka")

    change = owner_client.get(reverse("admin:members_location_change", args=[shop.pk])).content.decode()
    material = owner_client.get(reverse("admin:members_location_recruit", args=[shop.pk])).content.decode()

    assert reverse("admin:members_location_recruit", args=[shop.pk]) in change
    assert f"/bli-medlem/?kanal=kvittering&amp;butikk={shop.pk}" in material
    assert f"/bli-medlem/?kanal=sosiale-medier&amp;butikk={shop.pk}" in material


@pytest.mark.parametrize("size", ["a4", "a6"])
def test_each_poster_has_the_qr_code_of_its_shop_and_the_welcome_gift_in_words(owner_client, size):
    shop = LocationFactory(name="Løkka")

    page = owner_client.get(reverse("admin:members_location_poster", args=[shop.pk, size])).content.decode()

    assert "<svg" in page and f"kanal=butikk-qr&amp;butikk={shop.pk}" in page
    assert f"poster-{size}" in page and "Løkka" in page


def test_an_unknown_size_is_not_found_and_counter_staff_get_no_material(owner_client):
    shop = LocationFactory()
    cashier = Client()
    cashier.force_login(staff_user(roles.COUNTER_STAFF, shop))

    assert owner_client.get(reverse("admin:members_location_poster", args=[shop.pk, "a5"])).status_code == 404
    refused = cashier.get(reverse("admin:members_location_recruit", args=[shop.pk]))
    assert refused.status_code in (302, 403)
