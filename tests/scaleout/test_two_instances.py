"""Issue 14, point 7: the service keeps no state of its own. Two gunicorn instances on different ports (as on
two hosts behind one load balancer) share one database, and one Redis when configured: a session made on one
works on the other; a logout, a disabled user and a role change on one take effect on the other's next
request; wrong passwords split across both are counted once; a periodic job started on both at once runs
once. On PostgreSQL, as CI runs it; on SQLite (two instances on one database file, one host) too."""
from __future__ import annotations

import time
import uuid
from contextlib import contextmanager

import pytest
import sqlalchemy as sa

from county_net.jobs.lock import NAMESPACE, lock_key
from tests.conftest import CSRF_RE, PASSWORD
from tests.petitions.helpers import Api
from tests.served import Visitor, flask_command, gunicorn, production_env

LIMIT = 5
ATTACKER = "203.0.113.9"
REDIS_URL = "redis://127.0.0.1:6379/0"


@contextmanager
def _two_instances(database, tmp_path, **settings):
    """Instances A and B: gthread, 2 workers x 2 threads each (the deployed kind, smaller), each with its own
    instance folder (nothing on disk is shared but the database)."""
    env = {name: production_env(database, tmp_path / f"instance-{name}", **settings) for name in ("a", "b")}
    kind = {"workers": 2, "worker_class": "gthread", "threads": 2}
    with gunicorn(env["a"], tmp_path / "a.log", **kind) as a, gunicorn(env["b"], tmp_path / "b.log", **kind) as b:
        yield a, b


@pytest.fixture
def pair(database, app, net, tmp_path):
    with _two_instances(database, tmp_path) as ports:
        yield ports


def _web_login(visitor: Visitor, port: int, username: str) -> None:
    page = visitor.call(port, "GET", "/login")
    token = CSRF_RE.search(page.text).group(1)
    answer = visitor.call(port, "POST", "/login", form={"username": username, "password": PASSWORD,
                                                        "csrf_token": token})
    assert answer.status == 302, answer.text[:500]


def _token(port: int, username: str) -> dict:
    answer = Visitor().call(port, "POST", "/api/v1/auth/token", body={"username": username, "password": PASSWORD})
    assert answer.status == 201, answer.text
    return {"Authorization": f"Bearer {answer.json()['token']}"}


def _me(port: int, headers: dict):
    return Visitor().call(port, "GET", "/api/v1/me", headers=headers)


def test_a_session_made_on_one_instance_works_on_the_other_and_a_logout_ends_it_on_both(pair):
    a, b = pair
    browser = Visitor()
    _web_login(browser, a, "t1_recv")
    assert browser.call(b, "GET", "/account").status == 200  # the cookie made on A, served by B
    before_logout = dict(browser.cookies)

    account = browser.call(a, "GET", "/account")
    assert browser.call(a, "POST", "/logout", form={"csrf_token": CSRF_RE.search(account.text).group(1)}).status == 302
    # The cookie as it was before the logout (another tab, a copy) no longer opens anything on B.
    stale = Visitor()
    stale.cookies = before_logout
    answer = stale.call(b, "GET", "/account")
    assert answer.status == 302 and "/login" in answer.headers["Location"]

    headers = _token(a, "t1_recv")
    me = _me(b, headers)
    assert me.status == 200 and me.json()["username"] == "t1_recv"
    assert Visitor().call(b, "DELETE", "/api/v1/auth/token", headers=headers).status == 204
    assert _me(a, headers).status == 401


def test_a_disabled_user_and_a_role_change_take_effect_on_the_other_instance(pair, net):
    a, b = pair
    admin = _token(a, "admin")

    def change(user: str, path: str, method: str, **body):
        current = Visitor().call(a, "GET", f"/api/v1/users/{net.users[user]}", headers=admin).json()
        answer = Visitor().call(a, method, path.format(id=net.users[user]), headers=admin,
                                body={"version": current["version"], **body})
        assert answer.status == 200, answer.text

    # Disabled on A: the user's token and browser on B end with their next request.
    token = _token(b, "t2_recv")
    browser = Visitor()
    _web_login(browser, b, "t2_recv")
    assert _me(b, token).status == 200 and browser.call(b, "GET", "/account").status == 200
    change("t2_recv", "/api/v1/users/{id}/disable", "POST")
    assert _me(b, token).status == 401
    assert browser.call(b, "GET", "/account").status == 302

    # A role change on A: B's next request no longer carries the old roles.
    token = _token(b, "t1_recv")
    assert _me(b, token).json()["roles"] == ["receptionist"]
    change("t1_recv", "/api/v1/users/{id}", "PATCH", roles=["head"])
    assert _me(b, token).status == 401
    assert _me(b, _token(b, "t1_recv")).json()["roles"] == ["head"]


def _wrong_passwords_alternating(a: int, b: int, attempts: int) -> list[tuple[str, int]]:
    out = []
    for i in range(attempts):
        port, name = (a, "A") if i % 2 == 0 else (b, "B")
        answer = Visitor(forwarded_for=ATTACKER).call(port, "POST", "/api/v1/auth/token",
                                                      body={"username": "t1_recv", "password": "wrong-password-1"})
        out.append((name, answer.status))
    return out


@pytest.mark.parametrize("counters", ["database", "redis"])
def test_wrong_passwords_split_across_the_instances_reach_the_limit_at_the_same_total(database, app, net, tmp_path,
                                                                                      counters):
    settings = {"LOGIN_LIMIT_ACCOUNT_ADDRESS": f"{LIMIT} per day"}  # a day: no window edge within the test
    prefix = f"county_net:test-scaleout:{uuid.uuid4().hex}:"
    if counters == "redis":
        settings.update(THROTTLE_REDIS_URL=REDIS_URL, THROTTLE_REDIS_PREFIX=prefix)
    try:
        with _two_instances(database, tmp_path, **settings) as (a, b):
            results = _wrong_passwords_alternating(a, b, LIMIT + 3)
    finally:
        if counters == "redis":
            import redis

            client = redis.Redis.from_url(REDIS_URL)
            for key in client.scan_iter(match=prefix + "*"):
                client.delete(key)
            client.close()
    assert [status for _, status in results] == [401] * LIMIT + [429] * 3, results
    assert {name for name, status in results if status == 401} == {"A", "B"}  # both took part in the five
    assert {name for name, status in results if status == 429} == {"A", "B"}  # and both refuse the rest


@contextmanager
def _job_made_to_wait(database):
    """Holds what the deadline sweep needs first, so whichever runner takes the job's lock waits inside the
    job, holding the lock, until this block ends. PostgreSQL: the petitions table; SQLite: the write lock."""
    if database.kind == "postgresql":
        engine = database.owner_engine()
        with engine.connect() as conn:
            conn.execute(sa.text("LOCK TABLE petitions IN ACCESS EXCLUSIVE MODE"))
            yield engine
            conn.rollback()
        engine.dispose()
    else:
        import sqlite3

        conn = sqlite3.connect(str(database.path), isolation_level=None)
        conn.execute("BEGIN IMMEDIATE")
        try:
            yield None
        finally:
            conn.execute("ROLLBACK")
            conn.close()


def _first_to_finish(runners, seconds: float = 90):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        done = [r for r in runners if r.poll() is not None]
        if done:
            return done[0]
        time.sleep(0.1)
    raise AssertionError("neither runner finished")


def test_the_sweep_started_on_two_hosts_at_the_same_moment_runs_once(database, app, net, api_token, tmp_path):
    Api(app, api_token).register("t1_recv")  # one open matter: the run that does the work says so
    hosts = [production_env(database, tmp_path / f"host-{name}") for name in ("a", "b")]
    commands = [("jobs", "run", "deadline-sweep"), ("petitions", "sweep")]  # the timer's and an operator's
    runners = []
    try:
        with _job_made_to_wait(database) as owner:
            runners = [flask_command(env, *command) for env, command in zip(hosts, commands)]
            loser = _first_to_finish(runners)
            winner = next(r for r in runners if r is not loser)
            said = loser.stdout.read()
            assert loser.returncode == 0, said
            assert "定时任务「deadline-sweep」已在其他进程或主机上运行，本次不执行。" in said
            assert winner.poll() is None  # still inside the job, holding its lock
            if owner is not None:
                with owner.connect() as conn:
                    held = conn.scalar(sa.text(
                        "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND granted "
                        "AND classid = :ns AND objid::bigint = :key AND objsubid = 2"),
                        {"ns": NAMESPACE, "key": lock_key("deadline-sweep") & 0xFFFFFFFF})
                assert held == 1
        winner.wait(timeout=90)
        worked = winner.stdout.read()
        assert winner.returncode == 0, worked
    finally:
        for runner in runners:
            if runner.poll() is None:
                runner.kill()
                runner.wait()
    did_work = ("deadlines: 1 checked", "检查 1 件在办事项")
    assert any(line in worked for line in did_work), worked
    assert not any(line in said for line in did_work), said

    # The lock went with the winner: the next run on either host does the job again.
    again = flask_command(hosts[1], *commands[0])
    assert again.wait(timeout=90) == 0
    assert "deadlines: 1 checked" in again.stdout.read()


def test_a_unit_moved_in_the_tree_moves_the_scope_on_both_instances_at_once(pair, database, app, net, api_token):
    """E2 moves from 西镇 (T2) to 东镇 (T1) while both instances hold the old scope in their caches (each of their
    workers warmed by several requests): the next request on either sees the new tree, for the unit that
    gained E2 and for the unit that lost it, for the unit and for a matter E2 holds. Then back again."""
    a, b = pair
    e2, t1, t2 = net.units["E2"], net.units["T1"], net.units["T2"]
    api = Api(app, api_token)
    held = api.act("c_recv", api.register("c_recv"), "transfer", to_unit_id=e2)
    tokens = {user: _token(a, user) for user in ("t1_recv", "t2_recv")}
    paths = (f"/api/v1/units/{e2}", f"/api/v1/petitions/{held['id']}")

    def sees(port, user):
        return [Visitor().call(port, "GET", path, headers=tokens[user]).status for path in paths]

    def move(parent):
        engine = database.owner_engine()
        with engine.begin() as conn:
            conn.execute(sa.text("UPDATE units SET parent_id = :p, path = (SELECT path FROM units WHERE id = :p) "
                                 "|| :me WHERE id = :e2"), {"p": parent, "e2": e2, "me": f"{e2}/"})
        engine.dispose()

    for _ in range(4):  # every worker and thread of both instances has served both users under the old tree
        for port in (a, b):
            assert sees(port, "t2_recv") == [200, 200] and sees(port, "t1_recv") == [404, 404], port
    move(t1)
    for port in (a, b):
        assert sees(port, "t1_recv") == [200, 200] and sees(port, "t2_recv") == [404, 404], port
    move(t2)
    for port in (b, a):
        assert sees(port, "t2_recv") == [200, 200] and sees(port, "t1_recv") == [404, 404], port
