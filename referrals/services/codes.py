"""Members' invitation codes, what people type for them, and opens of the link."""

from __future__ import annotations

import re
import secrets
from datetime import datetime, timedelta

from django.core.cache import cache
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.crypto import salted_hmac

from members.models import Member
from members.services import NUMBER_ALPHABET
from referrals.errors import ReferralsError
from referrals.models import ReferralCode, ReferralLinkOpen, ReferralProgram

CODE_LENGTH = 8  # 31**8 ≈ 8.5e11: unguessable at the rate the landing page allows
CODE_PATTERN = re.compile(rf"[{NUMBER_ALPHABET}]{{{CODE_LENGTH}}}")
TYPED_MAX_LENGTH = 40  # longer input is junk (or an attack); refused unread
# Opens recorded per code and day at most: a link posted publicly must not fill the table.
OPENS_PER_DAY = 200
# Wrong codes allowed per IP address in GUESS_WINDOW seconds on the public pages.
GUESS_LIMIT = 20
GUESS_WINDOW = 600


def fingerprint(value: str | None) -> str:
    """A keyed hash of an IP address or device id: comparable, not reversible, not personal."""
    if not value:
        return ""
    return salted_hmac("referrals.fingerprint", value).hexdigest()[:32]


def code_normalize(raw: str | None) -> str:
    """What was typed or scanned → the stored form, or raise ReferralsError.

    Case, spaces and dashes do not matter ("abcd 2345", "ABCD-2345"). The letters people
    confuse (O/0, I/1/L) are not in the alphabet, so they are refused, not guessed.
    """
    text = (raw or "").strip()
    if not text:
        raise ReferralsError("code_empty")
    if len(text) > TYPED_MAX_LENGTH:
        raise ReferralsError("invalid_code")
    compact = re.sub(r"[\s-]", "", text).upper()
    if not CODE_PATTERN.fullmatch(compact):
        raise ReferralsError("invalid_code")
    return compact


def referral_code_find(*, raw: str) -> ReferralCode:
    """The code (with its member and user) that `raw` names. Erased members have none.

    Raises ReferralsError: code_empty, invalid_code, unknown_code.
    """
    code = code_normalize(raw)
    found = (
        ReferralCode.objects.select_related("member__user")
        .filter(code=code, member__erased_at__isnull=True)
        .first()
    )
    if found is None:
        raise ReferralsError("unknown_code")
    return found


def referral_code_lookup(*, raw: str, ip: str | None) -> ReferralCode:
    """referral_code_find for the public pages, with a limit on wrong codes per IP address,
    so that the codes cannot be walked. Raises ReferralsError as referral_code_find does,
    and "too_many_attempts"."""
    key = f"referrals:wrong-code:{fingerprint(ip)}"
    if ip and (cache.get(key) or 0) >= GUESS_LIMIT:
        raise ReferralsError("too_many_attempts")
    try:
        return referral_code_find(raw=raw)
    except ReferralsError as error:
        if ip and error.code in ("invalid_code", "unknown_code") and not cache.add(key, 1, GUESS_WINDOW):
            try:
                cache.incr(key)
            except ValueError:  # expired between add and incr
                cache.add(key, 1, GUESS_WINDOW)
        raise


def _new_code() -> str:
    return "".join(secrets.choice(NUMBER_ALPHABET) for _ in range(CODE_LENGTH))


@transaction.atomic
def referral_code_get_or_create(*, member: Member) -> ReferralCode:
    """The member's code, made the first time it is asked for (most members never share).

    A clash of random codes, or two first visits at once, is settled by the unique
    constraints inside a savepoint.
    """
    existing = ReferralCode.objects.filter(member=member).first()
    if existing is not None:
        return existing
    for _attempt in range(10):
        try:
            with transaction.atomic():
                return ReferralCode.objects.create(member=member, code=_new_code())
        except IntegrityError:
            existing = ReferralCode.objects.filter(member=member).first()
            if existing is not None:
                return existing
    raise RuntimeError("Could not find a free referral code")  # pragma: no cover


@transaction.atomic
def link_open_record(
    *, code: ReferralCode, device: str, at: datetime | None = None
) -> ReferralLinkOpen | None:
    """Someone opened `code`'s link on `device` (the device cookie): "invited" in the
    member's progress. Once per code and device; None when the day's allowance is used up."""
    now = at or timezone.now()
    device_hash = fingerprint(device)
    if not device_hash:
        return None
    known = ReferralLinkOpen.objects.filter(code=code, device_hash=device_hash).first()
    if known is not None:
        return known
    if (
        ReferralLinkOpen.objects.filter(code=code, opened_at__gte=now - timedelta(days=1)).count()
        >= OPENS_PER_DAY
    ):
        return None
    try:
        with transaction.atomic():
            return ReferralLinkOpen.objects.create(code=code, device_hash=device_hash, opened_at=now)
    except IntegrityError:  # the same device twice at once (a double load)
        return ReferralLinkOpen.objects.filter(code=code, device_hash=device_hash).first()


def program_active() -> ReferralProgram:
    """The programme, or raise ReferralsError("program_inactive")."""
    program = ReferralProgram.load()
    if not program.is_active:
        raise ReferralsError("program_inactive")
    return program
