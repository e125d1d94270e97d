"""One run of a periodic job at a time, across processes and hosts.

PostgreSQL: a session-level advisory lock, pg_try_advisory_lock(namespace, key), on a connection of its own
held for the job's whole run. The two-integer form keeps job locks apart from the single-bigint keys used
elsewhere (the audit chain's pg_advisory_xact_lock(7130001)); the key is a CRC-32 of the job's name, so every
process and every release derives the same one. The lock connection keeps its transaction open until the
unlock: behind PgBouncer in transaction mode that pins one server connection to this runner, so the unlock
reaches the backend that holds the lock; if the runner dies, its connection closes and the lock goes with it.

SQLite: flock() on a file next to the database file. A SQLite database is one host's by nature, and every
process that opens it can reach its folder. The kernel drops the lock when the process ends, however it ends,
so a crash leaves nothing stale behind; a lock row would need an expiry to guess, and a lock row held under
SQLite's write lock would stop every desk for the job's whole run."""
from __future__ import annotations

import os
import threading
import zlib
from contextlib import contextmanager
from pathlib import Path

from flask import current_app
from sqlalchemy import text
from sqlalchemy.engine import make_url

NAMESPACE = 7_130_002  # classid of every job lock in pg_locks
ELSEWHERE = "定时任务「{name}」已在其他进程或主机上运行，本次不执行。"

_memory_locks: dict[str, threading.Lock] = {}  # an in-memory SQLite database lives in one process only


def lock_key(name: str) -> int:
    """A stable signed 32-bit key for the job's name (the second argument of pg_try_advisory_lock)."""
    value = zlib.crc32(name.encode("utf-8"))
    return value - 2**32 if value >= 2**31 else value


@contextmanager
def exclusive(name: str):
    """Yields True when this process holds the job's lock for the block, False when another one does."""
    from county_net.extensions import db

    engine = db.engine
    if engine.dialect.name == "postgresql":
        with _pg_lock(engine, name) as mine:
            yield mine
    else:
        with _file_lock(engine.url, name) as mine:
            yield mine


@contextmanager
def _pg_lock(engine, name: str):
    key = lock_key(name)
    conn = engine.connect()
    try:
        mine = bool(conn.scalar(text("SELECT pg_try_advisory_lock(:ns, :key)"), {"ns": NAMESPACE, "key": key}))
    except Exception:
        conn.close()
        raise
    try:
        yield mine
    finally:
        try:
            if mine:
                conn.execute(text("SELECT pg_advisory_unlock(:ns, :key)"), {"ns": NAMESPACE, "key": key})
            conn.rollback()
        except Exception:
            conn.invalidate()  # a broken connection: closing it ends the session, and the lock with it
        finally:
            conn.close()


def _sqlite_file(url) -> Path | None:
    database = make_url(url).database
    if not database or database == ":memory:" or "mode=memory" in str(url):
        return None
    return Path(database)


@contextmanager
def _file_lock(url, name: str):
    path = _sqlite_file(url)
    if path is None:
        lock = _memory_locks.setdefault(name, threading.Lock())
        mine = lock.acquire(blocking=False)
        try:
            yield mine
        finally:
            if mine:
                lock.release()
        return
    import fcntl

    lock_path = path.with_name(f"{path.name}.job-{name}.lock")
    fd = os.open(lock_path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            mine = True
        except BlockingIOError:
            mine = False
        yield mine  # closing the descriptor below releases the lock
    finally:
        os.close(fd)


def report_elsewhere(name: str) -> str:
    message = ELSEWHERE.format(name=name)
    current_app.logger.warning(message)
    return message


def single_run(name: str):
    """For a command that runs a periodic job by hand (`flask petitions sweep` …): the same lock as
    `flask jobs run NAME`; when the job is running elsewhere it says so and returns (exit status 0)."""
    import functools

    import click

    def decorate(command):
        @functools.wraps(command)
        def wrapper(*args, **kwargs):
            with exclusive(name) as mine:
                if not mine:
                    click.echo(report_elsewhere(name))
                    return None
                return command(*args, **kwargs)

        return wrapper

    return decorate
