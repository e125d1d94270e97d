"""Issue 9, point 3, under real processes: the product served by gunicorn with 4 workers (production settings)
on this run's database file or PostgreSQL database. 20 parallel wrong passwords for one account from one
address: 5 are checked (401), 15 refused (429), whichever worker took them; and the owner, from another
address, still logs in. With counters kept in each worker's memory up to 20 got through."""
import http.client
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import sqlalchemy as sa

import config
from tests.conftest import PASSWORD, clear_of_minute_edge

ROOT = Path(__file__).resolve().parents[2]
ATTACKER, OWNER = "203.0.113.7", "10.0.0.5"
PARALLEL, LIMIT = 20, 5


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _request(port, method, path, body=None, forwarded_for=None):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    headers = {"Content-Type": "application/json"} if body is not None else {}
    if forwarded_for:
        headers["X-Forwarded-For"] = forwarded_for
    conn.request(method, path, body=json.dumps(body) if body is not None else None, headers=headers)
    resp = conn.getresponse()
    status, retry_after = resp.status, resp.getheader("Retry-After")
    resp.read()
    conn.close()
    return status, retry_after


@pytest.fixture
def served(database, app, net, tmp_path):
    """gunicorn, 4 sync workers (the production command's default kind), production settings, counters in the
    database (no Redis configured; the Redis counters are shared between app instances in test_throttle.py)."""
    port = _free_port()
    env = {k: v for k, v in os.environ.items()
           if k not in ("THROTTLE_REDIS_URL", "REDIS_URL", "TEST_DATABASE_URL")}
    env.update({
        "COUNTY_NET_CONFIG": "production", "SESSION_COOKIE_SECURE": "0",
        "SECRET_KEY": "s" * 32, "AUDIT_HMAC_KEY": "a" * 32, "DATA_ENCRYPTION_KEY": "d" * 32,
        "LOOKUP_HMAC_KEY": "l" * 32, "DATABASE_URL": database.app_url,
        "RLS_SCOPE_KEY": config.TestingConfig.RLS_SCOPE_KEY,  # the copy in the database under test
        "COUNTY_NET_INSTANCE": str(tmp_path / "instance"), "PROXY_FIX_X_FOR": "1",
        "PYTHONPATH": str(ROOT),
        # Five failures for one account from one address. A day's window rather than the default minute's,
        # so the burst cannot straddle two windows; LOGIN_LIMIT_ACCOUNT is the same figure under the name the
        # old limiter read (per account, per worker).
        "LOGIN_LIMIT_ACCOUNT_ADDRESS": f"{LIMIT} per day", "LOGIN_LIMIT_ACCOUNT": f"{LIMIT} per day",
    })
    log_path = tmp_path / "gunicorn.log"
    with open(log_path, "wb") as log:
        proc = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "--workers", "4", "--worker-class", "sync", "--timeout", "60",
             "--graceful-timeout", "5", "--bind", f"127.0.0.1:{port}", "wsgi:app"],
            cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
            start_new_session=True)
    try:
        deadline = time.monotonic() + 90
        while True:
            assert proc.poll() is None, log_path.read_text(errors="replace")[-3000:]
            try:
                if _request(port, "GET", "/login")[0] == 200:
                    break
            except OSError:
                pass
            assert time.monotonic() < deadline, "gunicorn did not answer:\n" + log_path.read_text(errors="replace")
            time.sleep(0.3)
        yield port
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=5)


def test_parallel_wrong_passwords_across_four_workers_are_counted_once(served, database):
    port = served
    start = threading.Barrier(PARALLEL)
    clear_of_minute_edge()  # the server counts on the real clock: all twenty land in one minute

    def attempt(_):
        start.wait()
        return _request(port, "POST", "/api/v1/auth/token", {"username": "t1_recv", "password": "wrong-password-1"},
                        forwarded_for=ATTACKER)

    with ThreadPoolExecutor(PARALLEL) as pool:
        results = list(pool.map(attempt, range(PARALLEL)))
    statuses = sorted(status for status, _ in results)
    assert statuses == [401] * LIMIT + [429] * (PARALLEL - LIMIT), {s: statuses.count(s) for s in set(statuses)}
    assert all(retry and int(retry) >= 1 for status, retry in results if status == 429)

    engine = database.owner_engine()
    with engine.connect() as conn:
        failed = conn.scalar(sa.text("SELECT count(*) FROM audit_records WHERE action = 'login.failed'"))
    engine.dispose()
    assert failed == LIMIT  # a refused attempt never reached the password check

    # The attacker's address stays refused, even with the right password; the owner's desk is not.
    assert _request(port, "POST", "/api/v1/auth/token", {"username": "t1_recv", "password": PASSWORD},
                    forwarded_for=ATTACKER)[0] == 429
    assert _request(port, "POST", "/api/v1/auth/token", {"username": "t1_recv", "password": PASSWORD},
                    forwarded_for=OWNER)[0] == 201
