"""Every join link carries its channel and shop, so the dashboard can say where new members
come from; a link copied wrong still lets people join (issue 15, "innmeldingskanal")."""

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from campaigns.insights.selectors import Period, dashboard
from members.models import Location, Member
from members.recruiting import join_url
from tests.factories import LocationFactory

pytestmark = pytest.mark.django_db
JOIN = reverse("members:join")


def join_through(url: str, contact: str) -> Member:
    response = Client().post(url, {"contact": contact, "first_name": "Kari"})
    assert response.status_code == 302, response.content.decode()[:500]
    return Member.objects.get(user__email=contact)


def test_the_poster_and_the_receipt_say_which_shop_and_channel_brought_the_member():
    shop = LocationFactory(name="Løkka")

    by_poster = join_through(join_url(Member.Channel.SHOP_QR, shop), "plakat@example.com")
    by_receipt = join_through(join_url(Member.Channel.RECEIPT, shop), "kvittering@example.com")
    by_web = join_through(JOIN, "nett@example.com")

    assert (by_poster.channel, by_poster.joined_location) == (Member.Channel.SHOP_QR, shop)
    assert (by_receipt.channel, by_receipt.joined_location) == (Member.Channel.RECEIPT, shop)
    assert (by_web.channel, by_web.joined_location) == (Member.Channel.WEB, None)


@pytest.mark.parametrize(
    "query",
    [
        "?kanal=plakat&butikk=1",
        "?kanal=butikk-qr&butikk=999999",
        "?kanal=butikk-qr&butikk=%00",
        "?butikk=abc",
    ],
)
def test_a_link_copied_wrong_still_joins_as_the_website(query):
    member = join_through(JOIN + query, "feil@example.com")

    assert member.channel in (Member.Channel.WEB, Member.Channel.SHOP_QR)
    assert member.joined_location is None


def test_a_closed_shop_is_not_recorded():
    closed = LocationFactory(is_active=False)

    member = join_through(join_url(Member.Channel.SHOP_QR, closed), "stengt@example.com")

    assert member.joined_location is None


def test_the_dashboard_counts_new_members_per_channel_and_per_shop():
    shop, other = LocationFactory(name="Løkka"), LocationFactory(name="Torget")
    join_through(join_url(Member.Channel.SHOP_QR, shop), "a@example.com")
    join_through(join_url(Member.Channel.SHOP_QR, shop), "b@example.com")
    join_through(join_url(Member.Channel.RECEIPT, other), "c@example.com")
    join_through(JOIN, "d@example.com")
    period = Period.last_days(30, today=timezone.localdate())

    club = {row.label: row.members for row in dashboard(period=period).channels}
    at_shop = {row.label: row.members for row in dashboard(period=period, location=shop).channels}

    assert club[Member.Channel.SHOP_QR.label] == 2
    assert club[Member.Channel.RECEIPT.label] == 1
    assert club[Member.Channel.WEB.label] == 1
    assert at_shop[Member.Channel.SHOP_QR.label] == 2 and at_shop[Member.Channel.RECEIPT.label] == 0
    assert Location.objects.count() == 2
