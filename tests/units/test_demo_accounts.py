"""Every demo account can log in and sees exactly its own unit and subtree of the demo county."""
import tomllib
from pathlib import Path

import sqlalchemy as sa

from county_net.extensions import db
from county_net.tenancy import system_scope
from county_net.units.models import Unit

ROOT = Path(__file__).resolve().parents[2]


def test_every_demo_account_logs_in_and_sees_its_tree(app):
    assert app.test_cli_runner().invoke(args=["demo", "load"]).exit_code == 0
    users = tomllib.loads((ROOT / "tenants" / "demo_users.toml").read_text(encoding="utf-8"))["users"]
    with app.app_context(), system_scope("expected trees"):
        units = list(db.session.scalars(sa.select(Unit)))
        db.session.remove()
    by_code = {u.code: u for u in units}
    client = app.test_client()
    roles_seen = set()
    for entry in users:
        resp = client.post("/api/v1/auth/token", json={"username": entry["username"], "password": entry["password"]})
        assert resp.status_code == 201, entry["username"]
        headers = {"Authorization": f"Bearer {resp.get_json()['token']}"}
        me = client.get("/api/v1/me", headers=headers).get_json()
        assert me["unit"]["code"] == entry["unit"] and sorted(me["roles"]) == sorted(entry["roles"])
        roles_seen.update(entry["roles"])
        seen, page = set(), 1
        while True:
            body = client.get(f"/api/v1/units?page_size=100&page={page}", headers=headers).get_json()
            seen |= {u["code"] for u in body["items"]}
            if page >= body["meta"]["pages"]:
                break
            page += 1
        own_path = by_code[entry["unit"]].path
        expected = {u.code for u in units if u.path.startswith(own_path)}
        assert seen == expected, entry["username"]
        web = app.test_client()
        assert web.get("/login").status_code == 200
    assert roles_seen == {"admin", "receptionist", "head", "liaison"}
    kinds = {by_code[e["unit"]].kind for e in users}
    assert {"county_center", "township", "bureau", "enterprise"} <= kinds
