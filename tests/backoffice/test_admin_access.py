"""The admin is the owner's, with the members' pages for customer service; its login locks
after repeated wrong passwords."""

import pytest
from django.contrib.admin.models import LogEntry
from django.test import Client
from django.urls import reverse

from members import roles
from tests.factories import LocationFactory, MemberFactory, UserFactory, staff_user

pytestmark = pytest.mark.django_db
LOGIN = reverse("admin:login")
PASSWORD = "correct horse battery staple"


def owner_pages(member_pk: int, entry_pk: int) -> list[str]:
    return [
        reverse("admin:index"),
        reverse("admin:members_member_changelist"),
        reverse("admin:members_member_change", args=[member_pk]),
        reverse("admin:members_member_import"),
        reverse("admin:members_member_export"),
        reverse("admin:members_member_export_data", args=[member_pk]),
        reverse("admin:members_member_erase", args=[member_pk]),
        reverse("admin:rewards_ledgerentry_changelist"),
        reverse("admin:rewards_ledgerentry_export"),
        reverse("admin:rewards_ledgerentry_reverse", args=[entry_pk]),
        reverse("admin:members_consentevent_changelist"),
        reverse("admin:referrals_referral_changelist"),
    ]


@pytest.fixture
def entry(db):
    from rewards import services

    return services.points_award(member=MemberFactory(), points=10, reason="x", idempotency_key="k").entry


@pytest.mark.parametrize("who", ["counter staff", "member", "anonymous"])
def test_only_the_owner_and_customer_service_open_the_admin(who, entry):
    member = entry.wallet.member
    if who == "member":
        user = member.user
    elif who != "anonymous":
        user = staff_user(roles.COUNTER_STAFF, LocationFactory(), is_staff=True)
    client = Client()
    if who != "anonymous":
        client.force_login(user)
    for url in owner_pages(member.pk, entry.pk):
        response = client.get(url)
        assert response.status_code == 302 and response.url.startswith(LOGIN), url
    post = client.post(
        reverse("admin:members_member_erase", args=[member.pk]), {"how": "email", "confirm": "on"}
    )
    assert post.status_code == 302
    member.refresh_from_db()
    assert not member.is_erased


def test_the_owner_opens_them_all(owner_client, entry):
    for url in owner_pages(entry.wallet.member_id, entry.pk):
        assert owner_client.get(url).status_code == 200, url


def test_the_admin_login_locks_after_the_failure_limit_even_for_the_right_password(settings):
    settings.AXES_FAILURE_LIMIT = 3
    UserFactory(email="eier@example.com", is_staff=True, is_superuser=True)
    client = Client()
    for _ in range(2):
        response = client.post(LOGIN, {"username": "eier@example.com", "password": "wrong"})
        assert response.status_code == 200  # the form again, with its error
    locked = client.post(LOGIN, {"username": "eier@example.com", "password": "wrong"})
    assert locked.status_code == 429
    right = client.post(LOGIN, {"username": "eier@example.com", "password": PASSWORD})
    assert right.status_code == 429
    assert "_auth_user_id" not in client.session
    # The lock-out page speaks the club's language (Norwegian by default).
    assert "For mange mislykkede forsøk" in right.content.decode()


def test_a_lock_is_per_account_the_owner_is_not_locked_out_by_someone_elses_failures(settings):
    settings.AXES_FAILURE_LIMIT = 3
    UserFactory(email="eier@example.com", is_staff=True, is_superuser=True)
    client = Client()
    for _ in range(3):
        client.post(LOGIN, {"username": "someone@example.com", "password": "guess"})
    response = client.post(LOGIN, {"username": "eier@example.com", "password": PASSWORD})
    assert response.status_code == 302
    assert client.session["_auth_user_id"]


def test_a_right_password_below_the_limit_logs_in_and_clears_the_failures(settings):
    settings.AXES_FAILURE_LIMIT = 3
    UserFactory(email="eier@example.com", is_staff=True, is_superuser=True)
    client = Client()
    for _ in range(2):
        client.post(LOGIN, {"username": "eier@example.com", "password": "wrong"})
    assert client.post(LOGIN, {"username": "eier@example.com", "password": PASSWORD}).status_code == 302
    client.logout()
    for _ in range(2):
        client.post(LOGIN, {"username": "eier@example.com", "password": "wrong"})
    assert client.post(LOGIN, {"username": "eier@example.com", "password": PASSWORD}).status_code == 302


def test_customer_service_fixes_contact_details_exports_and_erases_but_nothing_else(entry):
    """Issue 14, item 17: customer service were refused the admin and could not help."""
    member = entry.wallet.member
    owner = staff_user(roles.OWNER)
    service = staff_user(roles.CUSTOMER_SERVICE, LocationFactory())
    client = Client()
    client.force_login(service)
    allowed = [
        reverse("admin:index"),
        reverse("admin:members_member_changelist"),
        reverse("admin:members_member_change", args=[member.pk]),
        reverse("admin:members_member_contact", args=[member.pk]),
        reverse("admin:members_member_erase", args=[member.pk]),
        reverse("admin:members_consentevent_changelist"),
        reverse("admin:members_user_change", args=[member.user_id]),
    ]
    refused = [
        reverse("admin:members_member_import"),
        reverse("admin:members_member_export"),
        reverse("admin:rewards_ledgerentry_changelist"),
        reverse("admin:rewards_ledgerentry_reverse", args=[entry.pk]),
        reverse("admin:rewards_pointsprogram_changelist"),
        reverse("admin:referrals_referral_changelist"),
        reverse("admin:members_club_changelist"),
        reverse("admin:members_user_change", args=[owner.pk]),  # a staff account
        reverse("admin:members_user_add"),
    ]
    for url in allowed:
        assert client.get(url).status_code == 200, url
    for url in refused:
        assert client.get(url).status_code in (302, 403, 404), url
    assert client.get(reverse("admin:members_member_export_data", args=[member.pk]))["Content-Type"] == (
        "application/zip"
    )

    changed = client.post(
        reverse("admin:members_member_contact", args=[member.pk]),
        {
            "email": "ny@example.org",
            "phone": "412 34 567",
            "first_name": "Kari",
            "last_name": "",
            "reason": "",
        },
    )
    assert changed.status_code == 400 and changed.context["form"].errors["reason"]
    client.post(
        reverse("admin:members_member_contact", args=[member.pk]),
        {
            "email": "NY@example.org",
            "phone": "412 34 567",
            "first_name": "Kari",
            "last_name": "Nordmann",
            "reason": "ny e-post, ringte",
        },
    )
    member.user.refresh_from_db()
    assert (member.user.email, member.user.phone) == ("ny@example.org", "+4741234567")
    log = LogEntry.objects.get(object_id=str(member.pk), change_message__contains="ny e-post, ringte")
    assert log.user == service

    client.post(reverse("admin:members_member_erase", args=[member.pk]), {"how": "phone", "confirm": "on"})
    member.refresh_from_db()
    assert member.is_erased


def test_contact_details_of_someone_else_are_refused_and_nothing_changes(entry):
    member = entry.wallet.member
    MemberFactory(user__email="tatt@example.org")
    service = staff_user(roles.CUSTOMER_SERVICE, LocationFactory())
    client = Client()
    client.force_login(service)
    before = member.user.email

    response = client.post(
        reverse("admin:members_member_contact", args=[member.pk]),
        {"email": "tatt@example.org", "phone": "", "first_name": "Kari", "reason": "ringte"},
    )

    assert response.status_code == 400 and "Det finnes allerede et medlem" in response.content.decode()
    member.user.refresh_from_db()
    assert member.user.email == before
