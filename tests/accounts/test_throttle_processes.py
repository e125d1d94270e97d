"""Issue 9, point 3, under real processes: the product served by gunicorn with 4 workers (production settings)
on this run's database file or PostgreSQL database. 20 parallel wrong passwords for one account from one
address: 5 are checked (401), 15 refused (429), whichever worker took them; and the owner, from another
address, still logs in. With counters kept in each worker's memory up to 20 got through."""
import http.client
import json
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
import sqlalchemy as sa

from tests.conftest import PASSWORD, clear_of_minute_edge
from tests.served import gunicorn, production_env

ATTACKER, OWNER = "203.0.113.7", "10.0.0.5"
PARALLEL, LIMIT = 20, 5


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
    """gunicorn, 4 sync workers (a process each: every request may meet another worker), production settings,
    counters in the database (no Redis configured; the Redis counters are shared between app instances in
    test_throttle.py)."""
    env = production_env(
        database, tmp_path / "instance",
        # Five failures for one account from one address. A day's window rather than the default minute's,
        # so the burst cannot straddle two windows; LOGIN_LIMIT_ACCOUNT is the same figure under the name the
        # old limiter read (per account, per worker).
        LOGIN_LIMIT_ACCOUNT_ADDRESS=f"{LIMIT} per day", LOGIN_LIMIT_ACCOUNT=f"{LIMIT} per day")
    with gunicorn(env, tmp_path / "gunicorn.log", workers=4) as port:
        yield port


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
