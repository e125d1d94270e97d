"""Reference data kept in each process: the county directory and settings (units), categories and the
holiday calendar. They change a few times a year and are read on nearly every request, so a process keeps
them in memory and asks the database only whether they changed.

`reference_stamps` is one row; triggers on `units`, `categories` and `holiday_years` give its column a new
random value in the transaction that changes them (migration 5e2c0b7d41a9). A request reads the row once —
the principal's statement carries it (accounts/services.py), other requests read it on first use — and a
cache whose stamp differs is dropped. A change is therefore seen by every process on its next request.
A writer that changes reference data marks the request's stamps stale, so the same request then reads the
new ones inside its own transaction."""
from __future__ import annotations

import threading
from dataclasses import dataclass

from flask import g, has_app_context
from sqlalchemy import BigInteger, CheckConstraint, Integer, event, select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Mapped, mapped_column
from sqlalchemy.sql.dml import UpdateBase

from county_net.extensions import db

KINDS = ("units", "categories", "calendar")
# The tables behind each kind (the triggers' list, for noticing a change made by this request).
WATCHED = {"units": "units", "categories": "categories", "holiday_years": "calendar"}


class ReferenceStamp(db.Model):
    __tablename__ = "reference_stamps"
    __table_args__ = (CheckConstraint("id = 1", name="one_row"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    units: Mapped[int] = mapped_column(BigInteger)
    categories: Mapped[int] = mapped_column(BigInteger)
    calendar: Mapped[int] = mapped_column(BigInteger)


@dataclass(frozen=True)
class Stamps:
    units: int
    categories: int
    calendar: int


def stamp_columns():
    """The row's columns, for a statement that reads the stamps alongside something else."""
    return (ReferenceStamp.units, ReferenceStamp.categories, ReferenceStamp.calendar)


def remember(stamps: Stamps) -> None:
    """The principal's statement read them: this request needs no statement of its own."""
    if has_app_context():
        g._reference_stamps = stamps


def current() -> Stamps:
    """This request's (or command's) stamps, read at most once."""
    stamps = g.get("_reference_stamps") if has_app_context() else None
    if stamps is None:
        row = db.session.execute(select(*stamp_columns()).where(ReferenceStamp.id == 1)).one_or_none()
        stamps = Stamps(*row) if row is not None else Stamps(0, 0, 0)
        remember(stamps)
    return stamps


def mark_stale() -> None:
    """Reference rows changed in this request or command: read the stamps again on the next use."""
    if has_app_context():
        g.pop("_reference_stamps", None)


class _Store:
    """One kind's values in this process, valid for one stamp. Threads of a worker share it."""

    def __init__(self):
        self.stamp = None
        self.values: dict = {}
        self.lock = threading.Lock()

    def get(self, stamp: int, key, load):
        with self.lock:
            if self.stamp != stamp:
                self.stamp, self.values = stamp, {}
            if key in self.values:
                return self.values[key]
        value = load()  # outside the lock: a slow load must not hold up other threads' hits
        with self.lock:
            if self.stamp == stamp:
                self.values[key] = value
        return value


_stores = {kind: _Store() for kind in KINDS}


def cached(kind: str, key, load):
    """`load()` once per process for each stamp of `kind`; the value must be immutable (or never mutated)."""
    return _stores[kind].get(getattr(current(), kind), key, load)


def clear() -> None:
    """Forget every process-level value (tests that rebuild the database under the same stamps)."""
    for store in _stores.values():
        with store.lock:
            store.stamp, store.values = None, {}


@event.listens_for(Engine, "after_execute")
def _notice_changes(conn, clauseelement, multiparams, params, execution_options, result):
    if isinstance(clauseelement, UpdateBase) and getattr(clauseelement.table, "name", None) in WATCHED:
        mark_stale()
