"""Engine settings per backend."""
from contextlib import contextmanager
from contextvars import ContextVar

from flask import has_request_context, request
from sqlalchemy import event
from sqlalchemy.engine import Engine

_SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
_write_intent: ContextVar[bool] = ContextVar("county_net_write_intent", default=False)


def engine_options(url: str) -> dict:
    if url.startswith("sqlite"):
        return {"connect_args": {"timeout": 15}}
    return {"pool_pre_ping": True, "pool_size": 10, "max_overflow": 10}


@contextmanager
def writing():
    """Commands that write outside a request (the sweep) take SQLite's write lock up front too."""
    token = _write_intent.set(True)
    try:
        yield
    finally:
        _write_intent.reset(token)


def writing_request() -> bool:
    return has_request_context() and request.method not in _SAFE_METHODS


def _wants_write() -> bool:
    return _write_intent.get() or writing_request()


@event.listens_for(Engine, "connect")
def _sqlite_pragmas(dbapi_connection, connection_record):
    module = type(dbapi_connection).__module__
    if not module.startswith("sqlite3"):
        return
    # SQLAlchemy emits BEGIN itself (below), so the driver must not.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=15000")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


@event.listens_for(Engine, "begin")
def _sqlite_begin(conn):
    """A writing request takes SQLite's single write lock when its transaction starts (BEGIN IMMEDIATE),
    waiting up to busy_timeout for it. A deferred transaction that reads first and writes later cannot
    wait: SQLite answers "database is locked" at once when another writer got in between."""
    if conn.dialect.name != "sqlite":
        return
    conn.exec_driver_sql("BEGIN IMMEDIATE" if _wants_write() else "BEGIN")


def init_app(app) -> None:
    from county_net.extensions import db

    @app.teardown_request
    def _end_reading_transaction(exc):
        """A request that only read ends its transaction with COMMIT. The session would otherwise end it
        with ROLLBACK, and psycopg drops every prepared statement of the connection on a ROLLBACK, so
        PostgreSQL would plan each query (RLS policies included) afresh on every request."""
        if exc is not None or request.method not in _SAFE_METHODS:
            return
        session = db.session()
        if session.in_transaction() and not (session.new or session.dirty or session.deleted):
            try:
                session.commit()
            except Exception:  # the session's own teardown rolls back and reports
                session.rollback()
