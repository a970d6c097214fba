"""The owner builds a segment in admin and sees, while editing, how many members it holds, how
many can be reached, and who the newest of them are (issue 15)."""

import pytest
from django.test import Client
from django.urls import reverse

from campaigns.models import Segment
from members import roles
from members.models import ConsentEvent
from tests.factories import MemberFactory, staff_user

pytestmark = pytest.mark.django_db


def form_data(*conditions, name="Nye medlemmer", match="all", initial=0) -> dict:
    data = {
        "name": name,
        "match": match,
        "description": "",
        "conditions-TOTAL_FORMS": str(len(conditions)),
        "conditions-INITIAL_FORMS": str(initial),
        "conditions-MIN_NUM_FORMS": "0",
        "conditions-MAX_NUM_FORMS": "1000",
    }
    for i, values in enumerate(conditions):
        data.update({f"conditions-{i}-{field}": value for field, value in values.items()})
    return data


@pytest.fixture
def members(db):
    old = MemberFactory(number="GAMMEL01", joined_at="2020-01-01T12:00:00+01:00")
    new = [MemberFactory() for _ in range(3)]
    ConsentEvent.objects.create(
        member=new[0],
        purpose="marketing",
        channel="email",
        granted=True,
        wording_version="1",
        wording="Ja",
        source="signup",
    )
    return old, new


JOINED_LAST_MONTH = {"kind": "joined", "comparison": "at_most", "number": "30"}


def test_the_live_count_follows_the_unsaved_form(owner_client, members):
    url = reverse("admin:campaigns_segment_count")

    everyone = owner_client.post(url, form_data()).content.decode()
    new_ones = owner_client.post(url, form_data(JOINED_LAST_MONTH)).content.decode()

    assert "4 members" in everyone
    assert "3 members" in new_ones
    assert "of them 1 can be reached by e-mail and 0 by SMS" in new_ones
    assert "GAMMEL01"[:4] not in new_ones  # the sample lists the segment's members only


def test_a_row_not_filled_in_yet_is_left_out_of_the_count_and_said_so(owner_client, members):
    url = reverse("admin:campaigns_segment_count")
    half = {"kind": "spend", "comparison": "at_least", "number": "100"}  # no days yet

    page = owner_client.post(url, form_data(JOINED_LAST_MONTH, half)).content.decode()

    assert "3 members" in page
    assert "Condition 2 is not complete yet and is not counted." in page


def test_saving_a_condition_without_its_value_shows_the_error_and_saves_nothing(owner_client, members):
    response = owner_client.post(
        reverse("admin:campaigns_segment_add"), form_data({"kind": "tier"}, name="Gull")
    )

    assert response.status_code == 200
    assert "This condition needs a value here." in response.content.decode()
    assert not Segment.objects.exists()


def test_a_saved_segment_shows_its_count_and_its_newest_members(owner_client, members):
    _old, new = members
    owner_client.post(reverse("admin:campaigns_segment_add"), form_data(JOINED_LAST_MONTH))
    segment = Segment.objects.get()

    page = owner_client.get(reverse("admin:campaigns_segment_change", args=[segment.pk])).content.decode()

    assert segment.conditions.get().kind == "joined"
    assert "3 members" in page
    assert all(member.display_number in page for member in new)
    assert 'aria-live="polite"' in page


def test_counter_staff_cannot_count_segments(members):
    cashier = Client()
    cashier.force_login(staff_user(roles.COUNTER_STAFF))

    response = cashier.post(reverse("admin:campaigns_segment_count"), form_data())

    assert response.status_code in (302, 403)
    assert "members" not in response.content.decode()
