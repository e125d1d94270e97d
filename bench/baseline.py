"""Bare baselines for the benchmark (issue 4). The product never imports this module, and this module never
imports the product: same database, driver, pool and gunicorn settings, SQLAlchemy Core with statements
built once, no auth, no session, no ORM, no audit.

    BENCH_DATABASE_URL=sqlite:///instance/bench/tiny.sqlite3 \
        gunicorn -k gthread --workers 3 --threads 4 bench.baseline:app

PostgreSQL: BENCH_DATABASE_URL is a role that bypasses RLS (the physical limit); BENCH_RLS_DATABASE_URL
(optional) is the RLS-subject role `county_net_app`, used by B1r only.
"""
from __future__ import annotations

import bisect
import hashlib
import hmac
import os
import threading
import time
from datetime import datetime, timezone

from flask import Flask, abort, jsonify, request
from sqlalchemy import (Column, Date, DateTime, Integer, MetaData, String, Table, Text, bindparam, create_engine,
                        event, insert, select, text)

# Kept in step with county_net/petitions/workflow.py OPEN_STATES (bench/run checks it).
OPEN_STATES = ("registered", "returned", "transferred", "assigned", "signed", "handling", "replied",
               "reported", "reexamination", "final_review")
PAGE_SIZE = 20


def _normalise(url: str) -> str:
    if url.startswith("postgres://"):
        url = "postgresql://" + url[len("postgres://"):]
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://"):]
    return url


def _engine_options(url: str) -> dict:
    # Same values as county_net/core/database.py engine_options().
    if url.startswith("sqlite"):
        return {"connect_args": {"timeout": 15}}
    return {"pool_pre_ping": True, "pool_size": 10, "max_overflow": 10}


def _make_engine(url: str):
    url = _normalise(url)
    engine = create_engine(url, **_engine_options(url))
    if engine.dialect.name == "sqlite":
        @event.listens_for(engine, "connect")
        def _pragmas(dbapi_connection, _record):
            # Same PRAGMAs as the product sets on connect.
            cur = dbapi_connection.cursor()
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute("PRAGMA busy_timeout=15000")
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA synchronous=NORMAL")
            cur.close()
    return engine


DATABASE_URL = os.environ.get("BENCH_DATABASE_URL") or os.environ.get("DATABASE_URL") or ""
if not DATABASE_URL:
    raise RuntimeError("set BENCH_DATABASE_URL (a SQLAlchemy URL)")
engine = _make_engine(DATABASE_URL)
RLS_URL = os.environ.get("BENCH_RLS_DATABASE_URL", "")
rls_engine = _make_engine(RLS_URL) if RLS_URL and engine.dialect.name == "postgresql" else None
IS_SQLITE = engine.dialect.name == "sqlite"

# Only the columns the baselines touch.
meta = MetaData()
petitions = Table(
    "petitions", meta,
    Column("id", Integer, primary_key=True),
    Column("number", String(40)),
    Column("state", String(20)),
    Column("holder_unit_id", Integer),
    Column("due_on", Date),
    Column("summary", Text),
)
units = Table("units", meta, Column("id", Integer, primary_key=True), Column("path", String(255)))
bench_writes = Table(
    "bench_writes", meta,
    Column("id", Integer, primary_key=True),
    Column("petition_id", Integer),
    Column("note", Text),
    Column("created_at", DateTime),
)

# Statements built once; SQLAlchemy's compiled cache does the rest.
B1_SQL = select(petitions.c.id, petitions.c.number, petitions.c.state, petitions.c.holder_unit_id,
                petitions.c.due_on, petitions.c.summary).where(petitions.c.id == bindparam("id"))
B2_SQL = (select(petitions.c.id, petitions.c.number, petitions.c.state, petitions.c.due_on, petitions.c.summary)
          .where(petitions.c.holder_unit_id == bindparam("u"), petitions.c.state.in_(OPEN_STATES))
          .order_by(petitions.c.due_on, petitions.c.id)
          .limit(bindparam("lim")).offset(bindparam("off")))
B3_SQL = insert(bench_writes)
# The scope is published signed, as county_net/tenancy/rls.py does (same token, same key: RLS_SCOPE_KEY).
RLS_SET_SQL = text("SELECT set_config('county_net.scope', :token, true)")
RLS_SCOPE_KEY = hashlib.sha256(b"county_net rls scope|" + os.environ.get("RLS_SCOPE_KEY", "").encode()).digest()


def _signed_scope(pid: int, unit_ids: str, self_ids: str) -> str:
    payload = f"v1|{pid}|{int(time.time()) + 60}|{unit_ids}|{self_ids}"
    return payload + "|" + hmac.new(RLS_SCOPE_KEY, payload.encode(), hashlib.sha256).hexdigest()
UNITS_SQL = select(units.c.id, units.c.path)
# B4: the repeat detector's candidate query on its index (the same statement as county_net/repeats/index.py
# `search`): any of the keys, in one county, since a day, best ranked first.
B4_SQL = text(
    "SELECT petition_id FROM repeat_index WHERE county_unit_id = :county AND received_at >= :since "
    "AND tsv @@ to_tsquery('simple', :q) AND petition_id <> 0 "
    "ORDER BY ts_rank(tsv, to_tsquery('simple', :q)) DESC, received_at DESC LIMIT 30"
    if not DATABASE_URL.startswith("sqlite") else
    "SELECT f.rowid FROM repeat_index_fts f JOIN repeat_index r ON r.petition_id = f.rowid "
    "WHERE repeat_index_fts MATCH :q AND r.county_unit_id = :county AND r.received_at >= :since "
    "AND r.petition_id <> 0 ORDER BY f.rank, r.received_at DESC LIMIT 30"
).bindparams(bindparam("since", type_=DateTime(timezone=not DATABASE_URL.startswith("sqlite"))))

_DDL = {
    "sqlite": "CREATE TABLE IF NOT EXISTS bench_writes (id INTEGER PRIMARY KEY, petition_id INTEGER, "
              "note TEXT, created_at TIMESTAMP)",
    "postgresql": "CREATE TABLE IF NOT EXISTS bench_writes (id SERIAL PRIMARY KEY, petition_id INTEGER, "
                  "note TEXT, created_at TIMESTAMP)",
}


def _ensure_bench_table() -> None:
    # Several workers may race here; a losing CREATE on PostgreSQL is harmless.
    for _ in range(3):
        try:
            with engine.begin() as conn:
                conn.exec_driver_sql(_DDL[engine.dialect.name])
            break
        except Exception:  # noqa: BLE001
            continue
    if rls_engine is not None:
        try:
            with engine.begin() as conn:
                role = rls_engine.url.username
                conn.exec_driver_sql(f'GRANT SELECT, INSERT ON bench_writes TO "{role}"')
                conn.exec_driver_sql(f'GRANT USAGE ON SEQUENCE bench_writes_id_seq TO "{role}"')
        except Exception:  # noqa: BLE001
            pass


class _UnitTree:
    """Units by materialised path, sorted: a subtree is one contiguous range of paths."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._paths: list[str] = []
        self._ids: list[int] = []
        self._by_id: dict[int, str] = {}
        self._cache: dict[int, tuple[str, str]] = {}

    def load(self) -> None:
        with engine.connect() as conn:
            rows = sorted(conn.execute(UNITS_SQL).all(), key=lambda r: r.path)
        self._paths = [r.path for r in rows]
        self._ids = [r.id for r in rows]
        self._by_id = {r.id: r.path for r in rows}

    def rls_values(self, unit_id: int) -> tuple[str, str] | None:
        """(unit_ids, self_ids) formatted as county_net/tenancy/context.py Scope does."""
        hit = self._cache.get(unit_id)
        if hit is not None:
            return hit
        path = self._by_id.get(unit_id)
        if path is None:
            return None
        lo = bisect.bisect_left(self._paths, path)
        hi = lo
        while hi < len(self._paths) and self._paths[hi].startswith(path):
            hi += 1
        subtree = sorted(self._ids[lo:hi])
        ancestors = sorted(int(p) for p in path.strip("/").split("/") if p)
        value = (",".join(map(str, subtree)), ",".join(map(str, ancestors)))
        with self._lock:
            self._cache[unit_id] = value
        return value


_ensure_bench_table()
tree = _UnitTree()
if rls_engine is not None:
    tree.load()

app = Flask(__name__)
app.json.ensure_ascii = False
app.json.sort_keys = False
_PLAIN = {"ok": True, "service": "bench-baseline"}


def _row_json(row):
    data = dict(row._mapping)
    if data.get("due_on") is not None:
        data["due_on"] = data["due_on"].isoformat()
    return data


@app.get("/b/plain")
def b0_plain():
    return jsonify(_PLAIN)


@app.get("/b/petition/<int:petition_id>")
def b1_petition(petition_id: int):
    with engine.connect() as conn:
        row = conn.execute(B1_SQL, {"id": petition_id}).first()
    if row is None:
        abort(404)
    return jsonify(_row_json(row))


@app.get("/b/petition-rls/<int:petition_id>")
def b1r_petition(petition_id: int):
    if rls_engine is None:
        abort(501)
    values = tree.rls_values(request.args.get("unit", type=int) or 0)
    if values is None:
        abort(404)
    with rls_engine.begin() as conn:
        pid = conn.connection.dbapi_connection.info.backend_pid
        conn.execute(RLS_SET_SQL, {"token": _signed_scope(pid, *values)})
        row = conn.execute(B1_SQL, {"id": petition_id}).first()
    if row is None:
        abort(404)
    return jsonify(_row_json(row))


@app.get("/b/inbox/<int:unit_id>")
def b2_inbox(unit_id: int):
    page = max(request.args.get("page", 1, type=int), 1)
    with engine.connect() as conn:
        rows = conn.execute(B2_SQL, {"u": unit_id, "lim": PAGE_SIZE, "off": (page - 1) * PAGE_SIZE}).all()
    return jsonify({"page": page, "items": [_row_json(r) for r in rows]})


@app.post("/b/petition-note")
def b3_write():
    body = request.get_json(silent=True) or {}
    values = {"petition_id": int(body.get("petition_id") or 0), "note": str(body.get("note") or "bench")[:500],
              "created_at": datetime.now(timezone.utc).replace(tzinfo=None)}
    with engine.connect() as conn:
        if IS_SQLITE:
            # Take the write lock up front, as a well-behaved SQLite writer should.
            conn.exec_driver_sql("BEGIN IMMEDIATE")
        new_id = conn.execute(B3_SQL, values).inserted_primary_key[0]
        conn.commit()
    return jsonify({"id": new_id}), 201


@app.post("/b/repeat-candidates")
def b4_repeat_candidates():
    """Body: {"county": id, "queries": [{"keys": [...], "since": ISO}]} as bench/repeat_preview.py wrote it."""
    body = request.get_json(silent=True) or {}
    found = []
    with engine.connect() as conn:
        for query in body.get("queries") or []:
            keys = query.get("keys") or []
            if not keys:
                continue
            since = datetime.fromisoformat(query["since"]).astimezone(timezone.utc)
            q = " OR ".join(f'"{k}"' for k in keys) if IS_SQLITE else " | ".join(keys)
            found += [r[0] for r in conn.execute(B4_SQL, {"county": int(body.get("county") or 0), "q": q,
                                                          "since": since.replace(tzinfo=None) if IS_SQLITE
                                                          else since})]
    return jsonify({"ids": found})
