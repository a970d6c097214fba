"""Password lock-outs: the account that was tried, from the IP it was tried at.

django-axes locks an account + IP after AXES_FAILURE_LIMIT failures (AXES_USERNAME_CALLABLE
tells it which account). allauth's login form posts `login` (or `email`/`phone`) and its
backend is called with `email=` or `phone=`, not `username=`: axes then recorded every
failure under no account at all, and five mistyped passwords locked every login from the
shop's IP. A colleague or a customer on the same network must still get in, so the only
IP-wide limit is a much higher one (IPLimitBackend), against one machine trying many
accounts.
"""

from __future__ import annotations

from datetime import timedelta

from axes.models import AccessAttempt
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db.models import Sum
from django.utils import timezone

from members.phone import InvalidPhoneNumber, phone_normalize

AXES_USERNAME_LENGTH = 255  # axes' AccessAttempt.username
# What names the account, as each login form posts it or each backend is called with it.
ACCOUNT_FIELDS = ("username", "email", "phone", "login")


def axes_username(request, credentials: dict | None = None) -> str | None:
    """The account a login tried, as axes records and locks it: the first of the fields
    that name an account, from the backend's credentials or else the posted form; an
    e-mail in lower case and a phone number in its stored form, so that "Kari@X.no" and
    "kari@x.no" are the same account. Cut to axes' column, NUL shown as ␀ (a 10,000-
    character or NUL-holding login could not be saved on PostgreSQL)."""
    source = credentials if credentials else getattr(request, "POST", {})
    value = next((source.get(field) for field in ACCOUNT_FIELDS if source and source.get(field)), None)
    if value is None:
        return None
    return _account(str(value))[:AXES_USERNAME_LENGTH].replace("\x00", "\N{SYMBOL FOR NULL}")


def _account(value: str) -> str:
    value = value.strip()
    if "@" in value:
        return value.lower()
    try:
        return phone_normalize(value) or value
    except InvalidPhoneNumber:
        return value


def ip_failures(ip: str, *, now=None) -> int:
    """Failed password logins from `ip` within the cool-off time, over all accounts (read
    from axes' records: no second count to keep)."""
    since = (now or timezone.now()) - timedelta(hours=settings.AXES_COOLOFF_TIME)
    recent = AccessAttempt.objects.filter(ip_address=ip, attempt_time__gte=since)
    return recent.aggregate(n=Sum("failures_since_start", default=0))["n"]


class IPLimitBackend:
    """Refuses every password login from an IP that failed LOGIN_IP_FAILURE_LIMIT times
    within the cool-off time, whichever accounts it tried. Placed before the real backends;
    it authenticates nobody itself, so it has no get_user() (as axes' backend has none:
    a session is never kept under it)."""

    def authenticate(self, request, **credentials):
        ip = request.META.get("REMOTE_ADDR") if request is not None else None
        if ip and ip_failures(ip) >= settings.LOGIN_IP_FAILURE_LIMIT:
            # axes' middleware answers with its lock-out page for a request marked so.
            request.axes_locked_out = True
            request.axes_credentials = credentials
            raise PermissionDenied
        return None
