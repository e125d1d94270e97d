"""The demo county's screening sheets: the roll-up and the late list show something at once, on any day of the
month, and the demo liaison's own sheet is left to file."""


def _headers(client, username):
    resp = client.post("/api/v1/auth/token", json={"username": username, "password": "Demo-2026!"})
    assert resp.status_code == 201
    return {"Authorization": f"Bearer {resp.get_json()['token']}"}


def test_the_demo_county_has_two_months_of_sheets(app):
    assert app.test_cli_runner().invoke(args=["demo", "load"]).exit_code == 0
    client = app.test_client()
    center = _headers(client, "center_reception")
    codes = set()
    page = 1
    while True:
        body = client.get(f"/api/v1/screening/reports?page_size=100&page={page}", headers=center).get_json()
        codes |= {(r["period"], r["state"], r["late"]) for r in body["items"]}
        if page >= body["meta"]["pages"]:
            break
        page += 1
    months = sorted({code for code, _, _ in codes if len(code) == 7})
    assert len(months) == 2
    older, newest = months
    assert {state for code, state, _ in codes if code == older} == {"accepted"}
    assert {"accepted", "filed", "returned"} <= {state for code, state, _ in codes if code == newest}
    assert any(late for code, _, late in codes if code == newest)  # some filed late
    rollup = client.get(f"/api/v1/screening/rollup?period={newest}", headers=center).get_json()
    total = rollup["total"]
    assert total["period"]["total"]["screened"] > 0 and total["ytd"]["total"]["screened"] > 0
    assert total["nil_sheets"] > 0 and total["filed"] > 0.8 * total["expected"]
    assert 0 < len(total["missing_units"]) < 0.2 * total["expected"]  # a few missing, not most
    late = client.get(f"/api/v1/screening/late?month={newest}", headers=center).get_json()["items"]
    assert any(i["unit_name"] == "清溪县城关建筑工程有限公司" for i in late)  # the demo liaison's, left to file
    # A second load changes nothing (the demo is idempotent).
    assert app.test_cli_runner().invoke(args=["demo", "load"]).exit_code == 0
    again = client.get(f"/api/v1/screening/rollup?period={newest}", headers=center).get_json()["total"]
    assert again["period"]["total"] == total["period"]["total"]
