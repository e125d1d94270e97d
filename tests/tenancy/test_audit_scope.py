"""The audit log is tenant data too: a county's administrator reads the acts of the county's own users, on the
web and through the API, on both engines. Records of another county, of the command line and of failed logins
under names no account has are read only through the system administrator's export, which is itself audited."""
import json

import pytest
import sqlalchemy as sa

from county_net.audit.models import AuditRecord
from county_net.extensions import db
from county_net.tenancy import system_scope
from tests.petitions.helpers import Api
from tests.tenancy.seed import neighbour_county


@pytest.fixture
def two_counties(app, net, api_token):
    k0 = neighbour_county(app, [("k_admin", "K0", ["admin"]), ("k_recv", "K0", ["receptionist"])])["K0"]
    api = Api(app, api_token)
    api.register("t1_recv")
    api.register("k_recv")
    api.register("c_recv")
    client = app.test_client()
    assert client.post("/api/v1/auth/token", json={"username": "nobody", "password": "x" * 12}).status_code == 401
    assert client.post("/api/v1/auth/token", json={"username": "k_recv", "password": "x" * 12}).status_code == 401
    return api, k0


def _records(api, user) -> list[dict]:
    body = api.get(user, "/api/v1/audit?page_size=100").get_json()
    assert body["meta"]["total"] == len(body["items"])
    return body["items"]


def test_a_county_administrator_reads_only_the_countys_own_records(app, net, two_counties):
    api, k0 = two_counties
    county = set(net.units.values())
    ours = _records(api, "admin")
    assert ours and {r["actor_unit_id"] for r in ours} <= county
    assert {"t1_recv", "c_recv", "admin"} <= {r["actor_name"] for r in ours}
    theirs = _records(api, "k_admin")
    assert {r["actor_unit_id"] for r in theirs} == {k0}
    assert {r["actor_name"] for r in theirs} == {"k_recv", "k_admin"}
    with app.app_context(), system_scope("count"):
        total = db.session.scalar(sa.select(sa.func.count()).select_from(AuditRecord))
        unattributed = db.session.scalar(sa.select(sa.func.count()).select_from(AuditRecord)
                                         .where(AuditRecord.actor_unit_id.is_(None)))
        db.session.remove()
    assert unattributed >= 1  # the failed login of "nobody"
    # Each record is read through exactly one county, or (no unit) only through the export below.
    assert len(ours) + len(theirs) + unattributed == total


def test_the_audit_page_stays_in_the_county(app, net, two_counties, login):
    text = login("admin").get("/audit").get_data(as_text=True)
    assert "k_recv" not in text and "nobody" not in text and "t1_recv" in text


def test_verifying_the_chain_covers_every_county(app, net, two_counties):
    """The chain is one for the whole service: records written under many scopes link up, and the
    administrator's check walks all of it (it answers only intact or where it breaks, no record's content)."""
    api, _ = two_counties
    result = api.get("admin", "/api/v1/audit/verify").get_json()
    with app.app_context(), system_scope("count"):
        total = db.session.scalar(sa.select(sa.func.count()).select_from(AuditRecord))
        db.session.remove()
    assert result["ok"] is True and result["checked"] == total


def test_the_cross_county_export_is_explicit_and_audited(app, net, two_counties):
    _, k0 = two_counties
    runner = app.test_cli_runner()
    refused = runner.invoke(args=["audit", "export", "--reason", "核查"])
    assert refused.exit_code != 0
    refused = runner.invoke(args=["audit", "export", "--all-counties"])
    assert refused.exit_code != 0
    with app.app_context(), system_scope("count"):
        before = db.session.scalar(sa.select(sa.func.count()).select_from(AuditRecord))
        db.session.remove()
    result = runner.invoke(args=["audit", "export", "--all-counties", "--reason", "省厅核查登录异常"])
    assert result.exit_code == 0, result.output
    rows = [json.loads(line) for line in result.output.splitlines() if line.startswith("{")]
    assert len(rows) == before + 1  # everything, and the record of this export itself
    units = {r["actor_unit_id"] for r in rows}
    assert None in units and k0 in units and net.units["C0"] in units
    assert "nobody" in {r["actor_name"] for r in rows}
    exported = rows[0]
    assert exported["action"] == "audit.exported" and exported["actor_unit_id"] is None
    assert json.loads(exported["detail"]) == {"reason": "省厅核查登录异常", "count": before, "action": None}
    with app.app_context(), system_scope("check"):
        from county_net.audit.services import verify_chain

        assert verify_chain().ok
        db.session.remove()
