"""The checks a new referral goes through. Each answers with a models.Reason code or nothing.

Refusing checks (self-referral, already a member, cap) stop a referral from ever paying;
flagging checks (burst, same household) hold it for the owner's review.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta

from django.db.models import Q
from django.utils import timezone

from members.models import Member, User
from referrals.models import Reason, Referral, ReferralProgram
from rewards.models import LedgerEntry

HOUSEHOLD_PHONE_DIGITS = 2  # numbers alike but for the last two digits: a family subscription


def email_canonical(email: str | None) -> str:
    """One spelling per mailbox: case and a "+alias" ignored (and Gmail's dots, which Gmail
    ignores too), so that kari+1@example.com is Kari."""
    if not email or "@" not in email:
        return ""
    local, _at, domain = email.strip().lower().rpartition("@")
    local = local.split("+", 1)[0]
    if domain in ("gmail.com", "googlemail.com"):
        local, domain = local.replace(".", ""), "gmail.com"
    return f"{local}@{domain}"


def is_self_referral(referrer: User, friend: User) -> bool:
    if referrer.pk == friend.pk:
        return True
    mine, theirs = email_canonical(referrer.email), email_canonical(friend.email)
    if mine and mine == theirs:
        return True
    return bool(referrer.phone and referrer.phone == friend.phone)


def _surname(email: str | None) -> str:
    """The last part of "kari.nordmann@…" / "ola_nordmann+x@…": a family name, if the address
    has parts (read before email_canonical, which drops Gmail's dots)."""
    local = (email or "").lower().rpartition("@")[0].split("+", 1)[0]
    parts = [p for p in re.split(r"[._-]", local) if p]
    return parts[-1] if len(parts) >= 2 and len(parts[-1]) >= 3 and parts[-1].isalpha() else ""


def is_same_household(referrer: User, friend: User) -> bool:
    """Alike contacts that suggest one household: one family name in both e-mail addresses
    (kari.nordmann@…, ola.nordmann@…), or mobile numbers next to each other.

    A shared mail domain alone is not enough: colleagues share one, and invite each other."""
    surname = _surname(referrer.email)
    if surname and surname == _surname(friend.email):
        return True
    a, b = referrer.phone or "", friend.phone or ""
    return bool(a and b and len(a) == len(b) and a[:-HOUSEHOLD_PHONE_DIGITS] == b[:-HOUSEHOLD_PHONE_DIGITS])


def is_known_customer(program: ReferralProgram, friend: Member, now: datetime) -> bool:
    """Joined too long ago to be a new friend, or has bought before the invitation."""
    if friend.joined_at < now - timedelta(days=program.qualify_within_days):
        return True
    return LedgerEntry.objects.filter(wallet__member=friend, qualifying=True, created_at__lte=now).exists()


def month_start(now: datetime) -> datetime:
    """Midnight on the first of the club's local month containing `now`."""
    return timezone.localtime(now).replace(day=1, hour=0, minute=0, second=0, microsecond=0)


def is_over_cap(program: ReferralProgram, referrer: Member, now: datetime) -> bool:
    """Call with the referrer's code row locked, so two sign-ups cannot both take the last place."""
    if not program.cap_per_month:
        return False
    start = month_start(now)
    # The whole month, not "up to now": `now` was taken before the lock was granted, and a
    # sign-up that held it meanwhile may carry a later time.
    end = month_start(start + timedelta(days=32))
    counted = (
        Referral.objects.filter(referrer=referrer, created_at__gte=start, created_at__lt=end)
        .exclude(status=Referral.Status.REFUSED)
        .count()
    )
    return counted >= program.cap_per_month


def refusals(program: ReferralProgram, *, referrer: Member, friend: Member, now: datetime) -> list[str]:
    found = []
    if is_self_referral(referrer.user, friend.user):
        found.append(Reason.SELF_REFERRAL)
    if is_known_customer(program, friend, now):
        found.append(Reason.ALREADY_MEMBER)
    if not found and is_over_cap(program, referrer, now):
        found.append(Reason.CAP_REACHED)
    return found


def bursts(program: ReferralProgram, *, ip_hash: str, device_hash: str, now: datetime) -> list[str]:
    """Burst reasons for a new sign-up from this IP / device: the others in the window and
    this one reach the programme's count."""
    since = now - timedelta(minutes=program.burst_minutes)
    found = []
    for field, value, reason in (
        ("ip_hash", ip_hash, Reason.BURST_IP),
        ("device_hash", device_hash, Reason.BURST_DEVICE),
    ):
        if (
            value
            and Referral.objects.filter(**{field: value}, created_at__gte=since).count() + 1
            >= program.burst_count
        ):
            found.append(reason)
    return found


def flag_burst_siblings(
    program: ReferralProgram, *, reasons: list[str], ip_hash: str, device_hash: str, now: datetime
) -> None:
    """The earlier sign-ups of a burst were under the count when they came; now they are part
    of it: hold the ones not yet paid for review as well."""
    since = now - timedelta(minutes=program.burst_minutes)
    query = Q()
    if Reason.BURST_IP in reasons:
        query |= Q(ip_hash=ip_hash)
    if Reason.BURST_DEVICE in reasons:
        query |= Q(device_hash=device_hash)
    if not query:
        return
    siblings = Referral.objects.select_for_update().filter(
        query,
        created_at__gte=since,
        status__in=[Referral.Status.PENDING, Referral.Status.QUALIFIED],
        review__in=[Referral.Review.NONE, Referral.Review.WAITING],
    )
    for sibling in siblings:
        sibling.reasons = reasons_add(
            sibling.reasons, *(r for r in reasons if _matches(sibling, r, ip_hash, device_hash))
        )
        sibling.review = Referral.Review.WAITING
        sibling.save(update_fields=["reasons", "review"])


def _matches(referral: Referral, reason: str, ip_hash: str, device_hash: str) -> bool:
    if reason == Reason.BURST_IP:
        return referral.ip_hash == ip_hash
    return referral.device_hash == device_hash


def reasons_add(current: str, *codes: str) -> str:
    known = [c for c in current.split(",") if c]
    return ",".join(known + [str(c) for c in codes if str(c) not in known])
