"""The member's own pages: the card, the profile and its one-question-at-a-time prompts."""

import io
import json
import zipfile
from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from members.models import Interest
from tests.factories import MemberFactory

MEMBER_PAGES = ["members:welcome", "members:card", "members:profile", "members:consents", "members:my_data",
                "members:delete"]  # fmt: skip


@pytest.mark.django_db
@pytest.mark.parametrize("name", MEMBER_PAGES)
def test_anonymous_visitors_are_sent_to_log_in(client, name):
    response = client.get(reverse(name))
    assert response.status_code == 302
    assert response.url.startswith(reverse("account_login"))


@pytest.mark.django_db
@pytest.mark.parametrize("name", MEMBER_PAGES)
def test_each_member_page_shows_only_the_logged_in_member(client, name):
    me, other = MemberFactory(user__first_name="Sigrunn"), MemberFactory(user__first_name="Torbjørg")
    client.force_login(me.user)
    response = client.get(reverse(name))
    body = response.content.decode()
    assert response.status_code == 200
    assert other.number not in body and other.display_number not in body
    assert "Torbjørg" not in body


@pytest.mark.django_db
def test_member_urls_take_no_member_id_so_another_members_page_cannot_be_addressed(client):
    me, other = MemberFactory(), MemberFactory()
    client.force_login(me.user)
    assert client.get(f"/medlem/kort/{other.number}/").status_code == 404
    assert client.get(f"/medlem/profil/{other.pk}/").status_code == 404
    archive = zipfile.ZipFile(io.BytesIO(client.post(reverse("members:my_data")).content))
    assert json.loads(archive.read("data.json"))["member"]["number"] == me.number


@pytest.mark.django_db
def test_the_card_shows_a_qr_code_and_the_readable_member_number(member_client, member):
    body = member_client.get(reverse("members:card")).content.decode()
    assert 'class="qr"' in body
    assert member.display_number in body


@pytest.mark.django_db
def test_the_card_asks_one_profile_question_at_a_time_birthday_first(member_client, member):
    response = member_client.get(reverse("members:card"))
    assert response.context["question"] == "birthday"
    assert list(response.context["question_form"].fields) == ["birthday"]

    response = member_client.post(reverse("members:answer", args=["birthday"]), {"q-birthday": "1990-05-17"})
    assert response.status_code == 302
    member.refresh_from_db()
    assert member.birthday == date(1990, 5, 17)
    assert member_client.get(reverse("members:card")).context["question"] == "postcode"


@pytest.mark.django_db
def test_answering_a_question_keeps_the_rest_of_the_profile(member_client, member):
    member.postcode = "0555"
    member.save()
    member_client.post(reverse("members:answer", args=["birthday"]), {"q-birthday": "1990-05-17"})
    member.refresh_from_db()
    assert member.postcode == "0555"
    assert member.user.first_name


@pytest.mark.django_db
def test_the_interests_question_saves_the_chosen_interests(member_client, member):
    member.birthday, member.postcode = date(1990, 1, 1), "0555"
    member.save()
    bread = Interest.objects.create(name="Brød")
    response = member_client.post(reverse("members:answer", args=["interests"]), {"q-interests": [bread.pk]})
    assert response.status_code == 302
    assert list(member.interests.all()) == [bread]
    assert member_client.get(reverse("members:card")).context.get("question") is None


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("birthday", "not a date"),
        ("birthday", (timezone.localdate() + timedelta(days=1)).isoformat()),
        ("birthday", "1800-01-01"),
        ("postcode", "<script>"),
        ("interests", "99999"),
    ],
)
def test_a_bad_answer_gets_a_clear_error_and_changes_nothing(member_client, member, field, value):
    response = member_client.post(reverse("members:answer", args=[field]), {f"q-{field}": value})
    assert response.status_code == 400
    assert response.context["question_form"].errors[field]
    member.refresh_from_db()
    assert member.birthday is None and member.postcode == ""


@pytest.mark.django_db
def test_an_unknown_question_is_ignored(member_client, member):
    response = member_client.post(reverse("members:answer", args=["is_staff"]), {"q-is_staff": "on"})
    assert response.status_code == 302
    member.user.refresh_from_db()
    assert not member.user.is_staff


@pytest.mark.django_db
def test_the_profile_page_saves_all_optional_fields(member_client, member):
    response = member_client.post(
        reverse("members:profile"),
        {"first_name": "Kari", "last_name": "Nordmann", "birthday": "1990-05-17", "postcode": "123 45"},
    )
    assert response.status_code == 302
    member.refresh_from_db()
    assert (member.user.last_name, member.postcode) == ("Nordmann", "123 45")


@pytest.mark.django_db
def test_the_profile_refuses_an_empty_first_name_and_keeps_the_old_one(member_client, member):
    old = member.user.first_name
    response = member_client.post(reverse("members:profile"), {"first_name": "", "postcode": "0555"})
    assert response.status_code == 400
    member.refresh_from_db()
    assert (member.user.first_name, member.postcode) == (old, "")


@pytest.mark.django_db
def test_a_staff_user_without_membership_is_sent_to_the_counter(client):
    from members import roles
    from tests.factories import staff_user

    client.force_login(staff_user(roles.COUNTER_STAFF))
    assert client.get(reverse("members:card")).url == reverse("rewards:counter")
