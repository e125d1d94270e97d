"""Engine settings per backend."""
from contextlib import contextmanager
from contextvars import ContextVar

from flask import current_app, g, has_request_context, request
from sqlalchemy import event
from sqlalchemy.engine import Engine

_SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
_write_intent: ContextVar[bool] = ContextVar("county_net_write_intent", default=False)
_IMMEDIATE = "county_net_immediate"  # conn.info: this transaction began with SQLite's write lock
_NEXT_IMMEDIATE = "county_net_next_immediate"  # g: the request's next transaction must begin with it
_next_immediate_outside: ContextVar[bool] = ContextVar("county_net_next_immediate", default=False)


def engine_options(url: str, pgbouncer: bool = False) -> dict:
    if url.startswith("sqlite"):
        return {"connect_args": {"timeout": 30}}  # busy timeout: a burst of desks queues, it does not fail
    options = {"pool_pre_ping": True, "pool_size": 10, "max_overflow": 10}
    if pgbouncer:
        # psycopg prepares a statement on the server after 5 runs; in transaction mode the next transaction
        # may land on a server connection that never saw it ("prepared statement … does not exist").
        options["connect_args"] = {"prepare_threshold": None}
    return options


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


def prepare_write(session) -> None:
    """Call before writing in a request that began by reading (a GET that audits the view it serves).

    On SQLite such a request's transaction began deferred; turning its read snapshot into a write fails at
    once ("database is locked") whenever another writer committed in between, and no busy timeout helps. So
    the read transaction ends here (nothing is pending, by contract) and the next one begins with the write
    lock (BEGIN IMMEDIATE), waiting its turn like any POST. Only that next one: the page rendered afterwards
    reads in an ordinary deferred transaction. PostgreSQL needs nothing."""
    if session.get_bind().dialect.name != "sqlite" or _wants_write():
        return
    if session.in_transaction():
        info = session.connection().info
        if info.get(_IMMEDIATE) or info.get(_WROTE) or session.new or session.dirty or session.deleted:
            return  # holds the write lock already, or has work of its own that must commit whole
        session.commit()
    if has_request_context():
        setattr(g, _NEXT_IMMEDIATE, True)  # g dies with the request: nothing carries over to the next one
    else:
        _next_immediate_outside.set(True)


def _take_next_immediate() -> bool:
    if has_request_context():
        return bool(g.pop(_NEXT_IMMEDIATE, False))
    wanted = _next_immediate_outside.get()
    if wanted:
        _next_immediate_outside.set(False)
    return wanted


@event.listens_for(Engine, "connect")
def _sqlite_pragmas(dbapi_connection, connection_record):
    module = type(dbapi_connection).__module__
    if not module.startswith("sqlite3"):
        return
    # SQLAlchemy emits BEGIN itself (below), so the driver must not.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
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
    immediate = _take_next_immediate() or _wants_write()
    conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")
    conn.info[_IMMEDIATE] = immediate


_WROTE = "county_net_wrote"


_WRITES = ("INSERT", "UPDATE", "DELETE", "REPLACE")


class ReadTransactionWrite(RuntimeError):
    """Tests only: a request wrote inside a transaction that began reading (see prepare_write)."""


@event.listens_for(Engine, "before_cursor_execute")
def _note_writes(conn, cursor, statement, parameters, context, executemany):
    if conn.info.get(_WROTE) or statement.startswith(("SELECT", "BEGIN")):
        return
    if (conn.dialect.name == "sqlite" and not conn.info.get(_IMMEDIATE) and statement.startswith(_WRITES)
            and has_request_context() and current_app.config.get("SQLITE_WRITE_TRIPWIRE")):
        # Would fail under load with "database is locked"; the suite trips on it single-threaded instead.
        raise ReadTransactionWrite(f"{request.method} {request.path} 在只读事务中写入：请先调用 prepare_write()")
    conn.info[_WROTE] = True  # anything but a read, conservatively


@event.listens_for(Engine, "commit")
@event.listens_for(Engine, "rollback")
def _transaction_over(conn):
    conn.info.pop(_WROTE, None)
    conn.info.pop(_IMMEDIATE, None)


def init_app(app) -> None:
    from county_net.extensions import db

    @app.teardown_request
    def _end_reading_transaction(exc):
        """A transaction that only read ends with COMMIT. The session would otherwise end it with ROLLBACK,
        and psycopg drops every prepared statement of the connection on a ROLLBACK, so PostgreSQL would
        plan each query (RLS policies included) afresh on every request. Services commit their writes
        themselves; what is left open at the end of a request has normally only read (rendering the
        answer), and anything that wrote without committing is still rolled back."""
        if exc is not None:
            return
        session = db.session()
        if not session.in_transaction() or session.new or session.dirty or session.deleted:
            return
        if session.connection().info.get(_WROTE):
            return
        try:
            session.commit()
        except Exception:  # the session's own teardown rolls back and reports
            session.rollback()
