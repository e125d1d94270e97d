"""Layer 3: publish the scope to PostgreSQL per transaction (never per connection), lazily: just before a
statement runs, and only when the scope that statement runs under differs from what this transaction already
carries. `set_config(…, true)` dies with the transaction, so the marker is dropped at commit, rollback and
when the pool resets the connection."""
from __future__ import annotations

from flask import current_app, has_app_context
from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.pool import Pool

from county_net.tenancy.context import active_scope

_SQL = ("SELECT set_config('county_net.unit_ids', %(v)s, true), "
        "set_config('county_net.self_ids', %(s)s, true)")
_MARK = "county_net_published"


def _values() -> dict:
    scope = active_scope()
    if scope is None:
        return {"v": "", "s": ""}  # no principal: nothing is visible
    return {"v": scope.rls_value(), "s": scope.rls_self_value()}


def _enabled() -> bool:
    return not has_app_context() or current_app.config.get("TENANCY_RLS", True)


@event.listens_for(Engine, "before_cursor_execute")
def _publish_before_statement(conn, cursor, statement, parameters, context, executemany):
    if conn.dialect.name != "postgresql" or not _enabled():
        return
    wanted = _values()
    marker = (wanted["v"], wanted["s"])
    if conn.info.get(_MARK) == marker:
        return
    cursor.execute(_SQL, wanted)  # same transaction as the statement that follows
    conn.info[_MARK] = marker


@event.listens_for(Engine, "commit")
@event.listens_for(Engine, "rollback")
def _transaction_ended(conn):
    conn.info.pop(_MARK, None)


@event.listens_for(Pool, "reset")
def _connection_reset(dbapi_connection, connection_record, reset_state):
    connection_record.info.pop(_MARK, None)


@event.listens_for(Pool, "checkin")
def _connection_returned(dbapi_connection, connection_record):
    if connection_record is not None:
        connection_record.info.pop(_MARK, None)


def republish_scope() -> None:
    """Kept for callers: publishing now happens before each statement, so nothing is needed here."""
    return None
