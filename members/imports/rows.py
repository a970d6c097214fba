"""Reading and checking one row of a member import: every bad cell gets its own message,
and a row is matched with the member it already is (by e-mail or mobile number)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime

from allauth.account.models import EmailAddress
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.core.validators import validate_email
from django.utils import timezone
from django.utils.translation import gettext as _

from members.models import ConsentEvent, Location, Member, User
from members.phone import InvalidPhoneNumber, phone_normalize
from members.registry import ImportColumn, member_import_columns

BASE_COLUMNS = [
    "first_name",
    "last_name",
    "email",
    "phone",
    "birthday",
    "consent_email",
    "consent_sms",
    "consent_version",
    "consent_wording",
    "shop",
]
# Headers a Norwegian or Swedish spreadsheet may already have, read as ours.
ALIASES = {
    "fornavn": "first_name",
    "förnamn": "first_name",
    "etternavn": "last_name",
    "efternamn": "last_name",
    "e-post": "email",
    "epost": "email",
    "e-mail": "email",
    "mobil": "phone",
    "mobilnummer": "phone",
    "telefon": "phone",
    "fødselsdato": "birthday",
    "bursdag": "birthday",
    "födelsedag": "birthday",
    "samtykke_epost": "consent_email",
    "samtykke_sms": "consent_sms",
    "samtykkeversjon": "consent_version",
    "butikk": "shop",
    "hjemmebutikk": "shop",
    "butik": "shop",
    "hembutik": "shop",
}
MAX_ROWS = 5000  # a small shop's whole list; more is a mistake or belongs in several files
YES = {"1", "yes", "y", "ja", "j", "x", "true", "sant", "sann"}
NO = {"", "0", "no", "n", "nei", "nej", "false", "usant", "falskt"}
DATE_FORMATS = ["%Y-%m-%d", "%d.%m.%Y", "%d/%m/%Y", "%d-%m-%Y"]


def columns() -> list[str]:
    """Every column the import reads: its own, then those the other apps registered."""
    return BASE_COLUMNS + [column.name for column in member_import_columns]


def column_for(header: str) -> str:
    """A header of the file, as the column it is (Norwegian and Swedish names too)."""
    for column in member_import_columns:
        if header in column.aliases:
            return column.name
    return ALIASES.get(header, header)


@dataclass
class ImportRow:
    """One row of the file, read and checked. `errors` maps a column (or NON_FIELD_ERRORS)
    to messages; a row with errors is not imported."""

    line: int
    first_name: str = ""
    last_name: str = ""
    email: str | None = None
    phone: str | None = None
    birthday: date | None = None
    consents: dict[str, bool] = field(default_factory=dict)
    consent_version: str = ""
    consent_wording: str = ""
    shop: Location | None = None  # a new member's home shop (Member.home_location)
    extras: dict[str, object] = field(default_factory=dict)  # registered columns' values
    applied: set[str] = field(default_factory=set)  # of those, what an earlier import applied
    existing: Member | None = None
    errors: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))

    def error(self, column: str, message: str) -> None:
        self.errors[column].append(message)

    @property
    def has_work(self) -> bool:
        """Whether a registered column has something to apply (an opening balance)."""
        return any(name not in self.applied for name in self.extras)

    def registered(self) -> list[tuple[ImportColumn, object]]:
        return [
            (column, self.extras[column.name])
            for column in member_import_columns
            if column.name in self.extras
        ]

    @property
    def note(self) -> str:
        if self.existing is None:
            parts = [_("new member")]
        else:
            parts = [_("already a member (%(number)s)") % {"number": self.existing.display_number}]
        for column, value in self.registered():
            parts.append(column.note(value, column.name in self.applied))
        if self.existing is None and self.shop is not None:
            parts.append(_("home shop: %(shop)s") % {"shop": self.shop.name})
        if self.existing is None:
            granted = [str(ConsentEvent.Channel(c).label) for c, yes in self.consents.items() if yes]
            if granted:
                parts.append(
                    _("consent: %(channels)s (wording %(version)s)")
                    % {"channels": ", ".join(granted), "version": self.consent_version}
                )
        return "; ".join(str(p) for p in parts)


def cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)  # Excel stores 41234567 as 41234567.0
    return str(value).strip()


def _parse_date(value) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = cell_text(value)
    for pattern in DATE_FORMATS:
        try:
            return datetime.strptime(text, pattern).date()
        except ValueError:
            continue
    raise ValueError(text)


def _parse_yes_no(value) -> bool:
    if isinstance(value, bool):
        return value
    text = cell_text(value).lower()
    if text in YES:
        return True
    if text in NO:
        return False
    raise ValueError(text)


def parse_row(raw: dict, *, line: int) -> ImportRow:
    """Read one row (column -> cell) into an ImportRow, with an error per bad cell."""
    row = ImportRow(line=line)
    row.first_name, row.last_name = cell_text(raw.get("first_name")), cell_text(raw.get("last_name"))
    for column, limit in (("first_name", 60), ("last_name", 80)):
        if len(getattr(row, column)) > limit:
            row.error(column, _("At most %(limit)s characters.") % {"limit": limit})
    email = cell_text(raw.get("email")).lower()
    if email:
        try:
            validate_email(email)
            row.email = email
        except ValidationError:
            row.error("email", _("Not a valid e-mail address."))
    phone = cell_text(raw.get("phone"))
    if phone:
        try:
            row.phone = phone_normalize(phone)
        except InvalidPhoneNumber:
            row.error("phone", _("Not a valid mobile number."))
    if not email and not phone:
        row.error(NON_FIELD_ERRORS, _("Give an e-mail address or a mobile number."))
    if cell_text(raw.get("birthday")):
        try:
            row.birthday = _parse_date(raw.get("birthday"))
        except ValueError:
            row.error("birthday", _("Not a date: write it as 17.05.1990 or 1990-05-17."))
        else:
            if not date(1900, 1, 1) <= row.birthday <= timezone.localdate():
                row.birthday = None
                row.error("birthday", _("This birthday is not possible."))
    _parse_consents(raw, row)
    shop = cell_text(raw.get("shop"))
    if shop:
        row.shop = Location.objects.filter(name__iexact=shop).first()
        if row.shop is None:
            row.error("shop", _("No shop is called «%(name)s»: write its name as in admin.") % {"name": shop})
    for column in member_import_columns:
        text = cell_text(raw.get(column.name))
        if not text:
            continue
        try:
            value = column.parse(text)
        except ValueError as error:
            row.error(column.name, str(error))
            continue
        if value is not None:
            row.extras[column.name] = value
    return row


def _parse_consents(raw: dict, row: ImportRow) -> None:
    for column, channel, contact in (
        ("consent_email", ConsentEvent.Channel.EMAIL, row.email),
        ("consent_sms", ConsentEvent.Channel.SMS, row.phone),
    ):
        try:
            granted = _parse_yes_no(raw.get(column))
        except ValueError:
            row.error(column, _("Write yes or no (ja/nei)."))
            continue
        if granted and not contact:
            row.error(column, _("Consent to this channel needs its address on the row."))
        row.consents[channel] = granted
    row.consent_version = cell_text(raw.get("consent_version"))
    row.consent_wording = cell_text(raw.get("consent_wording"))
    if any(row.consents.values()) and not row.consent_version:
        row.error("consent_version", _("Say which version of the consent text the member agreed to."))
    if len(row.consent_version) > 20:
        row.error("consent_version", _("At most %(limit)s characters.") % {"limit": 20})
    if len(row.consent_wording) > 1000:
        row.error("consent_wording", _("At most %(limit)s characters.") % {"limit": 1000})


def match_existing(row: ImportRow) -> None:
    """Find the member the row already is (by e-mail or mobile number), or say why the row
    clashes with someone who exists: another member's address, or a staff account."""
    by_email = by_phone = None
    if row.email:
        by_email = User.objects.filter(email__iexact=row.email).first()
        if by_email is None:
            address = EmailAddress.objects.filter(email__iexact=row.email).select_related("user").first()
            by_email = address.user if address else None
    if row.phone:
        by_phone = User.objects.filter(phone=row.phone).first()
    if by_email and by_phone and by_email.pk != by_phone.pk:
        row.error(
            NON_FIELD_ERRORS, _("The e-mail address and the mobile number belong to two different people.")
        )
        return
    user = by_email or by_phone
    if user is None:
        return
    member = Member.objects.filter(user=user, erased_at=None).select_related("user").first()
    column = "email" if by_email else "phone"
    if member is None:
        row.error(column, _("Belongs to a staff account, not a member."))
        return
    number = member.display_number
    if row.phone and user.phone and user.phone != row.phone:
        row.error(
            "email",
            _("Member %(number)s has this e-mail address, with another mobile number.") % {"number": number},
        )
    elif row.email and user.email and user.email.lower() != row.email:
        row.error(
            "phone",
            _("Member %(number)s has this mobile number, with another e-mail address.") % {"number": number},
        )
    else:
        row.existing = member
        for column, value in row.registered():
            try:
                if column.applied(member, value):
                    row.applied.add(column.name)
            except ValueError as error:
                row.error(column.name, str(error))
