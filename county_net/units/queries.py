"""Read helpers for units. No writes."""
from __future__ import annotations

from sqlalchemy import and_, select

from county_net.extensions import db
from county_net.units.models import Unit


def under_path(prefix: str):
    """Units whose path starts with `prefix` ("/1/4/"). On SQLite a range, which the path index walks
    (a LIKE with a bound pattern reads the whole table); paths hold only digits and "/", and SQLite compares
    bytes. PostgreSQL keeps LIKE: under a non-C collation a range on text would be wrong."""
    if db.session.get_bind().dialect.name == "sqlite":
        return and_(Unit.path >= prefix, Unit.path < prefix[:-1] + chr(ord(prefix[-1]) + 1))
    return Unit.path.startswith(prefix, autoescape=True)


def ancestor_ids(unit_id: int) -> list[int]:
    """The unit and the units above it, read from its path."""
    return path_ids(db.session.scalar(select(Unit.path).where(Unit.id == unit_id)))


def path_ids(path: str | None) -> list[int]:
    return [int(p) for p in (path or "").strip("/").split("/") if p]


def visible_units_query(kind: str | None = None, q: str | None = None, include_inactive: bool = False):
    stmt = select(Unit).order_by(Unit.path)
    if kind:
        stmt = stmt.where(Unit.kind == kind)
    if q:
        like = f"%{q}%"
        stmt = stmt.where(Unit.name.like(like) | Unit.short_name.like(like) | Unit.code.like(like))
    if not include_inactive:
        stmt = stmt.where(Unit.is_active.is_(True))
    return stmt


def get_unit(unit_id: int) -> Unit:
    """Scoped lookup; a unit outside the scope is simply not found."""
    from county_net.core.errors import NotVisible
    from county_net.core.schemas import valid_id

    if not valid_id(unit_id):
        raise NotVisible()
    return db.one_or_404(select(Unit).where(Unit.id == unit_id))
