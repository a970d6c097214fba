"""Joining, the profile, consents and unsubscribe links: every write about a member's account.

Views, admin actions, tasks and commands call these functions; they hold the rules.
"""

from __future__ import annotations

import secrets
from datetime import date

from allauth.account.models import EmailAddress
from django.conf import settings
from django.core import signing
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from clubsite.errors import CodedError
from clubsite.sms import send_sms
from members import signals
from members.mail import club_from_email
from members.models import Club, ConsentEvent, Interest, Location, Member, User
from members.registry import welcome_offer_lines
from members.selectors import consent_current

# Human-typed codes: no 0/O, no 1/I/L, so that a number read aloud at the till is unambiguous.
NUMBER_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
NUMBER_LENGTH = 8
UNSUBSCRIBE_SALT = "members.unsubscribe"


class MembersError(CodedError):
    """A refused member operation. `code` is stable (tests, templates); `message` is shown."""

    messages = {
        "already_member": _("There is already a member with this e-mail address or mobile number."),
        "contact_missing": _("Enter your e-mail address or your mobile number."),
        "reason_required": _("Give a reason for the change."),
        "token_invalid": _("This code is not valid."),
        "token_expired": _("This code has expired. Ask the member to refresh the card."),
        "member_not_found": _("No member has this number."),
        "link_invalid": _("This link is not valid. Use the newest link we sent you, or log in."),
        "already_erased": _("This member has already been erased."),
    }


def consent_wording(channel: str) -> str:
    """The exact sentence a member agrees to, in the active language."""
    if channel == ConsentEvent.Channel.SMS:
        return str(_("Yes, send me offers and news from the club by SMS."))
    return str(_("Yes, send me offers and news from the club by e-mail."))


def _new_member_number() -> str:
    return "".join(secrets.choice(NUMBER_ALPHABET) for _ in range(NUMBER_LENGTH))


# Where a member came from when the join does not say (the till and the import know theirs).
CHANNEL_OF_SOURCE = {Member.Source.COUNTER: Member.Channel.TILL, Member.Source.IMPORT: Member.Channel.IMPORT}


def member_create_for_user(
    *,
    user: User,
    source: str,
    language: str = "",
    accepts_terms: bool = True,
    channel: str | None = None,
    location: Location | None = None,
) -> Member:
    """Give `user` a member profile with a fresh, unique member number.

    `accepts_terms` is False for customers brought over from the shop's own records (an
    import): they have not seen this club's terms, so no acceptance is recorded for them.

    The uniqueness loop retries inside a savepoint: with 31**8 numbers a clash is rare,
    but two sign-ups may still race for the same one.
    """
    for _attempt in range(10):
        number = _new_member_number()
        if Member.objects.filter(number=number).exists():
            continue
        try:
            with transaction.atomic():
                return Member.objects.create(
                    user=user,
                    number=number,
                    card_secret=secrets.token_hex(32),
                    source=source,
                    channel=channel or CHANNEL_OF_SOURCE.get(source, Member.Channel.WEB),
                    joined_location=location,
                    home_location=location,
                    language=language,
                    terms_version=settings.LOJAL_TERMS_VERSION if accepts_terms else "",
                    terms_accepted_at=timezone.now() if accepts_terms else None,
                )
        except IntegrityError:
            if Member.objects.filter(user=user).exists():
                raise
    raise RuntimeError("Could not find a free member number")  # pragma: no cover


@transaction.atomic
def member_join(
    *,
    first_name: str,
    email: str | None = None,
    phone: str | None = None,
    marketing_consent: bool = False,
    consent_text: str = "",
    source: str = Member.Source.WEB,
    language: str = "",
    welcome: bool = True,
    channel: str | None = None,
    location: Location | None = None,
) -> Member:
    """Create a user and member from the three-field join form.

    `channel` and `location` say how and where they found the way in (a join link's
    ?kanal=&butikk=, see members.recruiting); by default what `source` implies.

    `email` is any case (stored lower case); `phone` is E.164. One of them is required.
    With `marketing_consent`, marketing is granted on the channel the member gave us, with
    the wording they saw (`consent_text`). The welcome message is queued after commit.
    Raises MembersError("contact_missing" | "already_member").
    """
    email = (email or "").strip().lower() or None
    phone = phone or None
    if not email and not phone:
        raise MembersError("contact_missing")
    if _contact_taken(email=email, phone=phone):
        raise MembersError("already_member")
    try:
        with transaction.atomic():
            user = User.objects.create_user(email=email, phone=phone, first_name=first_name.strip())
    except IntegrityError as exc:  # a concurrent join with the same address won the race
        raise MembersError("already_member") from exc
    if email:
        EmailAddress.objects.create(user=user, email=email, primary=True, verified=False)
    member = member_create_for_user(
        user=user, source=source, language=language, channel=channel, location=location
    )
    if marketing_consent:
        channel = ConsentEvent.Channel.EMAIL if email else ConsentEvent.Channel.SMS
        consent_set(
            member=member,
            channel=channel,
            granted=True,
            source=ConsentEvent.Source.SIGNUP,
            wording=consent_text or None,
        )
    if welcome:
        transaction.on_commit(lambda: _queue_welcome(member.pk))
    transaction.on_commit(lambda: signals.member_joined.send(sender=Member, member_id=member.pk))
    return member


def member_channel_set(*, member: Member, channel: str) -> None:
    """How the member came to join, when another app learns it after the join (an invitation
    recorded after the sign-up form: referrals)."""
    Member.objects.filter(pk=member.pk).update(channel=channel)
    member.channel = channel


def _contact_taken(*, email: str | None, phone: str | None) -> bool:
    if email and (
        User.objects.filter(email__iexact=email).exists()
        or EmailAddress.objects.filter(email__iexact=email).exists()
    ):
        return True
    return bool(phone and User.objects.filter(phone=phone).exists())


def _queue_welcome(member_id: int) -> None:
    from members.tasks import send_welcome  # tasks import services; avoid the cycle

    send_welcome.delay(member_id)


def member_welcome_send(*, member_id: int) -> None:
    """Send the welcome message by the channel the member joined with (not marketing)."""
    member = Member.objects.select_related("user").get(pk=member_id)
    if member.is_erased:
        return
    user = member.user
    club = Club.load()
    with translation.override(member.language or settings.LANGUAGE_CODE):
        context = {
            "club": club,
            "member": member,
            "card_url": settings.LOJAL_SITE_URL + reverse("members:card"),
            "login_url": settings.LOJAL_SITE_URL + reverse("account_request_login_code"),
            "welcome_offers": welcome_offer_lines(),
        }
        if user.email:
            subject = _("Welcome to %(club)s") % {"club": club.name}
            body = render_to_string("members/email/welcome.txt", context)
            send_mail(str(subject), body, club_from_email(), [user.email])
        elif user.phone:
            send_sms(user.phone, render_to_string("members/sms/welcome.txt", context).strip())


@transaction.atomic
def consent_set(
    *,
    member: Member,
    channel: str,
    granted: bool,
    source: str,
    wording: str | None = None,
    wording_version: str | None = None,
) -> ConsentEvent | None:
    """Record a grant or withdrawal of marketing consent on `channel`.

    `wording` is the exact text the member saw (default: the channel's own sentence), and
    `wording_version` its version (default: today's; an import brings the one they agreed to).
    Writes a row only when the state changes, so a repeated click is not a new event.
    Locks the member row so that two concurrent changes are ordered.
    """
    Member.objects.select_for_update().filter(pk=member.pk).first()
    purpose = ConsentEvent.Purpose.MARKETING
    if consent_current(member).get(channel, False) == granted:
        return None
    return ConsentEvent.objects.create(
        member=member,
        purpose=purpose,
        channel=channel,
        granted=granted,
        wording_version=wording_version or settings.LOJAL_CONSENT_VERSION,
        wording=wording or consent_wording(channel),
        source=source,
    )


@transaction.atomic
def preferences_update(*, member: Member, paused: bool, frequency: str) -> Member:
    member.marketing_paused = paused
    member.frequency = frequency
    member.save(update_fields=["marketing_paused", "frequency"])
    return member


@transaction.atomic
def profile_update(
    *,
    member: Member,
    first_name: str,
    last_name: str = "",
    birthday: date | None = None,
    postcode: str = "",
    interests: list[Interest] | None = None,
) -> Member:
    user = member.user
    user.first_name = first_name.strip()
    user.last_name = last_name.strip()
    user.save(update_fields=["first_name", "last_name"])
    if birthday != member.birthday:
        member.birthday_set_at = timezone.now() if birthday else None
    member.birthday = birthday
    member.postcode = postcode.strip()
    member.save(update_fields=["birthday", "birthday_set_at", "postcode"])
    if interests is not None:
        member.interests.set(interests)
    transaction.on_commit(lambda: signals.profile_updated.send(sender=Member, member_id=member.pk))
    return member


def profile_is_complete(member: Member) -> bool:
    """Everything progressive profiling asks for has an answer (the profile bonus rule)."""
    return bool(member.birthday and member.postcode and member.interests.exists())


# --- Unsubscribe links: work without login, signed, never expire (old e-mails stay useful).


def unsubscribe_token(*, member: Member, channel: str) -> str:
    return signing.Signer(salt=UNSUBSCRIBE_SALT).sign_object({"m": member.number, "c": channel})


def unsubscribe_verify(*, token: str) -> tuple[Member, str]:
    try:
        data = signing.Signer(salt=UNSUBSCRIBE_SALT).unsign_object(token)
        number, channel = data["m"], data["c"]
    except (signing.BadSignature, KeyError, TypeError, ValueError) as exc:
        raise MembersError("link_invalid") from exc
    member = Member.objects.filter(number=number, erased_at=None).first()
    if member is None or channel not in ConsentEvent.Channel.values:
        raise MembersError("link_invalid")
    return member, channel


@transaction.atomic
def member_contact_update(
    *,
    member: Member,
    email: str | None,
    phone: str | None,
    first_name: str,
    last_name: str,
    reason: str,
) -> list[str]:
    """Customer service corrects a member's contact details at the member's request.

    `email` any case, `phone` E.164 (None: none). One of them stays (the member logs in with
    it); neither may belong to someone else; a reason is required (the admin logs it). A
    new e-mail address is unverified until the member confirms it. Returns the names of
    the fields that changed. Raises MembersError.
    """
    if not (reason or "").strip():
        raise MembersError("reason_required")
    email = (email or "").strip().lower() or None
    if not email and not phone:
        raise MembersError("contact_missing")
    user = User.objects.select_for_update().get(pk=member.user_id)
    others = User.objects.exclude(pk=user.pk)
    taken_email = email and (
        others.filter(email__iexact=email).exists()
        or EmailAddress.objects.exclude(user=user).filter(email__iexact=email).exists()
    )
    if taken_email or (phone and others.filter(phone=phone).exists()):
        raise MembersError("already_member")
    changed = [
        name
        for name, value in (
            ("email", email),
            ("phone", phone),
            ("first_name", first_name),
            ("last_name", last_name),
        )
        if getattr(user, name) != value
    ]
    if "email" in changed:
        EmailAddress.objects.filter(user=user).delete()
        if email:
            EmailAddress.objects.create(user=user, email=email, primary=True, verified=False)
    if "phone" in changed:
        user.phone_verified = False
    user.email, user.phone, user.first_name, user.last_name = email, phone, first_name, last_name
    user.save(update_fields=["email", "phone", "phone_verified", "first_name", "last_name"])
    return changed
