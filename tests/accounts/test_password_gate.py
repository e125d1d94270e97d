"""Issue 8, point 7: until a user with a one-time password changes it, every route but the change page, logout
and static files answers with the change page (web) or 403 `password_change_required` (API); nothing is written.
The routes are read from the URL map, so a new one is covered without anyone remembering it."""
import sqlalchemy as sa

from county_net.accounts.guards import OPEN_WHILE_CHANGING
from county_net.extensions import db
from county_net.tenancy import system_scope
from tests.conftest import Browser, csrf_from

INITIAL = "Initial-pass-77"
NEW = "Clerk-own-pass-88"
OTHER_ARGS = {"slug": "accept", "decision": "confirm", "kind": "registration_form", "filename": "app.css",
              "action": "receive", "rota_action": "publish"}


def _new_clerk(app, net, api_token) -> int:
    """Created by the admin as any new user is: must change the password at first login."""
    resp = app.test_client().post("/api/v1/users", headers=api_token("admin"), json={
        "username": "new_clerk", "name": "新接访员", "unit_id": net.units["B1"], "roles": ["receptionist"],
        "password": INITIAL})
    assert resp.status_code == 201 and resp.get_json()["must_change_password"] is True
    return resp.get_json()["id"]


def _written(app) -> tuple:
    from county_net.audit.models import AuditRecord
    from county_net.petitions.models import Petition, Petitioner

    with app.app_context(), system_scope("test count"):
        counts = tuple(db.session.scalar(sa.select(sa.func.count(m.id))) for m in (Petition, Petitioner, AuditRecord))
        db.session.remove()
    return counts


def _url(adapter, rule):
    return adapter.build(rule.endpoint, {a: OTHER_ARGS.get(a, 1) for a in rule.arguments})


def test_the_open_endpoints_exist(app):
    endpoints = {r.endpoint for r in app.url_map.iter_rules()}
    assert OPEN_WHILE_CHANGING <= endpoints


def test_every_route_but_the_change_page_is_closed_until_the_password_is_changed(app, net, api_token):
    _new_clerk(app, net, api_token)
    web = Browser(app.test_client())
    resp = web.login("new_clerk", INITIAL)
    assert resp.status_code == 302 and resp.headers["Location"].endswith("/account/password")
    # A token may be had (so the password can be changed through the API), but it opens nothing else.
    resp = app.test_client().post("/api/v1/auth/token", json={"username": "new_clerk", "password": INITIAL})
    assert resp.status_code == 201
    headers = {"Authorization": f"Bearer {resp.get_json()['token']}"}
    app.config["WTF_CSRF_ENABLED"] = False  # the sweep is about the gate; CSRF comes first and has its own test
    before = _written(app)
    adapter = app.url_map.bind("localhost")
    tried = 0
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule):
        if rule.endpoint in OPEN_WHILE_CHANGING:
            continue
        url = _url(adapter, rule)
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            where = f"{method} {rule.rule}"
            if rule.rule.startswith("/api/"):
                resp = web.client.open(url, method=method, json={"version": 1}, headers=headers)
                assert resp.status_code == 403, f"{where} -> {resp.status_code}"
                assert resp.get_json()["error"]["code"] == "password_change_required", where
            elif method == "GET":
                resp = web.client.open(url, method=method)
                assert resp.status_code == 302, f"{where} -> {resp.status_code}"
                assert resp.headers["Location"].endswith("/account/password"), where
            else:
                resp = web.client.open(url, method=method, data={"version": "1", "name": "x", "content": "x"})
                assert resp.status_code == 403, f"{where} -> {resp.status_code}"
                page = resp.get_data(as_text=True)
                assert "请先修改初始密码" in page and 'id="new_password"' in page, where
            tried += 1
    assert tried >= 80
    assert _written(app) == before, "a request of a user who must change the password wrote something"

    # Static files and the favicon stay open; so does the change itself.
    assert web.get("/static/app.css").status_code == 200
    assert web.get("/favicon.ico").status_code == 200
    app.config["WTF_CSRF_ENABLED"] = True
    resp = web.post("/account/password", {"current_password": INITIAL, "new_password": NEW,
                                          "confirm_password": NEW})
    assert resp.status_code == 302

    # Now everything opens: every GET page without arguments, and the API with a fresh token.
    for rule in app.url_map.iter_rules():
        if "GET" in rule.methods and not rule.arguments and not rule.rule.startswith("/api/"):
            resp = web.get(rule.rule)
            # The hall's pages are the county center's: a unit that runs no hall (this clerk's bureau) gets 404.
            allowed = (200, 302, 403, 404) if rule.rule.startswith("/hall") else (200, 302, 403)
            assert resp.status_code in allowed, f"GET {rule.rule} -> {resp.status_code}"
            assert "/account/password" not in resp.headers.get("Location", ""), rule.rule
    assert web.get("/petitions/new").status_code == 200
    resp = app.test_client().post("/api/v1/auth/token", json={"username": "new_clerk", "password": NEW})
    fresh = {"Authorization": f"Bearer {resp.get_json()['token']}"}
    assert app.test_client().get("/api/v1/me", headers=fresh).status_code == 200
    assert app.test_client().get("/api/v1/petitions", headers=fresh).status_code == 200


def test_a_registration_posted_with_a_valid_csrf_token_is_refused(app, net, api_token):
    _new_clerk(app, net, api_token)
    web = Browser(app.test_client())
    web.login("new_clerk", INITIAL)
    token = csrf_from(web.client, "/account/password")  # the only page that opens
    before = _written(app)
    resp = web.client.post("/petitions/new", data={"csrf_token": token, "channel": "visit", "name": "张某",
                                                   "content": "工资被拖欠", "phone": "13800000000"})
    assert resp.status_code == 403
    assert _written(app) == before
    # The refusal shows the change form, and that form posts to the change page, not back to /petitions/new.
    assert 'action="/account/password"' in resp.get_data(as_text=True)


def test_the_password_can_be_changed_through_the_api(app, net, api_token):
    _new_clerk(app, net, api_token)
    client = app.test_client()
    token = client.post("/api/v1/auth/token", json={"username": "new_clerk", "password": INITIAL}).get_json()["token"]
    headers = {"Authorization": f"Bearer {token}"}
    assert client.get("/api/v1/petitions", headers=headers).status_code == 403
    resp = client.post("/api/v1/me/password", headers=headers,
                       json={"current_password": INITIAL, "new_password": NEW})
    assert resp.status_code == 204
    assert client.get("/api/v1/me", headers=headers).status_code == 401  # the change ends every session
    fresh = api_token("new_clerk", NEW)
    assert client.get("/api/v1/petitions", headers=fresh).status_code == 200
