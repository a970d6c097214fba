"""How an invitation travels with a visitor until they join: the web side of attribution.

The landing page /verv/<code>/ remembers the code twice: in the session, and in a signed
cookie that lasts as long as the programme says (30 days by default), for a visitor whose
session is gone by the time they join. A device cookie (a random id, kept only as a keyed
hash on the referral) lets the burst check see many sign-ups from one phone.

The members app knows nothing of this. Its join view logs the new member in; Django's
user_logged_in signal (receivers.on_user_logged_in) is the one moment where the request
that carries the invitation and the new member meet, and that is where it is recorded.
"""

from __future__ import annotations

import re
import secrets
from datetime import timedelta

from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _

from clubsite.money import kr
from referrals.models import Referral, ReferralProgram
from referrals.services import refusal_error

SESSION_KEY = "referrals_invite"
INVITE_COOKIE = "lojal_invite"
INVITE_SALT = "referrals.invite"
DEVICE_COOKIE = "lojal_device"
DEVICE_MAX_AGE = 365 * 24 * 60 * 60
# A login this soon after joining is the join itself (the join view logs the member in; so
# does a social sign-up). A member who joined earlier is not a new friend.
JUST_JOINED = timedelta(minutes=10)
_DEVICE_PATTERN = re.compile(r"[A-Za-z0-9_-]{16,64}")


def client_ip(request: HttpRequest) -> str | None:
    # As the counter does: the proxy in front sets REMOTE_ADDR to the client's address.
    return request.META.get("REMOTE_ADDR") or None


def device_id(request: HttpRequest) -> str | None:
    value = request.COOKIES.get(DEVICE_COOKIE, "")
    return value if _DEVICE_PATTERN.fullmatch(value) else None


def _cookie_options() -> dict:
    return {"httponly": True, "samesite": "Lax", "secure": settings.SESSION_COOKIE_SECURE}


def device_ensure(request: HttpRequest, response: HttpResponse) -> str:
    """The device id of this browser, given one if it has none."""
    known = device_id(request)
    if known:
        return known
    new = secrets.token_urlsafe(16)
    response.set_cookie(DEVICE_COOKIE, new, max_age=DEVICE_MAX_AGE, **_cookie_options())
    request.COOKIES[DEVICE_COOKIE] = new  # the rest of this request sees it too
    return new


def invite_remember(request: HttpRequest, response: HttpResponse, *, code: str, days: int) -> None:
    request.session[SESSION_KEY] = code
    response.set_signed_cookie(
        INVITE_COOKIE, code, salt=INVITE_SALT, max_age=days * 24 * 60 * 60, **_cookie_options()
    )


def invite_from(request: HttpRequest) -> str | None:
    """The invitation code this visitor brought, if any (no database query when none)."""
    code = request.session.get(SESSION_KEY) if hasattr(request, "session") else None
    if code:
        return code
    if INVITE_COOKIE not in request.COOKIES:
        return None
    days = ReferralProgram.load().cookie_days
    return request.get_signed_cookie(
        INVITE_COOKIE, default=None, salt=INVITE_SALT, max_age=days * 24 * 60 * 60
    )


def invite_forget(request: HttpRequest, response: HttpResponse | None = None) -> None:
    if hasattr(request, "session"):
        request.session.pop(SESSION_KEY, None)
    if response is not None:
        response.delete_cookie(INVITE_COOKIE, samesite="Lax")


def conditions_text(program: ReferralProgram) -> str:
    """What the friend must do for the rewards, in one sentence."""
    if program.qualifies_on_visit:
        return _("Show your member card at the till within %(days)s days of joining.") % {
            "days": program.qualify_within_days
        }
    return _("Shop for at least %(amount)s within %(days)s days of joining.") % {
        "amount": kr(program.min_purchase_ore),
        "days": program.qualify_within_days,
    }


def outcome_message(request: HttpRequest, referral: Referral) -> None:
    """Tell the new member what their invitation came to (as a message on the next page)."""
    error = refusal_error(referral)
    if error is not None:
        text = _("You are a member now, but the invitation does not count: %(reason)s") % {
            "reason": error.message
        }
        messages.warning(request, text)
        return
    program = ReferralProgram.load()
    text = _("%(name)s invited you. %(conditions)s Then you get %(gift)s.") % {
        "name": referral.referrer.user.first_name or _("A friend"),
        "conditions": conditions_text(program),
        "gift": program.friend_gift,
    }
    messages.success(request, text)
