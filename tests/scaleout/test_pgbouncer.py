"""Issue 14, point 7: the product behind PgBouncer in transaction mode (docs/deploy.md). A private PgBouncer
with ONE server connection for this run's database: two principals of different units, interleaved from two
threads, take turns on that one backend and never see each other's matters, and a statement outside any scope,
on the same backend right after them, sees nothing. That holds because the scope is published with
set_config(…, true): it lives and dies with the transaction, never with the connection."""
from __future__ import annotations

import os
import pwd
import shutil
import subprocess
import tempfile
import threading
import time
from pathlib import Path

import psycopg
import pytest
from sqlalchemy.engine import make_url

import config
from county_net import create_app
from county_net.extensions import db
from tests.conftest import PASSWORD
from tests.petitions.helpers import Api, category_id, id_number
from tests.served import free_port

pytestmark = pytest.mark.postgres_only
PGBOUNCER = shutil.which("pgbouncer") or "/usr/sbin/pgbouncer"
ROUNDS = 12


def _ini(folder: Path, port: int, database: str, server_host: str, server_port: int) -> str:
    return f"""[databases]
{database} = host={server_host} port={server_port} dbname={database}

[pgbouncer]
listen_addr = 127.0.0.1
listen_port = {port}
unix_socket_dir =
auth_type = trust
auth_file = {folder}/users.txt
admin_users = postgres
pool_mode = transaction
default_pool_size = 1
max_db_connections = 1
reserve_pool_size = 0
max_client_conn = 50
logfile = {folder}/pgbouncer.log
pidfile = {folder}/pgbouncer.pid
"""


@pytest.fixture
def bouncer(database):
    """A PgBouncer of this test's own: its ini in a folder of its own, a free port, trust authentication
    (loopback only), one server connection. PgBouncer refuses to run as root: as root it runs as postgres."""
    if not Path(PGBOUNCER).exists():
        pytest.skip("pgbouncer is not installed (Debian package pgbouncer; .ci/run installs it)")
    server = make_url(database.app_url)
    folder = Path(tempfile.mkdtemp(prefix="county-net-pgbouncer-"))
    port = free_port()
    (folder / "pgbouncer.ini").write_text(_ini(folder, port, server.database, server.host or "127.0.0.1",
                                               server.port or 5432))
    (folder / "users.txt").write_text(f'"{server.username}" ""\n"postgres" ""\n')
    command = [PGBOUNCER, str(folder / "pgbouncer.ini")]
    if os.geteuid() == 0:
        account = pwd.getpwnam("postgres")
        for path in (folder, *folder.iterdir()):
            os.chown(path, account.pw_uid, account.pw_gid)
        command[1:1] = ["-u", "postgres"]
    proc = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
    url = server.set(host="127.0.0.1", port=port)
    plain = f"postgresql://{server.username}@127.0.0.1:{port}/{server.database}"
    try:
        deadline = time.monotonic() + 30
        while True:
            log = folder / "pgbouncer.log"
            assert proc.poll() is None, log.read_text(errors="replace") if log.exists() else "pgbouncer exited"
            try:
                with psycopg.connect(plain, prepare_threshold=None, connect_timeout=2) as conn:
                    conn.execute("SELECT 1")
                break
            except psycopg.OperationalError:
                assert time.monotonic() < deadline, "pgbouncer did not answer"
                time.sleep(0.2)
        yield url.render_as_string(hide_password=False), plain, port
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        shutil.rmtree(folder, ignore_errors=True)


def _servers(port: int) -> list[tuple]:
    """PgBouncer's own account of its server connections (its admin console)."""
    with psycopg.connect(f"postgresql://postgres@127.0.0.1:{port}/pgbouncer", autocommit=True,
                         prepare_threshold=None) as admin:
        cur = admin.execute("SHOW SERVERS")
        names = [c.name for c in cur.description]
        return [dict(zip(names, row)) for row in cur.fetchall()]


def test_the_scope_is_transaction_local_behind_pgbouncer_in_transaction_mode(database, app, net, api_token, bouncer):
    url, plain, port = bouncer
    direct = Api(app, api_token)
    seeded = {"t1_recv": [direct.register("t1_recv")["id"]], "t2_recv": [direct.register("t2_recv")["id"]]}

    pooled = create_app(config.TestingConfig, SQLALCHEMY_DATABASE_URI=url, DATABASE_PGBOUNCER=True)
    tokens = {user: _login(pooled, user) for user in seeded}
    # A write through PgBouncer too: a registration (its audit record takes a transaction-level advisory lock).
    answer = pooled.test_client().post("/api/v1/petitions", json=_registration(app), headers=tokens["t1_recv"])
    assert answer.status_code == 201, answer.get_json()
    seeded["t1_recv"].append(answer.get_json()["id"])
    other = {"t1_recv": "t2_recv", "t2_recv": "t1_recv"}
    seen: dict[str, list] = {user: [] for user in seeded}
    failures: list = []
    start = threading.Barrier(2)

    def desk(user: str) -> None:
        client = pooled.test_client()
        try:
            start.wait()
            for _ in range(ROUNDS):
                listed = client.get("/api/v1/petitions", headers=tokens[user]).get_json()["items"]
                seen[user].append(sorted(row["id"] for row in listed))
                for own in seeded[user]:
                    assert client.get(f"/api/v1/petitions/{own}", headers=tokens[user]).status_code == 200
                for foreign in seeded[other[user]]:
                    assert client.get(f"/api/v1/petitions/{foreign}", headers=tokens[user]).status_code == 404
        except BaseException as exc:  # reported by the main thread
            failures.append(exc)

    threads = [threading.Thread(target=desk, args=(user,)) for user in seeded]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert not failures, failures
    for user, lists in seen.items():
        assert lists == [sorted(seeded[user])] * ROUNDS, (user, lists)

    # All of it went through one server connection; the same backend, asked outside any scope, shows nothing.
    servers = [s for s in _servers(port) if s.get("database") == make_url(url).database]
    assert len(servers) == 1, servers
    with psycopg.connect(plain, prepare_threshold=None) as conn:
        row = conn.execute("SELECT pg_backend_pid(), coalesce(current_setting('county_net.scope', true), ''), "
                           "(SELECT count(*) FROM petitions), (SELECT count(*) FROM auth_sessions)").fetchone()
    assert row[0] == servers[0]["remote_pid"]
    assert row[1:] == ("", 0, 0)
    with pooled.app_context():
        db.engine.dispose()


def _registration(app) -> dict:
    return {"channel": "visit", "category_id": category_id(app), "nature": "demand",
            "petitioners": [{"name": "李某华", "id_number": id_number(2), "phone": "13800002222"}],
            "summary": "东镇某厂拖欠本人工资，多次讨要未果。", "demands": "要求支付拖欠的工资。"}


def _login(pooled, user: str) -> dict:
    resp = pooled.test_client().post("/api/v1/auth/token", json={"username": user, "password": PASSWORD})
    assert resp.status_code == 201, resp.get_json()
    return {"Authorization": f"Bearer {resp.get_json()['token']}"}
