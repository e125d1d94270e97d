"""Signed checkpoints kept outside the database: rows deleted from the end of the audit table are noticed."""
import json
import logging
import multiprocessing
import threading
from pathlib import Path

import pytest
import sqlalchemy as sa

from county_net.audit import checkpoints
from county_net.audit import services as audit
from county_net.audit.models import AuditRecord
from county_net.extensions import db
from county_net.tenancy import system_scope
from tests.audit.test_audit import _as_attacker, _grow_chain
from tests.conftest import PASSWORD, make_app


def _lines(app) -> list[str]:
    path = checkpoints.checkpoint_file(app)
    return path.read_text().splitlines() if path.exists() else []


def _verify(app, *args):
    return app.test_cli_runner().invoke(args=["audit", "verify", *args])


def _head(app) -> int:
    with app.app_context(), system_scope("test"):
        seq = db.session.scalar(sa.select(sa.func.max(AuditRecord.seq))) or 0
        db.session.remove()
    return seq


@pytest.mark.parametrize("deleted", ["1", "10", "all"])
def test_rows_deleted_from_the_end_after_a_checkpoint_are_detected(app, net, database, api_token, login, deleted):
    admin, web = api_token("admin"), login("admin")  # log in before the attack: reading the verdict appends nothing
    _grow_chain(app, 12)
    top = _head(app)
    assert json.loads(_lines(app)[-1])["seq"] == top  # the commit left a checkpoint of its head
    ok = _verify(app)
    assert ok.exit_code == 0 and "审计链完整" in ok.output and f"与检查点一致（第 {top} 条" in ok.output

    keep = 0 if deleted == "all" else top - int(deleted)
    _as_attacker(database, "DELETE FROM audit_records WHERE seq > :keep", {"keep": keep})

    result = _verify(app)
    assert result.exit_code == 1
    held = f"表中只到第 {keep} 条" if keep else "表中已没有记录"
    assert f"审计链末尾的记录被删除：检查点记录到第 {top} 条" in result.output and held in result.output
    # The admin's page and API say the same.
    body = app.test_client().get("/api/v1/audit/verify", headers=admin).get_json()
    assert body["ok"] is False and body["checkpoint_seq"] == top and body["broken_seq"] == keep + 1
    assert "审计链末尾的记录被删除" in body["summary"]
    page = web.get("/audit?verify=1").get_data(as_text=True)
    assert "flash-danger" in page and f"检查点记录到第 {top} 条" in page


def test_rows_deleted_and_written_again_do_not_match_the_checkpoints(app, net, database):
    """Cutting the end and letting new activity refill those numbers leaves a chain that links, but its rows at the
    checkpointed numbers are not the rows the checkpoints saw."""
    for _ in range(6):
        _grow_chain(app, 1)  # one commit, one checkpoint each
    top = _head(app)
    _as_attacker(database, "DELETE FROM audit_records WHERE seq > :keep", {"keep": top - 3})
    _grow_chain(app, 5)  # the service appends from the shortened head on, with valid HMACs
    result = _verify(app)
    assert result.exit_code == 1
    assert f"审计链在第 {top - 2} 条处断开" in result.output and "检查点不符" in result.output


def test_verify_passes_on_an_intact_chain_and_writes_nothing(app, net):
    _grow_chain(app, 3)
    before = checkpoints.checkpoint_file(app).read_bytes()
    for _ in range(2):
        result = _verify(app)
        assert result.exit_code == 0, result.output
        assert f"与检查点一致（第 {_head(app)} 条" in result.output
    assert checkpoints.checkpoint_file(app).read_bytes() == before


def test_a_forged_or_altered_checkpoint_line_is_refused(app, net):
    _grow_chain(app, 3)
    top = _head(app)
    path = checkpoints.checkpoint_file(app)
    genuine = json.loads(_lines(app)[-1])
    # Someone without the audit key claims a longer chain, and edits a genuine line.
    forged = checkpoints.Checkpoint(top + 50, "a" * 64, genuine["at"], genuine["db"]).signed(b"a guessed key").line()
    altered = json.dumps({**genuine, "seq": top + 5}) + "\n"
    with open(path, "a") as fh:
        fh.write(forged + altered)
    result = _verify(app)
    assert result.exit_code == 1
    assert result.output.count("签名无效（检查点被伪造或改动），已拒绝") == 2
    assert "末尾的记录被删除" not in result.output  # the forged heads are not believed either


def test_checkpoints_of_another_database_in_the_same_file_are_set_aside(app, net):
    """A benchmark or a second service sharing the instance folder writes its own heads into the same file."""
    _grow_chain(app, 2)
    top = _head(app)
    with app.app_context():
        elsewhere = checkpoints.Checkpoint(top + 40, "b" * 64, "2026-11-30T00:00:00+00:00", "another-database")
        checkpoints.append_line(checkpoints.checkpoint_file(app), elsewhere.signed(checkpoints.key()).line())
    result = _verify(app)
    assert result.exit_code == 0, result.output
    assert f"与检查点一致（第 {top} 条" in result.output and "另有 1 条属于其他数据库" in result.output


def test_a_rolled_back_transaction_leaves_no_checkpoint(app, net):
    _grow_chain(app, 2)
    before = _lines(app)
    with app.app_context(), system_scope("test"):
        audit.record("test.event", actor_name="tester", detail={"rolled": "back"})
        db.session.rollback()
        # A savepoint that is rolled back inside a transaction that commits.
        with db.session.begin_nested():
            audit.record("test.event", actor_name="tester", detail={"savepoint": 1})
        savepoint = db.session.begin_nested()
        audit.record("test.event", actor_name="tester", detail={"savepoint": 2})
        savepoint.rollback()
        db.session.commit()
        # A session closed with records flushed but not committed.
        audit.record("test.event", actor_name="tester", detail={"closed": True})
        db.session.close()
        db.session.execute(sa.select(1))
        db.session.commit()
        db.session.remove()
    seen = [json.loads(line)["seq"] for line in _lines(app)]
    assert seen[:len(before)] == [json.loads(line)["seq"] for line in before]
    assert all(seq <= _head(app) for seq in seen)  # nothing anchors a row that was never committed
    result = _verify(app)
    assert result.exit_code == 0, result.output


def _append_many(path: str, key: bytes, worker: int, count: int) -> None:
    failed = []

    def run(thread: int):
        try:
            for i in range(count):
                seq = worker * 100_000 + thread * 10_000 + i + 1
                checkpoint = checkpoints.Checkpoint(seq, f"{seq:064x}", "2026-11-30T00:00:00+00:00", "test")
                checkpoints.append_line(Path(path), checkpoint.signed(key).line())
        except Exception as exc:
            failed.append(exc)

    threads = [threading.Thread(target=run, args=(t,)) for t in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    if failed:
        raise SystemExit(repr(failed))


def test_several_processes_and_threads_append_whole_lines(app, tmp_path):
    path = tmp_path / "audit-checkpoints.log"
    with app.app_context():
        key = checkpoints.key()
        db.engine.dispose()  # no database connection is carried into the children
    fork = multiprocessing.get_context("fork")
    workers = [fork.Process(target=_append_many, args=(str(path), key, w, 1000)) for w in range(4)]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    assert [w.exitcode for w in workers] == [0] * 4
    with app.app_context():
        found = checkpoints.read(path, database=None)
    assert found.problems == []
    assert len(found.by_seq) == len(path.read_text().splitlines()) == 4 * 3 * 1000


def test_the_cron_command_anchors_the_head_once(app, net):
    _grow_chain(app, 2)
    checkpoints.checkpoint_file(app).unlink()
    runner = app.test_cli_runner()
    first = runner.invoke(args=["audit", "checkpoint"])
    assert first.exit_code == 0 and f"已写入检查点：第 {_head(app)} 条" in first.output
    second = runner.invoke(args=["audit", "checkpoint"])
    assert second.exit_code == 0 and "检查点已是最新" in second.output
    assert len(_lines(app)) == 1


def test_checkpoints_are_spaced_by_the_settings(app, net):
    state = app.extensions["audit_checkpoints"]
    app.config.update(AUDIT_CHECKPOINT_EVERY_RECORDS=4, AUDIT_CHECKPOINT_EVERY_SECONDS=3600)
    try:
        state.records, state.last_at = 0, None
        _grow_chain(app, 1)  # a worker's first commit always writes one
        first = len(_lines(app))
        counts = []
        for _ in range(4):
            _grow_chain(app, 1)
            counts.append(len(_lines(app)) - first)
        assert counts == [0, 0, 0, 1]  # the fourth record since the last checkpoint writes the next
        assert _verify(app).exit_code == 0
    finally:
        app.config.update(AUDIT_CHECKPOINT_EVERY_RECORDS=1, AUDIT_CHECKPOINT_EVERY_SECONDS=60)
        state.records, state.last_at = 0, None


def test_the_application_log_keeps_a_copy_that_verify_can_read(app, net, database, tmp_path, caplog):
    caplog.set_level(logging.INFO, logger="county_net.audit.checkpoint")
    _grow_chain(app, 4)
    top = _head(app)
    log = tmp_path / "app.log"
    log.write_text("".join(f"2026-11-30 08:00:00 INFO {r.name}: {r.getMessage()}\n" for r in caplog.records)
                   + "2026-11-30 08:00:01 INFO gunicorn: unrelated line\n")
    # The attacker also removes the checkpoint file on the host; the log shipped elsewhere still has them.
    checkpoints.checkpoint_file(app).unlink()
    _as_attacker(database, "DELETE FROM audit_records WHERE seq > :keep", {"keep": top - 2})
    assert _verify(app).exit_code == 0  # no file: nothing to hold the table against
    result = _verify(app, "--from-log", str(log))
    assert result.exit_code == 1 and f"检查点记录到第 {top} 条" in result.output


@pytest.fixture
def other_app(database):
    """Another app on the same database with settings of its own (sinks are chosen at start)."""
    made = []

    def _make(**settings):
        made.append(make_app(database, **settings))
        return made[-1]

    yield _make
    for application in made:
        with application.app_context():
            db.engine.dispose()  # the next test's fresh copy of the file must find no connection open on it


collected = []


def collect(checkpoint):
    collected.append(checkpoint)


def explode(checkpoint):
    raise ConnectionError("syslog unreachable")


def test_an_extra_sink_gets_every_checkpoint(other_app, net):
    other = other_app(AUDIT_CHECKPOINT_SINK="tests.audit.test_checkpoints:collect", AUDIT_CHECKPOINT_FILE="")
    collected.clear()
    _grow_chain(other, 2)
    assert [c.seq for c in collected] == [_head(other)] and collected[0].kind == "head"
    with other.app_context():
        assert collected[0].valid(checkpoints.key())


def test_a_checkpoint_that_cannot_be_written_does_not_fail_the_request(other_app, net, tmp_path, caplog):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("")
    other = other_app(AUDIT_CHECKPOINT_SINK="tests.audit.test_checkpoints:explode",
                      AUDIT_CHECKPOINT_FILE=str(blocker / "audit-checkpoints.log"))
    other.config["WTF_CSRF_ENABLED"] = False
    caplog.set_level(logging.INFO, logger="county_net.audit.checkpoint")
    response = other.test_client().post("/login", data={"username": "admin", "password": PASSWORD})
    assert response.status_code == 302  # logged in; the login's audit record is committed
    errors = [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR]
    assert any("检查点文件" in e for e in errors) and any("syslog unreachable" in e for e in errors)
    with other.app_context(), system_scope("test"):
        assert db.session.scalar(sa.select(sa.func.count()).where(AuditRecord.action == "login")) == 1
        db.session.remove()


def test_a_bad_sink_setting_stops_the_start():
    # checkpoints.init_app resolves the setting while the app is built, so a typo fails at start, not per request.
    for wrong in ("tests.audit.test_checkpoints", "tests.audit.test_checkpoints:collected", "no_such_module:sink"):
        with pytest.raises((RuntimeError, ImportError)):
            checkpoints._load_sink(wrong)
