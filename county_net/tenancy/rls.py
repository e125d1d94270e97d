"""Layer 3: publish the scope to PostgreSQL per transaction (never per connection), lazily: just before a
statement runs, and only when the scope that statement runs under differs from what this transaction already
carries. `set_config(…, true)` dies with the transaction, so the marker is dropped at commit, rollback and
when the pool resets the connection.

What is published is signed: `v1|pid|expires|units|self ids|HMAC-SHA256` (tenancy/rls_sql.py), where `units` is
the principal's path ("/1/4/": the database reads the subtree from units.path), or "*", or a listed scope's ids. The
database verifies it with its copy of the key, which the service's role cannot read, so SQL that reaches the
database through the service (an injection) cannot widen its own scope: a forged, altered, expired or
borrowed token reads as "sees nothing"."""
from __future__ import annotations

import hashlib
import hmac
import time

from flask import current_app, has_app_context
from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.pool import Pool

from county_net.tenancy.context import active_scope

_SQL = "SELECT set_config('county_net.scope', %(t)s, true)"
_MARK = "county_net_published"
_PID = "county_net_backend_pid"  # behind PgBouncer: the backend serving this transaction
_KEY = "county_net_rls_scope_key"  # app.extensions
TTL_DEFAULT = 60
_now = time.time  # wall clock: the database checks the expiry against its own


def scope_key(app) -> bytes:
    """32 bytes from RLS_SCOPE_KEY, or (development and tests) from SECRET_KEY, like the audit key. The
    database keeps the same 32 bytes (`flask db upgrade` installs them)."""
    secret = app.config.get("RLS_SCOPE_KEY") or app.config["SECRET_KEY"]
    return hashlib.sha256(b"county_net rls scope|" + secret.encode()).digest()


def sign_scope(key: bytes, pid: int, expires: int, units: str, self_ids: str) -> str:
    """The token the policy functions accept (county_net_verified_scope() in tenancy/rls_sql.py)."""
    payload = f"v1|{pid}|{expires}|{units}|{self_ids}"
    return payload + "|" + hmac.new(key, payload.encode(), hashlib.sha256).hexdigest()


def init_app(app) -> None:
    app.extensions[_KEY] = scope_key(app)


def _settings() -> tuple[bool, bytes | None, int, bool]:
    if not has_app_context():
        return True, None, TTL_DEFAULT, False  # no key: nothing is published that the database would accept
    config = current_app.config
    return (config.get("TENANCY_RLS", True), current_app.extensions.get(_KEY),
            int(config.get("RLS_SCOPE_TTL") or TTL_DEFAULT), bool(config.get("DATABASE_PGBOUNCER")))


def _backend_pid(conn, cursor, pooled: bool) -> int:
    """The pid the token is bound to. Connected directly, the one the server announced at connect time.
    Through PgBouncer that one is PgBouncer's own, and each transaction may run on another backend: ask
    the backend serving this transaction (the transaction pins it until commit or rollback)."""
    if not pooled:
        return cursor.connection.info.backend_pid
    pid = conn.info.get(_PID)
    if pid is None:
        cursor.execute("SELECT pg_backend_pid()")
        pid = conn.info[_PID] = cursor.fetchone()[0]
    return pid


@event.listens_for(Engine, "before_cursor_execute")
def _publish_before_statement(conn, cursor, statement, parameters, context, executemany):
    if conn.dialect.name != "postgresql":
        return
    enabled, key, ttl, pooled = _settings()
    if not enabled:
        return
    scope = active_scope()
    wanted = (scope.rls_value(), scope.rls_self_value()) if scope is not None else ("", "")
    now = _now()
    published = conn.info.get(_MARK)
    if published is not None and published[0] == wanted and now < published[1]:
        return
    token = ""  # no principal (or no key): nothing is visible
    if key is not None and wanted != ("", ""):
        # Valid for `ttl` seconds on this backend only; republished after half of it, so a long
        # transaction never runs a statement on a token about to lapse.
        token = sign_scope(key, _backend_pid(conn, cursor, pooled), int(now) + ttl, *wanted)
    cursor.execute(_SQL, {"t": token})  # same transaction as the statement that follows
    conn.info[_MARK] = (wanted, now + ttl / 2)


@event.listens_for(Engine, "commit")
@event.listens_for(Engine, "rollback")
def _transaction_ended(conn):
    conn.info.pop(_MARK, None)
    conn.info.pop(_PID, None)


@event.listens_for(Pool, "reset")
def _connection_reset(dbapi_connection, connection_record, reset_state):
    connection_record.info.pop(_MARK, None)
    connection_record.info.pop(_PID, None)


@event.listens_for(Pool, "checkin")
def _connection_returned(dbapi_connection, connection_record):
    if connection_record is not None:
        connection_record.info.pop(_MARK, None)
        connection_record.info.pop(_PID, None)


def republish_scope() -> None:
    """Kept for callers: publishing now happens before each statement, so nothing is needed here."""
    return None
