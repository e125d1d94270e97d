"""The real product under gunicorn in a subprocess, for the battery: production settings, its own instance
folder, the suite's database (PostgreSQL, as the app role) or a file database (SQLite); kill -9 and restart;
a small JSON client on http.client; the `flask` CLI with the same environment."""
from __future__ import annotations

import http.client
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from types import SimpleNamespace

import sqlalchemy as sa

import config
from bench.harness.procs import Server, free_port
from county_net.extensions import db
from tests.conftest import PASSWORD, DatabaseUnderTest, make_app

REPO = Path(__file__).resolve().parents[2]
# CI runs the battery once over; a local full run multiplies its trials and rounds (e.g. 5).
SCALE = max(1, int(os.environ.get("COUNTY_NET_BATTERY_SCALE") or 1))

# Production refuses missing keys; the seeding app below uses the same ones, so the audit chain written
# before the server starts verifies under the server's key. The data key is 32 bytes, used as it is.
KEYS = {
    "SECRET_KEY": "battery-secret",
    "AUDIT_HMAC_KEY": "battery-audit",
    "DATA_ENCRYPTION_KEY": "battery-only-data-encryption-k32",
    "LOOKUP_HMAC_KEY": "battery-lookup",
    # The suite's own: the database under test holds the copy `flask db upgrade` installed from it.
    "RLS_SCOPE_KEY": config.TestingConfig.RLS_SCOPE_KEY,
}


def product_env(database: DatabaseUnderTest, instance: Path) -> dict:
    env = dict(os.environ)
    for name in ("TEST_DATABASE_URL", "MIGRATION_DATABASE_URL", "TENANCY_RLS",
                 "COUNTY_NET_BENCH_NO_CRITERIA", "COUNTY_NET_BENCHMARK", "FLASK_APP"):
        env.pop(name, None)  # the product's own defaults, as a deployment without overrides has them
    env.update(KEYS)
    env.update({
        "COUNTY_NET_CONFIG": "production",
        "COUNTY_NET_INSTANCE": str(instance),
        "SESSION_COOKIE_SECURE": "0",  # plain HTTP on loopback
        "DATABASE_URL": database.app_url,
        "PYTHONPATH": str(REPO),  # this checkout's county_net, not whichever one is installed
    })
    if database.kind == "postgresql":
        env["MIGRATION_DATABASE_URL"] = database.owner_url
    return env


def sqlite_copy(database: DatabaseUnderTest, folder: Path) -> DatabaseUnderTest:
    """A file database of the test's own, copied from the suite's template (built by the migrations)."""
    import shutil

    path = folder / "county_net.sqlite3"
    shutil.copyfile(database.template, path)
    url = f"sqlite:///{path}"
    return DatabaseUnderTest("sqlite", url, url, path=path)


def seed(database: DatabaseUnderTest, instance: Path, network: dict, users: list[tuple[str, str, list[str]]],
         monkeypatch) -> SimpleNamespace:
    """Units and accounts written in-process with the server's keys (sync_units writes an audit record)."""
    from county_net.accounts.models import User
    from county_net.accounts.passwords import hash_password
    from county_net.petitions.models import Category
    from county_net.tenancy import system_scope
    from county_net.units.models import Unit
    from county_net.units.network_file import parse_network
    from county_net.units.services import sync_units

    with monkeypatch.context() as patch:
        patch.setenv("COUNTY_NET_INSTANCE", str(instance))  # read by create_app, as the server reads it
        seeder = make_app(database, **KEYS)
    with seeder.app_context():
        with system_scope("battery seed"):
            sync_units(parse_network(network))
            units = {u.code: u.id for u in db.session.scalars(sa.select(Unit))}
            password_hash = hash_password(PASSWORD)
            for username, code, roles in users:
                user = User(username=username, name=username, unit_id=units[code], password_hash=password_hash,
                            version=1)
                user.roles = roles
                db.session.add(user)
            category = db.session.scalar(sa.select(Category.id).where(Category.name == "劳动社保"))
            db.session.commit()
        db.session.remove()
        db.engine.dispose()
    return SimpleNamespace(units=units, category_id=category)


def owner_engine(database: DatabaseUnderTest):
    """For the checks: the owner (PostgreSQL superuser, so no RLS) or the file itself."""
    return sa.create_engine(database.owner_url, poolclass=sa.pool.NullPool)


class Served(Server):
    """bench's gunicorn runner, started with this interpreter; kill -9 of the group, the master or a worker."""

    def __init__(self, env: dict, log_dir: Path, *, workers: int = 2, threads: int = 4):
        super().__init__("battery", "wsgi:app", env, repo=REPO, workers=workers, threads=threads,
                         log_dir=log_dir, ready_path="/login")

    def command(self) -> list[str]:
        import gunicorn

        extra = []
        if gunicorn.version_info >= (25, 1):
            extra = ["--no-control-socket"]  # else every server on the machine shares ~/.gunicorn/gunicorn.ctl
        args = super().command()
        return [sys.executable, "-m", "gunicorn", *args[1:-1], *extra, args[-1]]

    def up(self) -> "Served":
        """Start on a fresh port (a killed server's orphans may still hold the old one for a moment)."""
        self.port = free_port()
        self.start()
        self.wait_ready()
        return self

    def live_pids(self) -> list[int]:
        alive = []
        for pid in self.pids():
            try:
                state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
            except OSError:
                continue
            if state not in ("Z", "X"):  # an orphan nobody reaped is gone all the same
                alive.append(pid)
        return alive

    def workers_pids(self) -> list[int]:
        return [p for p in self.live_pids() if p != self.proc.pid]

    def kill(self, kind: str, rng) -> str:
        """kill -9: "group" (master and workers at once), "master" (the workers notice and leave), or
        "worker" (one of them; the master starts another). Returns what was killed."""
        if kind == "worker":
            workers = self.workers_pids()
            victim = rng.choice(workers)
            os.kill(victim, signal.SIGKILL)
            return f"worker {victim}"
        if kind == "group":
            os.killpg(self.proc.pid, signal.SIGKILL)
        else:
            os.kill(self.proc.pid, signal.SIGKILL)
        self.proc.wait(timeout=10)
        self.wait_gone()
        return kind

    def wait_gone(self, timeout: float = 60.0) -> None:
        # An orphaned worker notices its master's death on its next heartbeat; on a loaded machine (the
        # suite shares two cores with other work) that has taken more than 20 s.
        deadline = time.monotonic() + timeout
        while live := self.live_pids():
            if time.monotonic() > deadline:
                raise AssertionError(f"gunicorn processes {live} outlived their master")
            time.sleep(0.05)


def flask_cli(env: dict, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "flask", "--app", "wsgi", *args], cwd=REPO, env=env,
                          capture_output=True, text=True, timeout=300)


class Client:
    """One keep-alive connection, reopened after any network error."""

    def __init__(self, server: Served, headers: dict | None = None, timeout: float = 60.0):
        self.server, self.headers, self.timeout = server, headers or {}, timeout
        self.conn: http.client.HTTPConnection | None = None

    def request(self, method: str, path: str, body=None) -> tuple[int, dict | None]:
        """(status, JSON) or raises OSError / http.client.HTTPException when no answer came."""
        if self.conn is None:
            self.conn = http.client.HTTPConnection("127.0.0.1", self.server.port, timeout=self.timeout)
        headers = {"Content-Type": "application/json", **self.headers}
        try:
            self.conn.request(method, path, body=json.dumps(body).encode() if body is not None else None,
                              headers=headers)
            resp = self.conn.getresponse()
            raw = resp.read()
        except (OSError, http.client.HTTPException):
            self.close()
            raise
        try:
            data = json.loads(raw) if raw else None
        except ValueError:
            data = {"raw": raw[:300].decode(errors="replace")}
        return resp.status, data

    def close(self) -> None:
        if self.conn is not None:
            self.conn.close()
            self.conn = None


def token(server: Served, username: str) -> dict:
    client = Client(server)
    status, body = client.request("POST", "/api/v1/auth/token", {"username": username, "password": PASSWORD})
    client.close()  # an idle keep-alive connection would hold up the server's graceful stop
    assert status == 201, (status, body)
    return {"Authorization": f"Bearer {body['token']}"}
