"""Recording an invitation: who invited whom, through which channel, and the fraud checks."""

from __future__ import annotations

from datetime import datetime

from django.db import IntegrityError, transaction
from django.utils import timezone

from members.models import Location, Member, User
from members.services import member_channel_set
from referrals.errors import ReferralsError
from referrals.models import Reason, Referral, ReferralCode, ReferralLinkOpen
from referrals.services import fraud
from referrals.services.codes import fingerprint, program_active, referral_code_find


@transaction.atomic
def referral_attribute(
    *,
    friend: Member,
    code: str,
    channel: str,
    ip: str | None = None,
    device: str | None = None,
    staff: User | None = None,
    location: Location | None = None,
    at: datetime | None = None,
) -> Referral:
    """Record that `friend` was invited by the member whose code is `code` (as typed).

    Returns the referral, kept for the owner whatever the checks say: pending (flagged for
    review on a burst of sign-ups or a likely shared household) or refused with its reasons
    (self-referral, already a member, cap reached). The same invitation arriving again (a
    double tap at the till, the login right after joining through the link) returns the
    first referral, unchanged, with `replayed` set.

    Raises ReferralsError: program_inactive, code_empty, invalid_code, unknown_code,
    own_code (the member's own code), already_referred (invited by someone else before).
    Locks the referrer's code row, so that the sign-ups of one referrer are counted one at a
    time and two at once cannot both take the last place under the monthly cap.
    """
    now = at or timezone.now()
    program = program_active()
    found = referral_code_find(raw=code)
    code_row = ReferralCode.objects.select_for_update().get(pk=found.pk)
    referrer = found.member
    if referrer.user_id == friend.user_id:
        raise ReferralsError("own_code")
    existing = Referral.objects.filter(friend=friend).first()
    if existing is not None:
        return _again(existing, referrer)
    ip_hash, device_hash = fingerprint(ip), fingerprint(device)
    refused = fraud.refusals(program, referrer=referrer, friend=friend, now=now)
    flags = []
    if not refused:
        flags = fraud.bursts(program, ip_hash=ip_hash, device_hash=device_hash, now=now)
        if fraud.is_same_household(referrer.user, friend.user):
            flags.append(Reason.SAME_HOUSEHOLD)
    opened = (
        ReferralLinkOpen.objects.filter(code=code_row, device_hash=device_hash, referral=None).first()
        if device_hash
        else None
    )
    try:
        with transaction.atomic():
            referral = Referral.objects.create(
                referrer=referrer,
                friend=friend,
                channel=channel,
                status=Referral.Status.REFUSED if refused else Referral.Status.PENDING,
                review=Referral.Review.WAITING if flags else Referral.Review.NONE,
                reasons=fraud.reasons_add("", *refused, *flags),
                ip_hash=ip_hash,
                device_hash=device_hash,
                staff=staff,
                location=location,
                opened_at=opened.opened_at if opened else None,
                created_at=now,
                closed_at=now if refused else None,
            )
    except IntegrityError:  # another invitation of this friend was recorded at the same moment
        return _again(Referral.objects.get(friend=friend), referrer)
    if opened is not None:
        ReferralLinkOpen.objects.filter(pk=opened.pk, referral=None).update(referral=referral)
    if not refused:  # a new member who came through the invitation: the dashboard's channel
        member_channel_set(member=friend, channel=Member.Channel.REFERRAL)
    if Reason.BURST_IP in flags or Reason.BURST_DEVICE in flags:
        fraud.flag_burst_siblings(program, reasons=flags, ip_hash=ip_hash, device_hash=device_hash, now=now)
    return referral


def _again(existing: Referral, referrer: Member) -> Referral:
    if existing.referrer_id != referrer.pk:
        raise ReferralsError("already_referred")
    existing.replayed = True
    return existing


def refusal_error(referral: Referral) -> ReferralsError | None:
    """The error to show for a referral refused when it was recorded (None if it was not)."""
    if referral.status != Referral.Status.REFUSED:
        return None
    for code in referral.reason_list:
        if code in ReferralsError.messages:
            return ReferralsError(code)
    return None
