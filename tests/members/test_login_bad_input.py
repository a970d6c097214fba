"""A login typed with absurd values is a failed login like any other: counted, never a 500."""

import pytest
from axes.models import AccessAttempt
from django.test import Client
from django.urls import reverse

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("url", "field"),
    [(reverse("account_login"), "login"), (reverse("admin:login"), "username")],
    ids=["member login", "admin login"],
)
@pytest.mark.parametrize("typed", ["x" * 10_000, "kari\x00@example.com"], ids=["10,000 characters", "NUL"])
def test_an_absurd_login_is_refused_and_counted_against_guessing(url, field, typed):
    client = Client(raise_request_exception=False)

    response = client.post(url, {field: typed, "password": typed})

    assert response.status_code == 200  # the form again, with its error
    assert response.context["form"].errors
    assert "_auth_user_id" not in client.session
    for attempt in AccessAttempt.objects.all():
        assert len(attempt.username or "") <= 255 and "\x00" not in (attempt.username or "")
