"""Authentication backends: Django's and allauth's, with a leaner user load per request.

Every signed-in request loads its user by the id in the session (ModelBackend.get_user).
Through the ORM that is a QuerySet built, compiled and iterated anew each time, and the
compiling cost more CPU than the query itself: a third of a millisecond of the till's
"register purchase". The statement and the column converters the ORM would use are the
same every time, so they are worked out once per database and reused; the user comes back
exactly as the ORM would have made it (User.from_db, the same conversions), and the checks
around it (the session hash, is_active) are Django's own.
"""

from __future__ import annotations

from functools import cache

from allauth.account import auth_backends as allauth_backends
from django.conf import settings
from django.contrib.auth import backends as django_backends
from django.core.exceptions import ValidationError
from django.db import connections, router

from members.models import User


@cache
def _reader(alias: str) -> tuple[str, list[tuple[object, list]]]:
    """The SELECT of one user by id, and per column its expression and converters."""
    connection = connections[alias]
    fields = User._meta.concrete_fields
    table = User._meta.db_table
    quote = connection.ops.quote_name
    columns = ", ".join(f"{quote(table)}.{quote(field.column)}" for field in fields)
    key = quote(User._meta.pk.column)
    sql = f"SELECT {columns} FROM {quote(table)} WHERE {quote(table)}.{key} = %s"  # noqa: S608 - names only
    converters = []
    for field in fields:
        column = field.get_col(table)
        functions = connection.ops.get_db_converters(column) + field.get_db_converters(connection)
        converters.append((column, functions))
    return sql, converters


def user_by_pk(user_id) -> User | None:
    """The user with this primary key (as the session stores it: a string), or None."""
    try:
        pk = User._meta.pk.to_python(user_id)
    except ValidationError:  # a malformed id in a session is no user, as for the ORM
        return None
    if pk is None:
        return None
    alias = router.db_for_read(User)
    connection = connections[alias]
    sql, converters = _reader(alias)
    with connection.cursor() as cursor:
        cursor.execute(sql, [pk])
        row = cursor.fetchone()
    if row is None:
        return None
    values = []
    for value, (column, functions) in zip(row, converters, strict=True):
        for convert in functions:
            value = convert(value, column, connection)
        values.append(value)
    return User.from_db(alias, None, values)


class _LeanUserLoad:
    def get_user(self, user_id):
        user = user_by_pk(user_id)
        return user if user is not None and self.user_can_authenticate(user) else None


class ModelBackend(_LeanUserLoad, django_backends.ModelBackend):
    pass


class AuthenticationBackend(_LeanUserLoad, allauth_backends.AuthenticationBackend):
    pass


AXES_USERNAME_LENGTH = 255  # axes' AccessAttempt.username


def axes_username(request, credentials: dict | None = None) -> str | None:
    """What django-axes records and locks out by: the name typed at a failed login, as axes
    would take it (AXES_USERNAME_FORM_FIELD from the credentials, else the form), cut to its
    column and with NUL shown as ␀. A 10,000-character or NUL-holding login was a 500: the
    attempt could not be saved on PostgreSQL."""
    field = settings.AXES_USERNAME_FORM_FIELD
    source = credentials if credentials else getattr(request, "POST", {})
    value = source.get(field) if source else None
    if value is None:
        return None
    return str(value)[:AXES_USERNAME_LENGTH].replace("\x00", "\N{SYMBOL FOR NULL}")
