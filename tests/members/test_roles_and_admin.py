"""Who may go where: the owner in admin, staff at the counter, members on their own pages."""

import pytest
from django.contrib.auth.models import Group
from django.test import Client
from django.urls import reverse

from members import roles
from members.models import Club
from tests.factories import LocationFactory, MemberFactory, UserFactory, staff_user

ADMIN = reverse("admin:index")
COUNTER = reverse("rewards:counter")


@pytest.mark.django_db
def test_the_three_staff_groups_exist_with_their_permissions():
    perms = {
        g.name: set(g.permissions.values_list("codename", flat=True))
        for g in Group.objects.filter(name__in=roles.ALL)
    }
    assert set(perms) == set(roles.ALL)
    assert {"change_club", "view_consentevent", "change_member"} <= perms[roles.OWNER]
    assert "change_member" in perms[roles.CUSTOMER_SERVICE]
    assert "change_club" not in perms[roles.CUSTOMER_SERVICE]
    assert perms[roles.COUNTER_STAFF] == {"view_member", "view_location"}


def _client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.mark.django_db
@pytest.mark.parametrize("role", [roles.COUNTER_STAFF])
def test_counter_staff_cannot_reach_admin_even_with_the_staff_flag(role):
    user = staff_user(role, LocationFactory(), is_staff=True)
    response = _client_for(user).get(ADMIN)
    assert response.status_code == 302
    assert response.url.startswith(reverse("admin:login"))


@pytest.mark.django_db
def test_a_member_cannot_reach_admin():
    response = _client_for(MemberFactory().user).get(ADMIN)
    assert response.status_code == 302


@pytest.mark.django_db
@pytest.mark.parametrize("superuser", [True, False])
def test_the_owner_reaches_admin_as_superuser_or_owner_group(superuser):
    owner = UserFactory(is_staff=True, is_superuser=True) if superuser else staff_user(roles.OWNER)
    assert _client_for(owner).get(ADMIN).status_code == 200


@pytest.mark.django_db
def test_the_owner_edits_the_club_texts_and_the_home_page_shows_them():
    owner = staff_user(roles.OWNER)
    client = _client_for(owner)
    url = reverse("admin:members_club_change", args=[Club.load().pk])
    response = client.post(
        url,
        {
            "name": "Kaffebaren",
            "tagline": "Den beste koppen i byen",
            "brand_colour": "#224466",
            "benefits": "Gratis kaffe\nHver tiende kopp gratis",
            "first_steps": "",
            "contact_email": "",
            "terms": "",
            "privacy": "",
            "retention_months": "24",
        },
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    home = Client().get(reverse("home")).content.decode()
    assert "Kaffebaren" in home and "Hver tiende kopp gratis" in home and "#224466" in home
    assert Club.load().retention_months == 24


@pytest.mark.django_db
def test_a_bad_brand_colour_is_refused_in_admin():
    client = _client_for(staff_user(roles.OWNER))
    url = reverse("admin:members_club_change", args=[Club.load().pk])
    response = client.post(url, {"name": "X", "brand_colour": "red; background:url(x)"})
    assert response.status_code == 200
    assert response.context["adminform"].form.errors["brand_colour"]
    assert Club.load().brand_colour != "red; background:url(x)"


@pytest.mark.django_db
def test_admin_member_search_finds_a_phone_typed_any_way():
    MemberFactory(user__phone="+4791234567", user__email=None)
    client = _client_for(staff_user(roles.OWNER))
    response = client.get(reverse("admin:members_member_changelist"), {"q": "912 34 567"})
    assert response.context["cl"].result_count == 1


@pytest.mark.django_db
def test_the_counter_is_for_staff_only():
    location = LocationFactory(name="Bakeriet Løkka")
    assert Client().get(COUNTER).status_code == 302  # to log in
    assert _client_for(MemberFactory().user).get(COUNTER).status_code == 403
    for role in roles.ALL:
        response = _client_for(staff_user(role, location)).get(COUNTER, follow=True)  # to the one till
        assert response.status_code == 200
        assert "Bakeriet Løkka" in response.content.decode()


@pytest.mark.django_db
def test_staff_see_a_link_to_the_counter_and_members_do_not():
    staff_page = _client_for(staff_user(roles.COUNTER_STAFF)).get(reverse("home")).content.decode()
    member_page = _client_for(MemberFactory().user).get(reverse("home")).content.decode()
    assert f'href="{COUNTER}"' in staff_page
    assert f'href="{COUNTER}"' not in member_page


@pytest.mark.django_db
def test_the_admin_login_locks_out_after_repeated_failures(settings):
    settings.AXES_FAILURE_LIMIT = 3
    UserFactory(email="eier@example.com", is_staff=True, is_superuser=True)
    client = Client()
    login = reverse("admin:login")
    for _ in range(3):
        client.post(login, {"username": "eier@example.com", "password": "wrong"})
    response = client.post(
        login, {"username": "eier@example.com", "password": "correct horse battery staple"}
    )
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session
