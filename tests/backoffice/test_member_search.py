"""The owner finds a member by name, e-mail, a mobile number typed any way, or the number."""

import pytest
from django.urls import reverse

from tests.factories import MemberFactory

pytestmark = pytest.mark.django_db
LIST = reverse("admin:members_member_changelist")


@pytest.fixture
def kari(db):
    member = MemberFactory(
        number="KAR2345Q",
        user__first_name="Kari",
        user__last_name="Nordmann",
        user__email="kari.nordmann@example.com",
        user__phone="+4741234567",
    )
    # Addresses of their own: a factory address ("person412@...") could match a typed number.
    MemberFactory(
        number="OLA2345Q", user__first_name="Ola", user__email="ola@example.com", user__phone="+4791234567"
    )
    MemberFactory(number="PER2345Q", user__first_name="Per", user__email="per@example.com")
    return member


def found(client, term) -> list:
    response = client.get(LIST, {"q": term})
    assert response.status_code == 200
    return list(response.context["cl"].result_list)


@pytest.mark.parametrize(
    "term",
    [
        "Kari",
        "kari nordmann",
        "Nordmann",
        "kari.nordmann@example.com",
        "KARI.NORDMANN@example.com",
        "412 34 567",
        "+47 41234567",
        "004741234567",
        "41234567",
        "KAR2345Q",
        "kar2-345q",
    ],
)
def test_the_owner_finds_kari_however_she_is_typed(owner_client, kari, term):
    assert found(owner_client, term) == [kari]


def test_a_search_that_matches_nobody_lists_nobody(owner_client, kari):
    assert found(owner_client, "999 99 999") == []
    assert found(owner_client, "Kjersti") == []


def test_the_consent_log_is_searchable_by_mobile_number_too(owner_client, kari):
    from members import services
    from members.models import ConsentEvent

    services.consent_set(member=kari, channel="sms", granted=True, source=ConsentEvent.Source.PREFERENCES)
    response = owner_client.get(reverse("admin:members_consentevent_changelist"), {"q": "412 34 567"})
    assert [event.member for event in response.context["cl"].result_list] == [kari]
