"""The only writers of notifications. `notify` runs inside the caller's transaction and never commits: a
notification exists exactly when the event that caused it was committed."""
from __future__ import annotations

from collections.abc import Iterable
from contextlib import contextmanager
from contextvars import ContextVar

from sqlalchemy import and_, literal, or_, select, update

from county_net.accounts.models import User
from county_net.core.errors import InvalidInput, NotVisible
from county_net.core.models import utcnow
from county_net.extensions import db
from county_net.notifications.kinds import KINDS
from county_net.notifications.models import Notification
from county_net.tenancy import system_scope

AUDIENCES = {
    "heads": ("head",),
    "handlers": ("receptionist",),
    "liaisons": ("liaison",),
    "unit": ("head", "receptionist"),
}


def _insert_from(users, values: dict) -> int:
    """One statement: INSERT … SELECT from the chosen users, skipping any (user, event) pair already there,
    so a rerun or a race notifies once and a routed action pays one statement for its notifications."""
    dialect = db.session.get_bind().dialect.name
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    names = ["user_id", "unit_id", *values]
    chosen = select(User.__table__.c.id, User.__table__.c.unit_id,
                    *(literal(value, type_=Notification.__table__.c[name].type).label(name)
                      for name, value in values.items())).where(users)
    statement = insert(Notification.__table__).from_select(names, chosen).on_conflict_do_nothing(
        index_elements=["user_id", "event_key"]).returning(Notification.__table__.c.id)
    return len(db.session.execute(statement).all())  # rowcount is not reliable here on every driver


def audience_filter(unit_id: int | None, audience: str = "unit", user_ids: Iterable[int] | None = None):
    """Which enabled users an event concerns: the users of `unit_id` with the audience's roles, or exactly
    `user_ids`. (Roles are a comma list; the names share no substring.)"""
    table = User.__table__
    enabled = table.c.is_enabled.is_(True)
    if user_ids is not None:
        return and_(enabled, table.c.id.in_(sorted({int(i) for i in user_ids}) or [-1]))
    if audience not in AUDIENCES:
        raise ValueError(f"unknown audience {audience!r}")
    padded = literal(",") + table.c.roles + literal(",")
    return and_(enabled, table.c.unit_id == unit_id, or_(*(padded.like(f"%,{role},%") for role in AUDIENCES[audience])))


def notify(*, kind: str, event_key: str, unit_id: int | None, title: str, link: str, object_type: str,
           object_id: int | None, body: str = "", audience: str = "unit",
           user_ids: Iterable[int] | None = None) -> int:
    """Notify the users of `unit_id` chosen by `audience` (or exactly `user_ids`). Returns how many rows were
    new. Never commits; the caller's single commit carries them. Runs in system scope: the unit that acts may
    not see the users of the unit it addresses (a township transferring to a county bureau). Inside
    `batched()` the call is queued and written with the batch (returns 0)."""
    if kind not in KINDS:
        raise ValueError(f"unknown notification kind {kind!r}; add it to notifications/kinds.py")
    if audience not in AUDIENCES and user_ids is None:
        raise ValueError(f"unknown audience {audience!r}")
    box = _outbox.get()
    if box is not None:
        box.append({"kind": kind, "event_key": event_key[:120], "unit_id": unit_id, "title": title[:200],
                    "link": link[:300], "object_type": object_type, "object_id": object_id, "body": body or "",
                    "audience": audience, "user_ids": None if user_ids is None else sorted({int(i) for i in user_ids})})
        return 0
    values = {"kind": kind, "event_key": event_key[:120], "title": title[:200], "body": body or "",
              "object_type": object_type, "object_id": object_id, "link": link[:300], "created_at": utcnow()}
    with system_scope("notify"):
        return _insert_from(audience_filter(unit_id, audience, user_ids), values)


_outbox: ContextVar[list | None] = ContextVar("county_net_notification_outbox", default=None)


@contextmanager
def batched():
    """Queue every notify() inside the block and write them at `flush_outbox()`: a sweep that notifies
    hundreds of units per batch pays two statements for all of them instead of one per notice. The caller
    flushes before its commit, so the notices still share the transaction of what caused them."""
    box: list = []
    token = _outbox.set(box)
    try:
        yield box
    finally:
        _outbox.reset(token)


def flush_outbox(box: list) -> int:
    """Write the queued notices: one read of the recipients of every unit named, then multi-row inserts that
    skip (user, event) pairs already there. Returns how many rows were new."""
    if not box:
        return 0
    table = User.__table__
    units = {item["unit_id"] for item in box if item["user_ids"] is None}
    people = {i for item in box if item["user_ids"] is not None for i in item["user_ids"]}
    with system_scope("notify"):
        chosen = or_(table.c.unit_id.in_(sorted(u for u in units if u is not None) or [-1]),
                     table.c.id.in_(sorted(people) or [-1]))
        users = db.session.execute(select(table.c.id, table.c.unit_id, table.c.roles)
                                   .where(table.c.is_enabled.is_(True), chosen)).all()
        by_unit: dict = {}
        by_id = {}
        for user in users:
            by_unit.setdefault(user.unit_id, []).append(user)
            by_id[user.id] = user
        now = utcnow()
        rows: dict = {}
        for item in box:
            if item["user_ids"] is not None:
                targets = [by_id[i] for i in item["user_ids"] if i in by_id]
            else:
                wanted = set(AUDIENCES[item["audience"]])
                targets = [u for u in by_unit.get(item["unit_id"], []) if set(u.roles.split(",")) & wanted]
            for user in targets:
                rows.setdefault((user.id, item["event_key"]), {
                    "user_id": user.id, "unit_id": user.unit_id, "kind": item["kind"],
                    "event_key": item["event_key"], "title": item["title"], "body": item["body"],
                    "object_type": item["object_type"], "object_id": item["object_id"], "link": item["link"],
                    "created_at": now, "read_at": None})
        box.clear()
        new = _insert_many(list(rows.values()))
    return new


def _insert_many(rows: list[dict]) -> int:
    """One statement compiled once for every row: a multi-row VALUES list built by hand would be compiled afresh
    for each batch size, which cost more than the writing."""
    if not rows:
        return 0
    dialect = db.session.get_bind().dialect.name
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    statement = insert(Notification.__table__).on_conflict_do_nothing(
        index_elements=["user_id", "event_key"]).returning(Notification.__table__.c.id)
    # RETURNING with many rows: SQLAlchemy's "insertmanyvalues" batches them into a few statements built from
    # one compiled form; the ids returned count what was new (rowcount is not reliable for this on psycopg).
    return len(db.session.execute(statement, rows).all())


def _mine(actor, ids: Iterable[int] | None):
    statement = update(Notification).where(Notification.user_id == actor.id, Notification.read_at.is_(None))
    if ids is not None:
        statement = statement.where(Notification.id.in_(sorted(set(ids))))
    return statement


def mark_read(actor, ids: Iterable[int]) -> int:
    """Mark some of my notifications read. An id that is not mine is answered as unknown (404)."""
    ids = sorted({int(i) for i in ids})
    if not ids:
        raise InvalidInput(fields={"ids": ["请选择要标记的通知"]})
    if len(ids) > 500:
        raise InvalidInput(fields={"ids": ["一次最多标记 500 条"]})
    found = set(db.session.scalars(select(Notification.id).where(Notification.id.in_(ids),
                                                                 Notification.user_id == actor.id)))
    if found != set(ids):
        raise NotVisible()
    changed = db.session.execute(_mine(actor, ids).values(read_at=utcnow())).rowcount
    db.session.commit()
    return changed


def mark_all_read(actor, kind: str | None = None) -> int:
    statement = _mine(actor, None)
    if kind:
        statement = statement.where(Notification.kind == kind)
    changed = db.session.execute(statement.values(read_at=utcnow())).rowcount
    db.session.commit()
    return changed
