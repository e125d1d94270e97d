"""The demo county's screening sheets: the roll-up and the late list show something at once, and the demo
liaison's own sheet of this month is left to file."""
from county_net.core.timeutil import local_today
from county_net.deadlines.periods import MONTH, period_of, previous_period


def _headers(client, username):
    resp = client.post("/api/v1/auth/token", json={"username": username, "password": "Demo-2026!"})
    assert resp.status_code == 201
    return {"Authorization": f"Bearer {resp.get_json()['token']}"}


def test_the_demo_county_has_two_months_of_sheets(app):
    assert app.test_cli_runner().invoke(args=["demo", "load"]).exit_code == 0
    client = app.test_client()
    center = _headers(client, "center_reception")
    last = previous_period(period_of(MONTH, local_today())).code
    rollup = client.get(f"/api/v1/screening/rollup?period={last}", headers=center).get_json()
    total = rollup["total"]
    assert total["period"]["total"]["screened"] > 0 and total["ytd"]["total"]["screened"] > 0
    assert total["filed"] >= 30 and total["nil_sheets"] > 0
    sheets = client.get(f"/api/v1/screening/reports?period={last}&page_size=100", headers=center).get_json()
    assert {r["state"] for r in sheets["items"]} == {"accepted"}
    task = client.get("/api/v1/screening/current", headers=_headers(client, "enterprise_liaison")).get_json()
    assert task["files"] and task["report_id"] is None  # left for the visitor
    late = client.get("/api/v1/screening/late?all=true", headers=center).get_json()["items"]
    assert any(i["unit_name"] == "清溪县城关建筑工程有限公司" for i in late)
    # A second load changes nothing (the demo is idempotent).
    assert app.test_cli_runner().invoke(args=["demo", "load"]).exit_code == 0
    again = client.get(f"/api/v1/screening/rollup?period={last}", headers=center).get_json()["total"]
    assert again["period"]["total"] == total["period"]["total"]
