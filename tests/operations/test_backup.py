"""The backup and restore drill: a backup restored into an empty database gives the same rows, the same numbering,
the attachments and an audit chain that verifies against its checkpoints."""
import hashlib
import json
import tarfile

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import make_url

from county_net.extensions import db
from tests.conftest import PASSWORD, DatabaseUnderTest, make_app
from tests.petitions.helpers import Api, id_number


def _second_postgres_database(database: DatabaseUnderTest):
    """<test database>_restore, made empty for the test and dropped after it; the service's role connects to it."""
    name = make_url(database.owner_url).database + "_restore"
    admin = sa.create_engine(database.owner_url, isolation_level="AUTOCOMMIT", poolclass=sa.pool.NullPool)

    def run(statement: str):
        with admin.connect() as conn:
            conn.execute(sa.text(statement))

    def on(url: str) -> str:
        return make_url(url).set(database=name).render_as_string(hide_password=False)

    run(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    run(f'CREATE DATABASE "{name}"')
    try:
        yield DatabaseUnderTest("postgresql", on(database.app_url), on(database.owner_url))
    finally:
        run(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.dispose()


@pytest.fixture
def empty_target(database, tmp_path):
    """An empty database for the restore: a second PostgreSQL database, or a new SQLite file."""
    if database.kind == "postgresql":
        yield from _second_postgres_database(database)
    else:
        url = f"sqlite:///{tmp_path / 'restored.sqlite3'}"
        yield DatabaseUnderTest("sqlite", url, url)


@pytest.fixture
def restored_app(empty_target, tmp_path):
    """The service started on the empty database, with a checkpoint file and attachment folder of its own."""
    application = make_app(empty_target, AUDIT_CHECKPOINT_FILE=str(tmp_path / "restored-checkpoints.log"),
                           ATTACHMENT_DIR=str(tmp_path / "restored-attachments"))
    yield application
    with application.app_context():
        db.session.remove()
        db.engine.dispose()


def _everything(url: str) -> dict[str, list]:
    """Every table's rows, read as the owner (past RLS), in a stable order."""
    engine = sa.create_engine(url, poolclass=sa.pool.NullPool)
    try:
        with engine.connect() as conn:
            names = sa.inspect(conn).get_table_names()
            return {name: sorted((dict(row) for row in conn.execute(sa.text(f'SELECT * FROM "{name}"')).mappings()),
                                 key=lambda row: repr(tuple(row.values())))
                    for name in names}
    finally:
        engine.dispose()


def _token(application, username: str) -> dict:
    resp = application.test_client().post("/api/v1/auth/token", json={"username": username, "password": PASSWORD})
    assert resp.status_code == 201, resp.get_json()
    return {"Authorization": f"Bearer {resp.get_json()['token']}"}


def test_a_backup_restored_into_an_empty_database_is_the_same(app, net, api_token, database, empty_target,
                                                              restored_app, tmp_path):
    api = Api(app, api_token)
    first = api.register("c_recv")
    api.register("c_recv", petitioners=[{"name": "李某华", "id_number": id_number(2), "phone": "13900002222"}])
    api.register("c_recv", nature="accusation", accused_unit_id=net.units["T1"], summary="反映东镇干部问题线索。")
    api.upload("c_recv", first["id"])
    assert api.get("admin", "/api/v1/audit/verify").get_json()["ok"] is True

    backup = tmp_path / "drill.tar"
    made = app.test_cli_runner().invoke(args=["backup", str(backup)])
    assert made.exit_code == 0, made.output
    with tarfile.open(backup) as tar:
        names = tar.getnames()
        manifest = json.loads(tar.extractfile("manifest.json").read())
    assert {"manifest.json", "audit-checkpoints.log"} <= set(names)
    assert ("database.dump" if database.kind == "postgresql" else "database.sqlite3") in names
    assert any(n.startswith("attachments/") for n in names) and manifest["attachments"] >= 1
    assert any("AUDIT_HMAC_KEY" in line for line in manifest["not_included"])  # keys are never in a backup

    before = _everything(database.owner_url)
    runner = restored_app.test_cli_runner()
    result = runner.invoke(args=["restore", str(backup)])
    assert result.exit_code == 0, result.output
    assert "审计链完整" in result.output and "与检查点一致" in result.output

    # The same rows, table by table (the restore's own audit record aside).
    after = _everything(empty_target.owner_url)
    assert after.keys() == before.keys()
    restored_audit = after.pop("audit_records")
    assert [r["action"] for r in restored_audit].count("system.restored") == 1
    assert [r for r in restored_audit if r["action"] != "system.restored"] == before.pop("audit_records")
    for table, rows in before.items():
        assert after[table] == rows, table

    # The attachment files came back, byte for byte.
    with restored_app.app_context():
        from county_net.petitions.attachments import path_for
        from county_net.petitions.models import PetitionAttachment
        from county_net.tenancy import system_scope

        with system_scope("test"):
            stored = db.session.execute(sa.select(PetitionAttachment.storage_key, PetitionAttachment.sha256)).all()
            assert stored and all(hashlib.sha256(path_for(k).read_bytes()).hexdigest() == h for k, h in stored)
        db.session.remove()

    # The numbering continues without a gap: the next matter on the restored service takes the next number.
    restored_api = Api(restored_app, lambda user: _token(restored_app, user))
    numbers = sorted(p["number"] for p in restored_api.get("c_recv", "/api/v1/petitions").get_json()["items"])
    nxt = restored_api.register("c_recv")
    original_next = api.register("c_recv")
    assert nxt["number"] == original_next["number"] and nxt["number"] not in numbers

    # The restored chain, with the logins and registration since, verifies against the restored service's
    # checkpoints (a restore line, then the new heads).
    lines = [json.loads(line) for line in (tmp_path / "restored-checkpoints.log").read_text().splitlines()]
    assert lines[0]["kind"] == "restore" and lines[-1]["kind"] == "head" and lines[-1]["seq"] > lines[0]["seq"]
    check = runner.invoke(args=["audit", "verify"])
    assert check.exit_code == 0 and f"与检查点一致（第 {lines[-1]['seq']} 条" in check.output, check.output


def test_restore_refuses_a_database_that_is_not_empty(app, net, restored_app, tmp_path):
    backup = tmp_path / "drill.tar"
    assert app.test_cli_runner().invoke(args=["backup", str(backup)]).exit_code == 0
    runner = restored_app.test_cli_runner()
    assert runner.invoke(args=["restore", str(backup)]).exit_code == 0
    token = _token(restored_app, "admin")  # something happens on the restored service
    again = runner.invoke(args=["restore", str(backup)])
    assert again.exit_code == 1 and "目标数据库不是空的" in again.output and "--force" in again.output
    assert restored_app.test_client().get("/api/v1/me", headers=token).status_code == 200  # untouched

    forced = runner.invoke(args=["restore", "--force", str(backup)])
    assert forced.exit_code == 0, forced.output
    assert "审计链完整" in forced.output
    assert restored_app.test_client().get("/api/v1/me", headers=token).status_code == 401  # that session is gone


def test_a_file_that_is_not_a_backup_is_refused(restored_app, tmp_path):
    stray = tmp_path / "stray.tar"
    with tarfile.open(stray, "w") as tar:
        tar.add(__file__, "../../etc/evil")
    result = restored_app.test_cli_runner().invoke(args=["restore", str(stray)])
    assert result.exit_code == 1 and "不是 county_net 的备份" in result.output


@pytest.mark.postgres_only
def test_pg_dump_needs_a_role_that_bypasses_row_level_security(app, net, database, tmp_path):
    """pg_dump turns row security off and stops at a table whose policies apply to it: the service's role (and an
    owner under FORCE) cannot back up; a read-only role with BYPASSRLS can."""
    app.config["BACKUP_DATABASE_URL"] = database.app_url
    try:
        refused = app.test_cli_runner().invoke(args=["backup", str(tmp_path / "app-role.tar")])
        assert refused.exit_code == 1 and "受行级安全（RLS）约束" in refused.output and "BYPASSRLS" in refused.output
        assert not (tmp_path / "app-role.tar").exists()

        owner = sa.create_engine(database.owner_url, isolation_level="AUTOCOMMIT", poolclass=sa.pool.NullPool)
        with owner.connect() as conn:
            conn.execute(sa.text(  # roles are shared by the cluster: another run may create it at the same time
                "DO $$ BEGIN CREATE ROLE county_net_backup_test LOGIN BYPASSRLS NOSUPERUSER; "
                "EXCEPTION WHEN duplicate_object THEN NULL; END $$"))
            conn.execute(sa.text("GRANT pg_read_all_data TO county_net_backup_test"))
        owner.dispose()
        app.config["BACKUP_DATABASE_URL"] = make_url(database.owner_url).set(
            username="county_net_backup_test", password=None).render_as_string(hide_password=False)
        made = app.test_cli_runner().invoke(args=["backup", str(tmp_path / "reader.tar")])
        assert made.exit_code == 0, made.output
    finally:
        app.config["BACKUP_DATABASE_URL"] = None
