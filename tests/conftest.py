"""Fixtures: one real database per run (SQLite by default, PostgreSQL when TEST_DATABASE_URL says so),
built by the migrations, emptied before every test; a small network of sibling units seeded per test."""
from __future__ import annotations

import os
import re
import time
import shutil
from dataclasses import dataclass
from pathlib import Path
from types import SimpleNamespace

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import make_url

import config
from county_net import create_app
from county_net.extensions import db

ENGINE_URL = os.environ.get("TEST_DATABASE_URL", "")
ON_POSTGRES = ENGINE_URL.startswith("postgres")
APP_ROLE = os.environ.get("DATABASE_APP_ROLE", "county_net_app")
PASSWORD = "Test-pass-2026"


def pytest_collection_modifyitems(config, items):
    # Each engine's own tests are deselected on the other (never skipped).
    other = "sqlite_only" if ON_POSTGRES else "postgres_only"
    keep = [i for i in items if i.get_closest_marker(other) is None]
    dropped = [i for i in items if i.get_closest_marker(other) is not None]
    if dropped:
        config.hook.pytest_deselected(items=dropped)
        items[:] = keep


def normalise(url: str) -> str:
    if url.startswith("postgres://"):
        url = "postgresql://" + url[len("postgres://"):]
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://"):]
    return url


@dataclass
class DatabaseUnderTest:
    kind: str
    app_url: str
    owner_url: str
    path: Path | None = None
    template: Path | None = None

    def owner_engine(self):
        return sa.create_engine(self.owner_url, poolclass=sa.pool.NullPool)


def _prepare_postgres(owner_url: str) -> DatabaseUnderTest:
    engine = sa.create_engine(owner_url, isolation_level="AUTOCOMMIT", poolclass=sa.pool.NullPool)
    with engine.connect() as conn:
        conn.execute(sa.text("DROP SCHEMA IF EXISTS public CASCADE"))
        conn.execute(sa.text("CREATE SCHEMA public"))
        exists = conn.scalar(sa.text("SELECT 1 FROM pg_roles WHERE rolname = :r"), {"r": APP_ROLE})
        if not exists:
            conn.execute(sa.text(f"CREATE ROLE {APP_ROLE} LOGIN NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE"))
    engine.dispose()
    app_url = make_url(owner_url).set(username=APP_ROLE, password=None)
    return DatabaseUnderTest("postgresql", app_url.render_as_string(hide_password=False), owner_url)


@pytest.fixture(scope="session")
def database(tmp_path_factory) -> DatabaseUnderTest:
    if ON_POSTGRES:
        return _prepare_postgres(normalise(ENGINE_URL))
    folder = tmp_path_factory.mktemp("db")
    path = folder / "county_net.sqlite3"
    url = f"sqlite:///{path}"
    return DatabaseUnderTest("sqlite", url, url, path=path, template=folder / "template.sqlite3")


def make_app(database: DatabaseUnderTest, **overrides):
    return create_app(
        config.TestingConfig,
        SQLALCHEMY_DATABASE_URI=database.app_url,
        MIGRATION_DATABASE_URL=database.owner_url if database.kind == "postgresql" else None,
        **overrides,
    )


@pytest.fixture(scope="session")
def app(database, tmp_path_factory):
    os.environ.setdefault("COUNTY_NET_INSTANCE", str(tmp_path_factory.mktemp("instance")))
    application = make_app(database)
    from flask_migrate import upgrade

    with application.app_context():
        upgrade()
        db.engine.dispose()
    if database.kind == "sqlite":
        shutil.copyfile(database.path, database.template)
    return application


SEEDED_CATEGORIES = {  # as migrations/versions/…_petitions.py seeds them
    "01": "土地征收", "02": "房屋拆迁", "03": "劳动社保", "04": "企业改制", "05": "涉法涉诉", "06": "城乡建设",
    "07": "农村农业", "08": "教育", "09": "卫生健康", "10": "生态环境", "11": "民政", "12": "党纪政纪",
    "13": "物业管理", "14": "交通运输", "15": "市场监管", "16": "自然资源", "17": "退役军人", "18": "公安",
    "19": "水利", "99": "其他",
}
SEEDED_CATEGORY_CODES = list(SEEDED_CATEGORIES)


@pytest.fixture(autouse=True)
def _fresh_database(request, database):
    if "app" not in request.fixturenames:
        yield
        return
    application = request.getfixturevalue("app")
    with application.app_context():
        db.engine.dispose()
    if database.kind == "sqlite":
        for suffix in ("-wal", "-shm"):
            Path(str(database.path) + suffix).unlink(missing_ok=True)
        shutil.copyfile(database.template, database.path)
    else:
        engine = database.owner_engine()
        with engine.begin() as conn:
            tables = conn.scalars(sa.text(
                "SELECT tablename FROM pg_tables WHERE schemaname = 'public' "
                "AND tablename NOT IN ('alembic_version', 'categories')"  # reference data the migrations seed
            )).all()
            conn.execute(sa.text(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE"))
            # Back to the seeded list: tests may add or retire categories.
            conn.execute(sa.text("DELETE FROM categories WHERE code NOT IN :seed").bindparams(
                sa.bindparam("seed", expanding=True)), {"seed": SEEDED_CATEGORY_CODES})
            conn.execute(sa.text("UPDATE categories SET is_active = true"))
            # and their names: the API battery renames categories through PATCH /api/v1/categories/{id}.
            for code, name in SEEDED_CATEGORIES.items():
                conn.execute(sa.text("UPDATE categories SET name = :name WHERE code = :code AND name <> :name"),
                             {"code": code, "name": name})
        engine.dispose()
    # The audit checkpoints anchor this database's chain: a fresh database starts with no checkpoints.
    from county_net.audit.checkpoints import checkpoint_file

    checkpoint_file(application).unlink(missing_ok=True)
    application.config["WTF_CSRF_ENABLED"] = True
    yield


def clear_of_minute_edge(margin: float = 15) -> None:
    """Throttle windows turn over on the minute. A test whose counts must stay in one window (against Redis,
    whose keys expire on the real clock, or another process) waits while fewer than `margin` seconds are left."""
    left = 60 - time.time() % 60
    if left < margin:
        time.sleep(left + 0.5)


class _FrozenThrottleClock:
    """In-process throttle counting on one instant: the start of the minute of its first reading, plus one
    second, so no test straddles a window's edge by chance. Real expiry (Redis) still lies ahead of it."""

    def __init__(self):
        self.instant = None

    def time(self) -> float:
        if self.instant is None:
            self.instant = float(int(time.time()) // 60 * 60 + 1)
        return self.instant


@pytest.fixture(autouse=True)
def _throttle_clock(monkeypatch):
    from county_net.core import throttle

    monkeypatch.setattr(throttle, "time", _FrozenThrottleClock())


@pytest.fixture
def ctx(app):
    with app.app_context():
        yield
        db.session.remove()


NETWORK = {
    "network": {"county": "测试县", "version": "t1"},
    "units": [
        {"code": "C0", "name": "测试县信访局", "short_name": "县信访局", "kind": "county_center"},
        {"code": "T1", "name": "东镇人民政府", "short_name": "东镇", "kind": "township", "parent": "C0"},
        {"code": "T2", "name": "西镇人民政府", "short_name": "西镇", "kind": "township", "parent": "C0"},
        {"code": "B1", "name": "测试县人社局", "short_name": "人社局", "kind": "bureau", "parent": "C0"},
        {"code": "E1", "name": "东镇某厂", "short_name": "东镇某厂", "kind": "enterprise", "parent": "T1"},
        {"code": "V1", "name": "东镇甲村", "short_name": "甲村", "kind": "village", "parent": "T1"},
        {"code": "E2", "name": "西镇某厂", "short_name": "西镇某厂", "kind": "enterprise", "parent": "T2"},
    ],
    "windows": [{"number": 1, "name": "人社窗口", "stationed": ["B1"]}],
}

USERS = [
    ("admin", "C0", ["admin"]),
    ("c_recv", "C0", ["receptionist"]),
    ("t1_head", "T1", ["head"]),
    ("t1_recv", "T1", ["receptionist"]),
    ("t2_recv", "T2", ["receptionist"]),
    ("t2_head", "T2", ["head"]),
    ("e1_liaison", "E1", ["liaison"]),
    ("b1_recv", "B1", ["receptionist"]),
    ("b1_head", "B1", ["head"]),
]


@pytest.fixture
def net(app):
    """Seeds the small network and its users; returns plain ids (no ORM objects leak out)."""
    from county_net.accounts.models import User
    from county_net.accounts.passwords import hash_password
    from county_net.tenancy import system_scope
    from county_net.units.models import Unit
    from county_net.units.network_file import parse_network
    from county_net.units.services import sync_units

    with app.app_context(), system_scope("test seed"):
        sync_units(parse_network(NETWORK))
        units = {u.code: u.id for u in db.session.scalars(sa.select(Unit))}
        password_hash = hash_password(PASSWORD)
        users = {}
        for username, code, roles in USERS:
            user = User(username=username, name=username, unit_id=units[code], password_hash=password_hash, version=1)
            user.roles = roles
            db.session.add(user)
            db.session.flush()
            users[username] = user.id
        db.session.commit()
        db.session.remove()
    return SimpleNamespace(units=units, users=users)


CSRF_RE = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def csrf_from(client, path: str) -> str:
    page = client.get(path)
    match = CSRF_RE.search(page.get_data(as_text=True))
    if match is None and not client.application.config.get("WTF_CSRF_ENABLED", True):
        return ""
    assert match, f"no CSRF token on {path} ({page.status_code})"
    return match.group(1)


class Browser:
    """A logged-in web client with CSRF handled like a browser would."""

    def __init__(self, client):
        self.client = client

    def login(self, username: str, password: str = PASSWORD):
        token = csrf_from(self.client, "/login")
        return self.client.post("/login", data={"username": username, "password": password, "csrf_token": token})

    def post(self, path: str, data: dict | None = None, form_page: str | None = None, **kwargs):
        token = csrf_from(self.client, form_page or path)
        return self.client.post(path, data={**(data or {}), "csrf_token": token}, **kwargs)

    def get(self, *args, **kwargs):
        return self.client.get(*args, **kwargs)


@pytest.fixture
def browser(app):
    return Browser(app.test_client())


@pytest.fixture
def login(app):
    """login("t1_recv") -> a Browser already logged in."""

    def _login(username: str) -> Browser:
        b = Browser(app.test_client())
        resp = b.login(username)
        assert resp.status_code == 302, resp.get_data(as_text=True)[:500]
        return b

    return _login


@pytest.fixture
def api_token(app):
    def _token(username: str, password: str = PASSWORD) -> dict:
        resp = app.test_client().post("/api/v1/auth/token", json={"username": username, "password": password})
        assert resp.status_code == 201, resp.get_json()
        return {"Authorization": f"Bearer {resp.get_json()['token']}"}

    return _token
