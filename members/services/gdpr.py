"""GDPR: the member's copy of their data (access, portability) and erasure.

The apps above members hold much of a member's life (wallet, visits, referrals) and members
may not import them: both the export and the erasure ask them through members.signals
(`member_exporting`, `member_erasing`). The retention sweep that erases inactive members
lives in campaigns (it needs to see visits and the ledger); the warning it sends is here,
because members owns the member's contact details.
"""

from __future__ import annotations

import contextlib
import io
import json
import re
import secrets
import zipfile
from datetime import date, datetime, timedelta
from importlib import import_module

import phonenumbers
from allauth.account.models import EmailAddress
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.conf import settings
from django.contrib.admin.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.contrib.sessions.models import Session
from django.core.mail import send_mail
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from clubsite.sms import send_sms
from members import signals
from members.mail import club_from_email
from members.models import Club, ConsentEvent, Member, User
from members.selectors import consent_current
from members.services.accounts import MembersError, consent_set
from members.text import ascii_slug

# How long before erasure an inactive member is warned (members.services.retention).
ERASURE_WARNING_DAYS = 30
# Shorter values are left out of the free-text search: "Bo" or "Li" would match half the
# words ever typed at a till, and a two-letter fragment identifies nobody.
MENTION_MIN_LENGTH = 3


# --- Export


def member_export(*, member: Member) -> dict:
    """Everything we hold about the member, machine-readable (right of access/portability).

    The apps above add their sections (wallet, ledger, vouchers, visits, referrals, ...)
    through members.signals.member_exporting.
    """
    user = member.user
    skip = {"password", "member"}
    user_data = {
        f.name: _json_value(getattr(user, f.name)) for f in User._meta.concrete_fields if f.name not in skip
    }
    member_data = {
        # A related row (the shop they joined in) by its name: the member reads this file.
        f.name: (str(getattr(member, f.name) or "") or None)
        if f.is_relation
        else _json_value(getattr(member, f.name))
        for f in Member._meta.concrete_fields
        if f.name not in {"user", "card_secret"}
    }
    member_data["interests"] = list(member.interests.values_list("name", flat=True))
    data = {
        "exported_at": export_time(timezone.now()),
        "user": user_data,
        "member": member_data,
        "email_addresses": list(
            EmailAddress.objects.filter(user=user).values("email", "verified", "primary")
        ),
        "social_accounts": [
            {"provider": a.provider, "uid": a.uid, "date_joined": export_time(a.date_joined)}
            for a in user.socialaccount_set.all()
        ],
        "consents": {
            "current": consent_current(member),
            "log": [
                {
                    "purpose": e.purpose,
                    "channel": e.channel,
                    "channel_text": str(e.get_channel_display()),
                    "granted": e.granted,
                    "wording_version": e.wording_version,
                    "wording": e.wording,
                    "source": e.source,
                    "time": export_time(e.created_at),
                }
                for e in member.consent_events.order_by("created_at", "id")
            ],
        },
        "locations": list(user.locations.values_list("name", flat=True)),
    }
    for _receiver, sections in signals.member_exporting.send(sender=Member, member=member):
        data.update(sections or {})
    return data


def export_time(value: datetime | date | None) -> str | None:
    """A date or time for the export: ISO 8601, times in the club's time zone with the offset
    (machine-readable, and the summary's dates are the member's dates)."""
    if value is None:
        return None
    if isinstance(value, datetime):
        return timezone.localtime(value).isoformat() if timezone.is_aware(value) else value.isoformat()
    return value.isoformat()


def _json_value(value):
    if isinstance(value, (datetime, date)):
        return export_time(value)
    if hasattr(value, "name") and hasattr(value, "url"):  # file fields
        return value.name or None
    return value


def member_export_archive(*, member: Member) -> tuple[str, bytes]:
    """The export as a zip for the member (or the owner answering a request by mail):
    data.json (everything, machine-readable) and summary.html (the same for people, in the
    member's language). Returns (file name, zip bytes).

    Raises MembersError("already_erased"): nothing about an erased member is left to give.
    """
    member = Member.objects.select_related("user").get(pk=member.pk)
    if member.is_erased:
        raise MembersError("already_erased")
    club = Club.load()
    # In the member's language: the summary, and the labels the sections carry for people.
    with translation.override(member.language or settings.LANGUAGE_CODE):
        data = member_export(member=member)
        summary = render_to_string(
            "members/export/summary.html", {"club": club, "member": member, "data": data}
        )
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("data.json", json.dumps(data, indent=2, ensure_ascii=False, cls=DjangoJSONEncoder))
        archive.writestr("summary.html", summary)
    name = ascii_slug(club.name) or "lojal"
    return f"{name}-{member.number}.zip", buffer.getvalue()


# --- Erasure


def personal_values(member: Member) -> tuple[str, ...]:
    """The values that identify the member, in the forms people type them: e-mail
    addresses, the mobile number (E.164 and national), names, the member number (plain and
    as printed), birthday and postcode. Receivers of member_erasing search their free text
    for these (text_mentions)."""
    user = member.user
    values = {
        user.email,
        user.phone,
        user.first_name,
        user.last_name,
        user.get_full_name(),
        member.number,
        member.display_number,
        member.postcode,
        member.birthday.isoformat() if member.birthday else None,
        *EmailAddress.objects.filter(user=user).values_list("email", flat=True),
        *user.socialaccount_set.values_list("uid", flat=True),
    }
    if user.phone:
        with contextlib.suppress(phonenumbers.NumberParseException):
            values.add(str(phonenumbers.parse(user.phone, None).national_number))
    return tuple(sorted(v.strip() for v in values if v and v.strip()))


def _compact(text: str) -> str:
    # "912 34 567", "KAR2-345Q" and "Kari  Nordmann" as staff type them, compared as one form.
    return re.sub(r"[\s\-.()/]", "", text or "").casefold()


def text_mentions(text: str | None, personal: tuple[str, ...] | list[str]) -> bool:
    """Whether free text (something typed at the till, a log line) contains any of the
    member's personal values, ignoring case, spaces and dashes."""
    haystack = _compact(text or "")
    if not haystack:
        return False
    return any(len(needle) >= MENTION_MIN_LENGTH and needle in haystack for needle in map(_compact, personal))


@transaction.atomic
def member_erase(*, member: Member) -> Member:
    """Erase the member's personal data (right to erasure), everywhere.

    The user and member rows stay, pseudonymised, because the ledger, visits, vouchers and
    referrals point at them for accounting and the club's figures; nothing left identifies
    a person. Marketing consent is withdrawn (logged); the apps above scrub their rows through
    members.signals.member_erasing in this same transaction; failed-login records, sessions,
    e-mail addresses, social logins and the admin's history of the member lose what names
    them; the member can no longer log in.

    Locks the member row. Raises MembersError("already_erased").
    """
    member = Member.objects.select_for_update().select_related("user").get(pk=member.pk)
    if member.is_erased:
        raise MembersError("already_erased")
    user = member.user
    personal = personal_values(member)
    for channel, granted in consent_current(member).items():
        if granted:
            consent_set(member=member, channel=channel, granted=False, source=ConsentEvent.Source.ERASURE)
    signals.member_erasing.send(sender=Member, member=member, personal=personal)
    _forget_login_records(personal)
    _forget_admin_history(member, personal)
    EmailAddress.objects.filter(user=user).delete()
    user.socialaccount_set.all().delete()
    _delete_sessions_of(user, personal)
    user.email = None
    user.phone = None
    user.phone_verified = False
    user.first_name = ""
    user.last_name = ""
    user.is_active = False
    user.is_staff = False
    user.set_unusable_password()
    user.save()
    user.groups.clear()
    user.locations.clear()
    member.birthday = None
    member.birthday_set_at = None
    member.postcode = ""
    member.language = ""
    member.marketing_paused = True
    member.erasure_warned_at = None
    # The old number was printed on a card and could identify the person; "X-<id>" cannot
    # clash with a real number (those have no dash) and says nothing about who it was.
    member.number = f"X-{member.pk}"
    member.card_secret = secrets.token_hex(32)
    member.erased_at = timezone.now()
    member.save()
    member.interests.clear()
    member_id = member.pk
    transaction.on_commit(lambda: signals.member_erased.send(sender=Member, member_id=member_id))
    return member


def _identifiers(personal: tuple[str, ...]) -> list[str]:
    # What someone types as a login: addresses, numbers. Not names: "kari" in another
    # person's address is not Kari.
    return [v for v in personal if "@" in v or any(c.isdigit() for c in v)]


def _forget_login_records(personal: tuple[str, ...]) -> None:
    """Failed (and, if kept, successful) logins typed with the member's address or number,
    with their IP address and browser: by the account axes recorded (members.lockout) or
    by what the posted data holds."""
    logins = _identifiers(personal)
    for model in (AccessAttempt, AccessFailureLog, AccessLog):
        fields = [f for f in ("username", "post_data", "get_data") if hasattr(model, f)]
        doomed = [
            pk
            for pk, *texts in model.objects.values_list("pk", *fields)
            if text_mentions(" ".join(t or "" for t in texts), logins)
        ]
        model.objects.filter(pk__in=doomed).delete()


def _forget_admin_history(member: Member, personal: tuple[str, ...]) -> None:
    """The admin's change history names the object it changed ("KAR2345Q Kari") and
    sometimes inline objects (an e-mail address); the entries stay, without the names."""
    types = ContentType.objects.get_for_models(Member, User)
    own = Q(content_type=types[Member], object_id=str(member.pk)) | Q(
        content_type=types[User], object_id=str(member.user_id)
    )
    mentions = Q()
    for value in personal:
        if len(value) >= MENTION_MIN_LENGTH:
            mentions |= Q(object_repr__icontains=value) | Q(change_message__icontains=value)
    for entry in LogEntry.objects.filter(own | mentions):
        entry.object_repr = str(_("erased member"))[:200]
        if text_mentions(entry.change_message, personal):
            entry.change_message = ""
        entry.save(update_fields=["object_repr", "change_message"])


def _delete_sessions_of(user: User, personal: tuple[str, ...]) -> None:
    # Database sessions carry the user id in their encoded data, and a half-finished login
    # the address it asked a code for; without an index the only way is to decode them all.
    # Fine at a small club's scale, and erasure is rare.
    store = import_module(settings.SESSION_ENGINE).SessionStore
    for session in Session.objects.iterator():
        data = session.get_decoded()
        if str(data.get("_auth_user_id")) == str(user.pk) or text_mentions(
            json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False), _identifiers(personal)
        ):
            # Through the session engine: it drops the cached copy too (cached_db).
            store(session_key=session.session_key).delete()


# --- Retention: the warning before an inactive member is erased (members.services.retention)


def erasure_warning_channel(member: Member) -> str | None:
    """How an inactive member is told before erasure: by e-mail if they gave one, else SMS.

    This is a notice about their own membership, not marketing, so it does not need their
    marketing consent; it goes to the contact they joined with. None: no way to reach them.
    """
    if member.user.email:
        return ConsentEvent.Channel.EMAIL
    if member.user.phone:
        return ConsentEvent.Channel.SMS
    return None


def member_erasure_warning_send(*, member_id: int) -> str | None:
    """Tell a member whose erasure is due in ERASURE_WARNING_DAYS how to keep the membership.

    Returns the channel used, or None when there was nothing to send (erased since, the
    warning cancelled by activity, or no contact).
    """
    member = Member.objects.select_related("user").get(pk=member_id)
    if member.is_erased or member.erasure_warned_at is None:
        return None
    channel = erasure_warning_channel(member)
    if channel is None:
        return None
    club = Club.load()
    with translation.override(member.language or settings.LANGUAGE_CODE):
        context = {
            "club": club,
            "member": member,
            "months": club.retention_months,
            "erase_on": member.erasure_warned_at + timedelta(days=ERASURE_WARNING_DAYS),
            "login_url": settings.LOJAL_SITE_URL + reverse("account_request_login_code"),
            "privacy_url": settings.LOJAL_SITE_URL + reverse("privacy"),
        }
        if channel == ConsentEvent.Channel.EMAIL:
            subject = _("Your membership in %(club)s will be deleted") % {"club": club.name}
            body = render_to_string("members/email/erasure_warning.txt", context)
            send_mail(str(subject), body, club_from_email(), [member.user.email])
        else:
            send_sms(member.user.phone, render_to_string("members/sms/erasure_warning.txt", context).strip())
    return channel
