"""A correlated subquery's rows as one JSON array, so that a page reads a row and what hangs off it in one
statement (issue 14: every statement costs a matter page 4–5 % in Python). Used with ORM attributes inside
an ORM select, so the tenant criteria apply inside the subquery as they would to a query of its own, and on
PostgreSQL RLS applies as always.

SQLite builds the array with json_group_array/json_object, PostgreSQL with json_agg/json_build_object. The
order of an aggregate's input is not guaranteed on SQLite, so callers sort the decoded rows themselves."""
from __future__ import annotations

import json
from datetime import date, datetime, timezone

from sqlalchemy import Boolean, Date, DateTime, Text, cast, func, literal, select


def _dialect_is_postgresql() -> bool:
    from county_net.extensions import db

    return db.session.get_bind().dialect.name == "postgresql"


def json_rows(columns: dict, *where, select_from=None, joins=()):
    """`columns`: name → ORM attribute or SQL expression. Returns a scalar subquery (JSON text, or NULL when
    no row matches) and the decoder for it: `decode(value) -> list[dict]`."""
    pairs = []
    for name, column in columns.items():
        pairs += [literal(name), column]
    if _dialect_is_postgresql():
        # As text, like SQLite's: the driver would hand back lists, which a unique() over rows cannot hash.
        aggregate = cast(func.json_agg(func.json_build_object(*pairs)), Text)
    else:
        aggregate = func.json_group_array(func.json_object(*pairs))
    stmt = select(aggregate)
    if select_from is not None:
        stmt = stmt.select_from(select_from)
    for target, onclause in joins:
        stmt = stmt.join(target, onclause)
    stmt = stmt.where(*where)
    kinds = {name: _kind(column) for name, column in columns.items()}
    return stmt.scalar_subquery(), lambda value: decode(value, kinds)


def json_select(stmt):
    """A whole ORM select's rows (grouped, say) as one JSON array: a scalar subquery and its decoder, so that
    several such reads ride in one statement. The select's columns need names (`label`); the tenant criteria
    apply inside it as they would to the select on its own."""
    inner = stmt.subquery()
    return json_rows({column.key: column for column in inner.c}, select_from=inner)


def columns_of(model, *names: str) -> dict:
    """name → the model's attribute, for `json_rows`."""
    return {name: getattr(model, name) for name in names}


def _kind(column) -> str | None:
    kind = getattr(column, "type", None)
    impl = getattr(kind, "impl", kind)
    if isinstance(impl, DateTime):
        return "datetime"
    if isinstance(impl, Date):
        return "date"
    if isinstance(impl, Boolean):
        return "bool"
    return None


def decode(value, kinds: dict) -> list[dict]:
    if value is None:
        return []
    rows = json.loads(value) if isinstance(value, str) else value
    converters = {name: _CONVERT[kind] for name, kind in kinds.items() if kind}
    for row in rows:
        for name, convert in converters.items():
            if row.get(name) is not None:
                row[name] = convert(row[name])
    return rows


def _datetime(text: str) -> datetime:
    # SQLite keeps "YYYY-MM-DD HH:MM:SS[.ffffff]" (naive UTC); PostgreSQL writes ISO 8601 with an offset.
    moment = datetime.fromisoformat(text)
    return moment.replace(tzinfo=timezone.utc) if moment.tzinfo is None else moment.astimezone(timezone.utc)


_CONVERT = {"datetime": _datetime, "date": date.fromisoformat, "bool": bool}
