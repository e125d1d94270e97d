"""The /api/v1 frame: OpenAPI document, one error shape, 400 for malformed input, never a 500."""
import re

import pytest


def test_openapi_lists_every_endpoint_with_schemas(app):
    spec = app.test_client().get("/api/v1/openapi.json").get_json()
    assert spec["openapi"].startswith("3.")
    paths = spec["paths"]
    # <int:petition_id> and <label> alike are {name} in the document.
    rules = {re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", r.rule) for r in app.url_map.iter_rules()
             if r.rule.startswith("/api/v1/") and not r.rule.endswith("openapi.json")}
    documented = {p if p.startswith("/api/v1") else "/api/v1" + p for p in paths}
    assert rules <= documented, rules - documented
    token = paths["/api/v1/auth/token"]["post"]
    assert "requestBody" in token and "201" in token["responses"]
    assert "Error" in spec["components"]["schemas"]
    assert spec["components"]["securitySchemes"]["bearer"]["scheme"] == "bearer"
    for path, operations in paths.items():
        for method, op in operations.items():
            if method in ("get", "post", "patch", "delete", "put"):
                assert op.get("responses"), f"{method} {path} has no responses"


def test_unauthenticated_is_401_in_the_error_shape(app, net):
    resp = app.test_client().get("/api/v1/me")
    assert resp.status_code == 401
    assert set(resp.get_json()["error"]) == {"code", "message", "fields"}


def test_cookie_sessions_do_not_work_on_the_api(app, net, login):
    web = login("admin")
    assert web.get("/api/v1/me").status_code == 401


def test_me_and_units(app, net, api_token):
    client = app.test_client()
    me = client.get("/api/v1/me", headers=api_token("t1_recv")).get_json()
    assert me["username"] == "t1_recv" and me["unit"]["code"] == "T1" and me["roles"] == ["receptionist"]
    assert me["created_at"].endswith("+08:00")
    unit = client.get(f"/api/v1/units/{net.units['E1']}", headers=api_token("t1_recv")).get_json()
    assert unit["kind"] == "enterprise" and unit["parent_id"] == net.units["T1"]


@pytest.mark.parametrize("body, field", [
    ({"username": "a"}, "password"),
    ({"username": 5, "password": "x"}, "username"),
    ({"username": "a", "password": "x", "extra": 1}, "extra"),
])
def test_malformed_bodies_are_400_with_fields(app, net, body, field):
    resp = app.test_client().post("/api/v1/auth/token", json=body)
    assert resp.status_code == 400
    error = resp.get_json()["error"]
    assert error["code"] == "invalid" and field in error["fields"]
    assert all(ord(ch) > 127 for msgs in error["fields"].values() for m in msgs for ch in m[:1])


def test_not_json_at_all(app, net):
    resp = app.test_client().post("/api/v1/auth/token", data="{not json", content_type="application/json")
    assert resp.status_code == 400
    assert resp.get_json()["error"]["code"] in ("invalid", "bad_request")


def test_page_size_has_a_hard_maximum(app, net, api_token):
    client = app.test_client()
    resp = client.get("/api/v1/units?page_size=1000", headers=api_token("c_recv"))
    assert resp.status_code == 400
    assert resp.get_json()["error"]["fields"]["page_size"] == ["须大于或等于1且小于或等于100"]
    page = client.get("/api/v1/units?page_size=2&page=2", headers=api_token("c_recv")).get_json()
    assert len(page["items"]) == 2 and page["meta"] == {"page": 2, "page_size": 2, "total": 7, "pages": 4,
                                                   "total_capped": False}


def test_unknown_route_and_method(app, net, api_token):
    client = app.test_client()
    assert client.get("/api/v1/nothing", headers=api_token("admin")).get_json()["error"]["code"] == "not_found"
    resp = client.put("/api/v1/me", headers=api_token("admin"))
    assert resp.status_code == 405 and resp.get_json()["error"]["code"] == "method_not_allowed"


def test_revoke_token(app, net, api_token):
    headers = api_token("t1_recv")
    client = app.test_client()
    assert client.delete("/api/v1/auth/token", headers=headers).status_code == 204
    assert client.get("/api/v1/me", headers=headers).status_code == 401


def test_garbage_never_gives_500(app, net, api_token):
    """A small fuzz over every API write with hostile bodies."""
    client = app.test_client()
    headers = api_token("admin")
    bodies = [None, [], "x", 0, {"version": "NaN"}, {"version": 10**30}, {"unit_id": -1, "version": 1},
              {"roles": "admin"}, {"name": "\x00" * 10, "version": 1}, {"password": "é" * 5000}]
    adapter = app.url_map.bind("localhost")
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/api/v1/"):
            continue
        for method in rule.methods - {"HEAD", "OPTIONS", "GET"}:
            url = adapter.build(rule.endpoint, {a: net.users["t1_recv"] if a == "user_id" else net.units["T1"]
                                                for a in rule.arguments})
            for body in bodies:
                resp = client.open(url, method=method, json=body, headers=headers)
                assert resp.status_code < 500, f"{method} {rule.rule} {body!r} -> {resp.status_code}"


def test_nul_characters_are_refused_with_the_field(app, net, api_token):
    resp = app.test_client().patch(f"/api/v1/users/{net.users['t1_recv']}", json={"name": "a\x00b", "version": 1},
                                   headers=api_token("admin"))
    assert resp.status_code == 400 and "name" in resp.get_json()["error"]["fields"]
    resp = app.test_client().get("/api/v1/units?q=%00", headers=api_token("admin"))
    assert resp.status_code == 400


def test_ids_beyond_the_integer_range(app, net, api_token, login):
    client = app.test_client()
    headers = api_token("admin")
    for path in ("/api/v1/petitions/99999999999", "/api/v1/units/99999999999", "/api/v1/users/99999999999"):
        assert client.get(path, headers=headers).status_code == 404
    assert login("admin").get("/units/99999999999").status_code == 404
    resp = client.post("/api/v1/users", headers=headers, json={
        "username": "big_id", "name": "x", "unit_id": 10**12, "roles": ["head"], "password": "Initial-pass-77"})
    assert resp.status_code == 400 and resp.get_json()["error"]["fields"]["unit_id"] == ["数值超出范围"]
