# ruff: noqa: S608 - the SQL is put together here from numbers and column names, never from input.
"""Rows written set-based for the benches' data: copies of a template row made by the real
services, with the columns that matter computed per row (tests.bench.dashboard_data)."""

from __future__ import annotations

from django.db import connection


def copy_rows(model, template_pk: int, overrides: dict[str, str], source: str, where: str = "TRUE") -> int:
    """INSERT INTO the model's table every column, from the template row, except `overrides`
    (column -> SQL expression over the `source` rows). Expressions are built here from
    numbers and timestamps only, never from input, so they are written into the SQL."""
    table = model._meta.db_table
    # The id from the sequence, unless given (then the sequence is moved past it in _finish).
    columns = [f.column for f in model._meta.concrete_fields if f.column != "id" or "id" in overrides]
    unknown = set(overrides) - set(columns)
    assert not unknown, f"{table} has no {unknown}"
    names = ", ".join(f'"{column}"' for column in columns)
    select = ", ".join(overrides.get(column, f't."{column}"') for column in columns)
    body = (
        f'INSERT INTO "{table}" ({names}) SELECT {select} '
        f'FROM "{table}" t CROSS JOIN {source} WHERE ({where})'
    )
    sql = body.replace("%", "%%") + " AND t.id = %s"  # the expressions' modulo is not a placeholder
    with connection.cursor() as cursor:
        cursor.execute(sql, [template_pk])
        return cursor.rowcount


def first_free_id(model) -> int:
    """The first free id of the model's table (explicit ids start there)."""
    with connection.cursor() as cursor:
        cursor.execute(f'SELECT COALESCE(MAX(id), 0) + 1 FROM "{model._meta.db_table}"')
        return cursor.fetchone()[0]
