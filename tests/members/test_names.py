"""A name cannot pretend to be another: directional control characters are taken out
wherever a name comes in, and the till shows user-typed text isolated (issue 14, item 12)."""

import pytest
from django.urls import reverse

from members.models import User
from members.services import member_join, profile_update
from members.text import name_clean
from tests.factories import MemberFactory

pytestmark = pytest.mark.django_db
DISGUISED = "\u202enesnaH iraK"  # shows as "Kari Hansen" in a left-to-right line


@pytest.mark.parametrize(
    "control",
    ["\u202a", "\u202b", "\u202c", "\u202d", "\u202e", "\u2066", "\u2067", "\u2068", "\u2069", "\u200f"],
)
def test_every_directional_control_is_taken_out(control):
    assert name_clean(f"Ka{control}ri  {control}") == "Kari"


def test_joining_stores_the_name_without_the_control(client):
    client.post(reverse("members:join"), {"contact": "kari@example.org", "first_name": DISGUISED})

    assert User.objects.get(email="kari@example.org").first_name == "nesnaH iraK"


def test_a_name_of_controls_only_is_refused_at_joining(client):
    response = client.post(
        reverse("members:join"), {"contact": "kari@example.org", "first_name": "\u202e\u2066"}
    )

    assert response.status_code == 400 and not User.objects.filter(email="kari@example.org").exists()
    assert "Skriv inn fornavnet ditt" in response.content.decode()


def test_the_services_and_every_save_clean_the_name():
    member = member_join(first_name=DISGUISED, email="a@example.org")
    assert member.user.first_name == "nesnaH iraK"  # the object in hand too

    profile_update(member=member, first_name="Kari", last_name="\u2067Hansen\u2069")
    user = User.objects.get(pk=member.user_id)
    assert (user.first_name, user.last_name) == ("Kari", "Hansen")

    user.last_name = "\u202dNordmann"
    user.save()
    assert User.objects.get(pk=user.pk).last_name == "Nordmann"


def test_the_till_isolates_names_it_shows(till, shop):
    member = MemberFactory(user__first_name="Kari", user__last_name="Hansen")

    page = till.get(reverse("rewards:counter_member", args=[shop.pk, member.number]), HTTP_HX_REQUEST="true")

    assert "<bdi>Kari Hansen</bdi>" in page.content.decode()
