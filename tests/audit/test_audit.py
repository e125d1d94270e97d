"""The audit log: who did what, append-only, and tampering is detected."""
import json

import pytest
import sqlalchemy as sa

from county_net.audit.models import AuditRecord
from county_net.audit.services import verify_chain
from county_net.extensions import db
from county_net.tenancy import system_scope
from tests.conftest import Browser


def _actions(app):
    with app.app_context(), system_scope("test"):
        rows = db.session.execute(sa.select(AuditRecord.action, AuditRecord.actor_name, AuditRecord.client_addr)
                                  .order_by(AuditRecord.seq)).all()
        db.session.remove()
    return rows


def test_security_events_are_recorded(app, net, login, api_token):
    Browser(app.test_client()).login("t1_recv", "wrong-password-1")
    web = login("t1_recv")
    web.post("/logout", form_page="/")
    headers = api_token("admin")
    app.test_client().post(f"/api/v1/users/{net.users['t2_recv']}/disable", json={"version": 1}, headers=headers)
    app.test_client().patch(f"/api/v1/users/{net.users['t2_head']}", json={"version": 1, "roles": ["head", "receptionist"]},
                            headers=headers)
    rows = _actions(app)
    actions = [r.action for r in rows]
    for expected in ("tenants.sync", "login.failed", "login", "logout", "user.disabled", "user.updated"):
        assert expected in actions
    failed = rows[actions.index("login.failed")]
    assert failed.actor_name == "t1_recv" and failed.client_addr == "127.0.0.1"
    with app.app_context():
        result = verify_chain()
        assert result.ok and result.checked == len(rows)


def test_the_service_cannot_update_or_delete_audit_rows(app, net):
    with app.app_context():
        with pytest.raises(sa.exc.DBAPIError):
            db.session.execute(sa.text("UPDATE audit_records SET action = 'x'"))
        db.session.rollback()
        with pytest.raises(sa.exc.DBAPIError):
            db.session.execute(sa.text("DELETE FROM audit_records"))
        db.session.rollback()
        db.session.remove()


def _as_attacker(database, statement: str, params: dict):
    """Someone with the database owner's rights edits the table behind the service's back."""
    engine = database.owner_engine()
    with engine.begin() as conn:
        if database.kind == "sqlite":
            conn.execute(sa.text("DROP TRIGGER audit_records_no_update"))
            conn.execute(sa.text("DROP TRIGGER audit_records_no_delete"))
        else:
            conn.execute(sa.text("ALTER TABLE audit_records DISABLE TRIGGER audit_records_append_only"))
        conn.execute(sa.text(statement), params)
    engine.dispose()


def _grow_chain(app, n=5):
    from county_net.audit import services as audit

    with app.app_context(), system_scope("test"):
        for i in range(n):
            audit.record("test.event", actor_name="tester", detail={"i": i})
        db.session.commit()
        db.session.remove()


@pytest.mark.parametrize("how", ["edit", "delete", "rehash_without_key"])
def test_tampering_is_detected(app, net, database, how):
    _grow_chain(app)
    runner = app.test_cli_runner()
    ok = runner.invoke(args=["audit", "verify"])
    assert ok.exit_code == 0 and "审计链完整" in ok.output
    if how == "edit":
        _as_attacker(database, "UPDATE audit_records SET detail = :d WHERE seq = 3", {"d": json.dumps({"i": 99})})
    elif how == "delete":
        _as_attacker(database, "DELETE FROM audit_records WHERE seq = 3", {})
    else:  # recompute a plain SHA-256 as an attacker without the HMAC key would
        import hashlib

        _as_attacker(database, "UPDATE audit_records SET actor_name = 'nobody', hash = :h WHERE seq = 3",
                     {"h": hashlib.sha256(b"forged").hexdigest()})
    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code == 1
    assert "第 3 条" in result.output


def test_admin_sees_the_log_and_can_verify(app, net, login, api_token):
    admin = login("admin")
    page = admin.get("/audit?verify=1")
    assert page.status_code == 200 and "审计链完整" in page.get_data(as_text=True)
    body = app.test_client().get("/api/v1/audit?action=login", headers=api_token("admin")).get_json()
    assert body["items"] and all(i["action"].startswith("login") for i in body["items"])
    assert app.test_client().get("/api/v1/audit/verify", headers=api_token("admin")).get_json()["ok"] is True
