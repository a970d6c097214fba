"""Who is at the till: a rotating card code, a member number, a mobile number or a name.

Refused scans are kept for the owner and count against a guessing limit per staff user and
per IP; a member shown at the till is a visit.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache as once

from django.contrib.auth.models import Group
from django.core.cache import cache
from django.db import connection, models, transaction
from django.db.models import Q

from clubsite.errors import CodedError
from members.models import Location, Member, User
from members.phone import InvalidPhoneNumber, phone_normalize
from members.services import NUMBER_ALPHABET, MembersError, member_identify
from rewards import signals
from rewards.errors import RewardsError
from rewards.models import ScanRefusal, Visit, Voucher
from rewards.services import core

VISIT_GAP = timedelta(minutes=30)  # scans of one member at one shop closer than this: one visit
RAW_KEPT = 100  # characters of a refused input kept for the owner
# Guessing codes or numbers: refusals allowed per staff user and per IP in GUESS_WINDOW.
GUESS_LIMIT = 30
GUESS_WINDOW = 600
_VOUCHER_CODE = re.compile(rf"^[{NUMBER_ALPHABET}]{{{core.VOUCHER_CODE_LENGTH}}}$")


# --- Refusals and guessing limits


def refusal_record(
    *,
    reason: str,
    raw: str = "",
    staff: User | None,
    location: Location | None,
    ip: str | None = None,
    member: Member | None = None,
) -> ScanRefusal:
    """Keep a refused scan or action for the owner, and count it against guessing."""
    for key in _guess_keys(staff, ip):
        if cache.add(key, 1, GUESS_WINDOW) is False:
            try:
                cache.incr(key)
            except ValueError:  # expired between add and incr
                cache.add(key, 1, GUESS_WINDOW)
    return ScanRefusal.objects.create(
        reason=reason[:40],
        # PostgreSQL's text cannot hold NUL: kept as the symbol that shows one.
        raw_input=(raw or "")[:RAW_KEPT].replace("\x00", "\N{SYMBOL FOR NULL}"),
        staff=staff,
        location=location,
        member=member,
        ip=ip or None,
    )


def _guess_keys(staff: User | None, ip: str | None) -> list[str]:
    keys = [f"counter:refused:staff:{staff.pk}"] if staff is not None else []
    if ip:
        keys.append(f"counter:refused:ip:{ip}")
    return keys


def guessing_check(*, staff: User | None, ip: str | None) -> None:
    """Refuse further lookups once a staff user or an IP has been refused too often."""
    if any((cache.get(key) or 0) >= GUESS_LIMIT for key in _guess_keys(staff, ip)):
        raise RewardsError("too_many_attempts")


# --- Finding the member


@dataclass(frozen=True)
class Found:
    """Members that match what was scanned or typed. `confirmed` when the input proves who it
    is (a rotating card code); otherwise staff check the hints before acting."""

    members: list[Member]
    confirmed: bool


def normalized(raw: str) -> str:
    return re.sub(r"[\s-]", "", raw or "").upper()


def member_find(*, raw: str, staff: User | None, location: Location | None, ip: str | None = None) -> Found:
    """A rotating card code, a member number, a mobile number or a name → members.

    Raises CodedError (MembersError or RewardsError) with the reason; the refusal is recorded.
    """
    text = (raw or "").strip()
    try:
        guessing_check(staff=staff, ip=ip)
        if not text:
            raise RewardsError("scan_empty")
        if len(text) > 200 or "\x00" in text:  # no code, number or name holds a NUL
            raise MembersError("token_invalid")
        found = _find(text)
        if not found.members:
            raise MembersError("member_not_found")
        return found
    except CodedError as error:
        if error.code != "too_many_attempts":
            refusal_record(reason=error.code, raw=text, staff=staff, location=location, ip=ip)
        raise


def _find(text: str) -> Found:
    compact = normalized(text)
    if _VOUCHER_CODE.match(compact) and Voucher.objects.filter(code=compact).exists():
        raise RewardsError("voucher_in_member_field")
    card_code = "." in text  # only rotating card codes have a dot
    if card_code or _is_number(compact):
        try:
            return Found([member_identify(raw=text)], confirmed=card_code)
        except MembersError as error:
            # Eight digits may also be a mobile number, eight letters a name: look below.
            if card_code or error.code != "member_not_found":
                raise
    members = Member.objects.select_related("user").filter(erased_at=None)
    try:
        phone = phone_normalize(text)
    except InvalidPhoneNumber:
        phone = None
    if phone:
        return Found(list(members.filter(user__phone=phone)[:1]), confirmed=False)
    if len(text) >= 2 and any(char.isalpha() for char in text):
        query = Q()
        for word in text.split()[:3]:
            query &= Q(user__first_name__icontains=word) | Q(user__last_name__icontains=word)
        return Found(list(members.filter(query).order_by("user__first_name", "pk")[:10]), confirmed=False)
    return Found([], confirmed=False)


def looks_like_voucher(raw: str) -> bool:
    return bool(_VOUCHER_CODE.match(normalized(raw)[:40]))


def _is_number(compact: str) -> bool:
    """The static member number (typed or printed) proves less than a rotating code."""
    return bool(re.fullmatch(rf"[{NUMBER_ALPHABET}]{{8}}", compact))


def visit_record(*, member: Member, location: Location, staff: User, now: datetime | None = None) -> Visit:
    """A member shown at the till is a visit; another scan soon after is the same visit."""
    now = core.now_or(now)
    visit = (
        Visit.objects.filter(member=member, location=location, last_seen_at__gte=now - VISIT_GAP)
        .order_by("-last_seen_at")
        .first()
    )
    if visit is None:
        visit = Visit.objects.create(
            member=member, location=location, staff=staff, started_at=now, last_seen_at=now
        )
        transaction.on_commit(
            lambda: signals.visit_recorded.send(
                sender=Visit,
                member_id=member.pk,
                visit_id=visit.pk,
                location_id=location.pk,
                staff_id=staff.pk,
            )
        )
        return visit
    Visit.objects.filter(pk=visit.pk).update(last_seen_at=now)
    return visit


# --- The till's reads: who works here, which member, their last visits.
#
# Every request at the till makes these. Written out, as the wallet's writes are
# (rewards.services.sql): building each through the ORM cost more than the database's work
# (together about a third of a purchase at the till), and each round trip to the database
# costs the till's process more than the statement's own work. The statements are built once
# from the models' metadata, and the rows converted as the ORM converts them.

VISITS_SHOWN = 5  # on the member panel


def _q(name: str) -> str:
    return f'"{name}"'  # how PostgreSQL and SQLite both quote a name


def _columns(model: type[models.Model], alias: str) -> str:
    return ", ".join(f"{alias}.{_q(f.column)}" for f in model._meta.concrete_fields)


def _width(model: type[models.Model]) -> int:
    return len(model._meta.concrete_fields)


def _converters(model: type[models.Model]) -> list[tuple[int, models.Expression, list]]:
    """(position, column, converters) of the model's fields that this database's values
    need converting for (SQLite's booleans and times, JSON, ...), as the ORM's compiler
    finds them."""
    found = []
    for i, field in enumerate(model._meta.concrete_fields):
        column = field.get_col(model._meta.db_table)
        converters = [*connection.ops.get_db_converters(column), *field.get_db_converters(connection)]
        if converters:
            found.append((i, column, converters))
    return found


_converters_of: dict[tuple[str, type[models.Model]], list] = {}


def _instance(model: type[models.Model], values) -> models.Model:
    """A model instance from its concrete fields' values in order, as a queryset makes it."""
    key = (connection.vendor, model)
    converters = _converters_of.get(key)
    if converters is None:
        converters = _converters_of[key] = _converters(model)
    values = list(values)
    for i, column, functions in converters:
        for function in functions:
            values[i] = function(values[i], column, connection)
    return model.from_db(connection.alias, None, values)


@dataclass(frozen=True)
class Till:
    """Who is at the till: the shop (None: no such active shop), whether the staff user is
    assigned to it, and the member asked for (None: none asked, or no such member) with
    their last visits, newest first."""

    location: Location | None
    assigned: bool
    member: Member | None = None
    visits: list[Visit] | None = None


@once
def _till_sql(with_member: bool) -> str:
    meta = {model: model._meta.db_table for model in (Location, Member, User, Visit, Group)}
    works_at, roles = User.locations.through._meta.db_table, User.groups.through._meta.db_table
    # One row per (role of the user, visit of the member): a handful. LEFT JOINs from a
    # one-row start keep the row when there is no such shop, role, member or visit, and
    # are what both databases read alike. Names from the models' metadata only, never
    # from input: nothing to inject.
    select = [
        _columns(Location, "l"),
        f"EXISTS (SELECT 1 FROM {_q(works_at)} a WHERE a.location_id = l.id AND a.user_id = %s)",  # noqa: S608
        "g.name",
    ]
    joins = [
        f"LEFT JOIN {_q(meta[Location])} l ON l.id = %s AND l.is_active",
        f"LEFT JOIN {_q(roles)} ug ON ug.user_id = %s",
        f"LEFT JOIN {_q(meta[Group])} g ON g.id = ug.group_id",
    ]
    order = ""
    if with_member:
        select += [_columns(Member, "m"), _columns(User, "u"), _columns(Visit, "v"), _columns(Location, "vl")]
        joins += [
            f"LEFT JOIN {_q(meta[Member])} m ON m.number = %s AND m.erased_at IS NULL",
            f"LEFT JOIN {_q(meta[User])} u ON u.id = m.user_id",
            f"LEFT JOIN {_q(meta[Visit])} v ON v.member_id = m.id AND v.id IN"  # noqa: S608
            f" (SELECT w.id FROM {_q(meta[Visit])} w WHERE w.member_id = m.id"
            f" ORDER BY w.started_at DESC, w.id DESC LIMIT {VISITS_SHOWN})",
            f"LEFT JOIN {_q(meta[Location])} vl ON vl.id = v.location_id",
        ]
        order = " ORDER BY v.started_at DESC, v.id DESC"
    return f"SELECT {', '.join(select)} FROM (SELECT 1 AS one) AS one {' '.join(joins)}{order}"  # noqa: S608


def till_read(*, user: User, location_id: int, number: str | None = None) -> Till:
    """The shop `location_id` for `user`, and with `number` the member and their last visits:
    one query. It reads the user's roles too and sets `user.role_names` (a cached property)
    from them, so that the role checks after it (is_counter_staff, ...) ask nothing more."""
    params = [user.pk, location_id, user.pk]
    if number is not None:
        params.append((number or "").strip().upper()[:12])
    with connection.cursor() as cursor:
        cursor.execute(_till_sql(number is not None), params)
        rows = cursor.fetchall()
    # Where each part starts in a row: the shop, "assigned", the role, then with a number the
    # member, their user, a visit and its shop.
    assigned_at = _width(Location)
    role_at = assigned_at + 1
    member_at = role_at + 1
    user_at = member_at + _width(Member)
    visit_at = user_at + _width(User)
    place_at = visit_at + _width(Visit)
    first = rows[0]  # there is always one: the joins start from a row of their own
    user.role_names = frozenset(row[role_at] for row in rows if row[role_at] is not None)
    location = _instance(Location, first[:assigned_at]) if first[0] is not None else None
    assigned = bool(first[assigned_at])
    if number is None or first[member_at] is None:
        return Till(location, assigned, member=None, visits=None if number is None else [])
    member = _instance(Member, first[member_at:user_at])
    member.user = _instance(User, first[user_at:visit_at])
    visits, seen = [], set()
    for row in rows:  # the same visit once per role of the user
        if row[visit_at] is None or row[visit_at] in seen:
            continue
        seen.add(row[visit_at])
        visit = _instance(Visit, row[visit_at:place_at])
        visit.location = _instance(Location, row[place_at:])
        visits.append(visit)
    return Till(location, assigned, member=member, visits=visits)


@once
def _member_sql() -> str:
    # Names from the models' metadata only: nothing to inject.
    return (
        f"SELECT {_columns(Member, 'm')}, {_columns(User, 'u')}"  # noqa: S608
        f" FROM {_q(Member._meta.db_table)} m JOIN {_q(User._meta.db_table)} u ON u.id = m.user_id"
        f" WHERE m.number = %s AND m.erased_at IS NULL"
    )


def member_by_number(number: str) -> Member | None:
    """The member (not erased) with this number, with their user; None if there is none."""
    if "\x00" in (number or ""):  # no number holds one, and PostgreSQL refuses it in a query
        return None
    with connection.cursor() as cursor:
        cursor.execute(_member_sql(), [(number or "").strip().upper()[:12]])
        row = cursor.fetchone()
    if row is None:
        return None
    member = _instance(Member, row[: _width(Member)])
    member.user = _instance(User, row[_width(Member) :])
    return member


@once
def _visits_sql() -> str:
    # Names from the models' metadata only: nothing to inject.
    return (
        f"SELECT {_columns(Visit, 'v')}, {_columns(Location, 'l')}"  # noqa: S608
        f" FROM {_q(Visit._meta.db_table)} v JOIN {_q(Location._meta.db_table)} l ON l.id = v.location_id"
        f" WHERE v.member_id = %s ORDER BY v.started_at DESC, v.id DESC LIMIT {VISITS_SHOWN}"
    )


def visits_recent(member: Member) -> list[Visit]:
    """The member's last visits, newest first, each with its shop."""
    with connection.cursor() as cursor:
        cursor.execute(_visits_sql(), [member.pk])
        rows = cursor.fetchall()
    visits = []
    for row in rows:
        visit = _instance(Visit, row[: _width(Visit)])
        visit.location = _instance(Location, row[_width(Visit) :])
        visits.append(visit)
    return visits
