"""Writing what the rows say (through members.services and rewards.services), and the
resources django-import-export's admin runs: the import with its dry run, and the export."""

from __future__ import annotations

from collections import defaultdict

from allauth.account.models import EmailAddress
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import OuterRef, Subquery
from django.utils.translation import gettext as _
from import_export import fields, resources, widgets

from clubsite.tabular import SafeTextWidget
from members import services as member_services
from members.imports.rows import (
    BASE_COLUMNS,
    MAX_ROWS,
    ImportRow,
    cell_text,
    column_for,
    match_existing,
    parse_row,
)
from members.models import ConsentEvent, Member, User
from members.phone import InvalidPhoneNumber, phone_normalize
from members.registry import member_columns


def _consent_grant(*, member: Member, channel: str, row: ImportRow) -> None:
    wording = row.consent_wording or _(
        "Consent given before joining this club's app, imported from the club's records "
        "(wording version %(version)s)."
    ) % {"version": row.consent_version}
    member_services.consent_set(
        member=member,
        channel=channel,
        granted=True,
        source=ConsentEvent.Source.IMPORT,
        wording=wording,
        wording_version=row.consent_version,
    )


@transaction.atomic
def member_import_row(*, row: ImportRow, staff: User | None = None) -> Member:
    """Create the member of a checked row (or take the existing one) and apply the other
    apps' columns (the opening balance) once. New members get no welcome bonus or welcome
    message: they are customers the shop already had, not people who just joined."""
    member = row.existing
    if member is None:
        user = User.objects.create_user(
            email=row.email, phone=row.phone, first_name=row.first_name, last_name=row.last_name
        )
        if row.email:
            EmailAddress.objects.create(user=user, email=row.email, primary=True, verified=False)
        member = member_services.member_create_for_user(
            user=user, source=Member.Source.IMPORT, accepts_terms=False, location=row.shop
        )
        if row.birthday:
            member_services.profile_update(
                member=member, first_name=row.first_name, last_name=row.last_name, birthday=row.birthday
            )
        for channel, granted in row.consents.items():
            if granted:
                _consent_grant(member=member, channel=channel, row=row)
    for column, value in row.registered():
        if column.name not in row.applied:
            column.apply(member=member, value=value, staff=staff)
    return member


class MemberImportResource(resources.ModelResource):
    """The import's columns and rules for django-import-export's admin import.

    The library reads the file and runs every row in its own savepoint, the whole dry run
    in a transaction that it rolls back; the rules are in members.imports.rows and in
    member_import_row above.
    """

    first_name = fields.Field(column_name="first_name")
    last_name = fields.Field(column_name="last_name")
    email = fields.Field(column_name="email")
    phone = fields.Field(column_name="phone")
    birthday = fields.Field(column_name="birthday")
    consent_email = fields.Field(column_name="consent_email")
    consent_sms = fields.Field(column_name="consent_sms")
    consent_version = fields.Field(column_name="consent_version")
    consent_wording = fields.Field(column_name="consent_wording")
    shop = fields.Field(column_name="shop")

    class Meta:
        model = Member
        fields = BASE_COLUMNS  # the registered columns are read from the row as it is
        import_order = BASE_COLUMNS
        skip_diff = True
        store_row_values = True
        use_transactions = True
        report_skipped = True

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self._row: ImportRow | None = None
        self._clashes: dict[int, dict[str, list[int]]] = {}
        self._staff: User | None = None

    def before_import(self, dataset, **kwargs):
        self._staff = kwargs.get("user")
        problem = None
        if len(dataset) > MAX_ROWS:
            problem = _("At most %(count)s rows per file; split the file.") % {"count": MAX_ROWS}
        elif dataset.headers:
            dataset.headers = [self._column(h) for h in dataset.headers]
        if not problem and not {"email", "phone"} & set(dataset.headers or []):
            problem = _("The file needs a column «email» or «phone» (see the list of columns).")
        if problem:
            del dataset[0 : len(dataset)]  # no row is worth reading: say what is wrong at once
            raise ValueError(problem)
        self._clashes = self._duplicates_in_file(dataset)

    @staticmethod
    def _column(header) -> str:
        return column_for(cell_text(header).lower().replace(" ", "_"))

    @staticmethod
    def _duplicates_in_file(dataset) -> dict[int, dict[str, list[int]]]:
        """{row number: {column: other rows with the same address}} for addresses that more
        than one row of the file has. All of them are refused: which one is right is for
        the owner to say."""
        seen: dict[tuple[str, str], list[int]] = defaultdict(list)
        for number, values in enumerate(dataset.dict, 1):
            email = cell_text(values.get("email")).lower()
            if email:
                seen["email", email].append(number)
            try:
                phone = phone_normalize(cell_text(values.get("phone")))
            except InvalidPhoneNumber:
                continue
            seen["phone", phone].append(number)
        clashes: dict[int, dict[str, list[int]]] = defaultdict(dict)
        for (column, _value), numbers in seen.items():
            if len(numbers) > 1:
                for number in numbers:
                    clashes[number][column] = [n for n in numbers if n != number]
        return clashes

    def before_import_row(self, row, **kwargs):
        number = kwargs.get("row_number") or 0
        parsed = parse_row(row, line=number + 1)  # line 1 of the file is the header
        for column, others in self._clashes.get(number, {}).items():
            lines = ", ".join(str(n + 1) for n in others)
            parsed.error(column, _("Also on line %(lines)s of the file.") % {"lines": lines})
        if not parsed.errors:
            match_existing(parsed)
        self._row = parsed

    def get_or_init_instance(self, instance_loader, row):
        if self._row.existing is not None:
            return self._row.existing, False
        return Member(user=User(email=self._row.email, first_name=self._row.first_name)), True

    def import_instance(self, instance, row, **kwargs):
        if self._row.errors:
            raise ValidationError({column: list(messages) for column, messages in self._row.errors.items()})

    def skip_row(self, instance, original, row, import_validation_errors=None):
        return not import_validation_errors and self._row.existing is not None and not self._row.has_work

    def save_instance(self, instance, is_create, row, **kwargs):
        member = member_import_row(row=self._row, staff=self._staff)
        instance.pk, instance.number, instance.user = member.pk, member.number, member.user
        instance._state.adding = False

    def save_m2m(self, instance, row, **kwargs):
        pass

    def after_import_row(self, row, row_result, **kwargs):
        row_result.note = self._row.note if not self._row.errors else ""
        row_result.line = self._row.line
        row_result.adds_extras = not self._row.errors and self._row.has_work  # an opening balance

    def after_import(self, dataset, result, **kwargs):
        # Not the library's sequence reset: ids come from the database as usual, and moving
        # a PostgreSQL sequence under concurrent joins could hand out an id twice.
        pass


def consent_now(channel: str) -> Subquery:
    """The member's current marketing consent on `channel` (the latest event), per row."""
    latest = ConsentEvent.objects.filter(
        member=OuterRef("pk"), purpose=ConsentEvent.Purpose.MARKETING, channel=channel
    ).order_by("-created_at", "-id")
    return Subquery(latest.values("granted")[:1])


class MemberExportResource(resources.ModelResource):
    """Members with the other apps' columns (their wallet), in the import's column names
    where they are the same."""

    first_name = fields.Field(attribute="user__first_name", column_name="first_name", widget=SafeTextWidget())
    last_name = fields.Field(attribute="user__last_name", column_name="last_name", widget=SafeTextWidget())
    email = fields.Field(attribute="user__email", column_name="email", widget=SafeTextWidget())
    phone = fields.Field(attribute="user__phone", column_name="phone")
    consent_email = fields.Field(
        attribute="consent_email", column_name="consent_email", widget=widgets.BooleanWidget()
    )
    consent_sms = fields.Field(
        attribute="consent_sms", column_name="consent_sms", widget=widgets.BooleanWidget()
    )
    shop = fields.Field(attribute="home_location__name", column_name="shop", widget=SafeTextWidget())

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        for column in member_columns:  # the other apps' columns (the points and the tier)
            self.fields[column.name] = fields.Field(
                attribute=column.name, column_name=column.name, dehydrate_method=column.value
            )

    class Meta:
        model = Member
        fields = [
            "number",
            "first_name",
            "last_name",
            "email",
            "phone",
            "birthday",
            "postcode",
            "joined_at",
            "source",
            "shop",
            "consent_email",
            "consent_sms",
            "erased_at",
        ]

    def get_export_order(self):
        *own, erased_at = self._meta.fields
        return (*own, *(column.name for column in member_columns), erased_at)

    @staticmethod
    def annotate(queryset):
        """What the columns read, in the list's one query (no query per member)."""
        joined = [column.select_related for column in member_columns]
        return queryset.select_related("user", "home_location", *joined).annotate(
            consent_email=consent_now(ConsentEvent.Channel.EMAIL),
            consent_sms=consent_now(ConsentEvent.Channel.SMS),
        )
