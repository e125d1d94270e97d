"""Issue 8, point 8: a role that may not use an admin route is refused (403) before its body is read.
The admin routes are read from the URL map by their `admin_only` marker, so a new one is covered at once."""
import pytest
import sqlalchemy as sa

from county_net.accounts.guards import is_admin_only
from county_net.extensions import db
from county_net.tenancy import system_scope
from tests.conftest import csrf_from

# Paths that belong to the county system administrator: every rule under them must carry the marker.
ADMIN_PREFIXES = ("/admin/", "/audit", "/api/v1/users", "/api/v1/audit")
# Admin routes that live among everyone's: writing the category list.
ADMIN_ELSEWHERE = {"petitions_api.create_category", "petitions_api.update_category"}
OTHER_ARGS = {"slug": "accept", "decision": "confirm", "kind": "registration_form"}


def admin_rules(app):
    return sorted((r for r in app.url_map.iter_rules() if is_admin_only(app.view_functions[r.endpoint])),
                  key=lambda r: (r.rule, r.endpoint))


def test_every_admin_screen_is_marked(app):
    marked = {r.endpoint for r in admin_rules(app)}
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith(ADMIN_PREFIXES):
            assert rule.endpoint in marked, f"{rule.rule} is an admin route without @admin_only"
    assert ADMIN_ELSEWHERE <= marked
    assert len(marked) >= 20


def _snapshot(app) -> tuple:
    from county_net.accounts.models import AuthSession, User
    from county_net.audit.models import AuditRecord
    from county_net.petitions.models import Category

    with app.app_context(), system_scope("test snapshot"):
        users = db.session.execute(sa.select(User.id, User.name, User.roles_csv, User.is_enabled,
                                             User.password_hash, User.version).order_by(User.id)).all()
        cats = db.session.execute(sa.select(Category.id, Category.name, Category.sort_order, Category.is_active)
                                  .order_by(Category.id)).all()
        audit = db.session.scalar(sa.select(sa.func.count(AuditRecord.id)))
        revoked = db.session.scalar(sa.select(sa.func.count(AuthSession.id)).where(AuthSession.revoked_at.isnot(None)))
        db.session.remove()
    return users, cats, audit, revoked


def _bodies(net, token: str, web: bool) -> dict:
    """Per body kind, what a client might send: nothing, nonsense, or what an admin would send."""
    valid = {
        "username": "gate_user", "name": "新同事", "unit_id": net.units["C0"], "roles": ["receptionist"],
        "password": "Gate-pass-2026x", "version": 1, "code": "77", "sort_order": 5, "is_active": False,
        "new_password": "Reset-pass-2026x",
    }
    if web:  # the web form's CSRF token is part of the body too: none, a forged one, a good one
        return {
            "empty": {},
            "malformed": {"csrf_token": "forged", "version": "abc", "unit_id": "zz", "roles": "nope",
                          "sort_order": "x", "name": ""},
            "valid": {"csrf_token": token,
                      **{k: (v if not isinstance(v, bool) else ("1" if v else "0")) for k, v in valid.items()}},
        }
    return {"empty": None, "malformed": b"{not json", "valid": valid}


@pytest.mark.parametrize("username,target", [("c_recv", "t2_recv"), ("t1_head", "t1_recv"),
                                             ("e1_liaison", "e1_liaison")])
def test_non_admins_get_403_before_any_body_is_read(app, net, login, api_token, username, target):
    with app.app_context(), system_scope("test"):  # categories are under RLS: a principal reads them
        from county_net.petitions.models import Category

        category_id = db.session.scalar(sa.select(Category.id).order_by(Category.id))
        db.session.remove()
    ids = {"user_id": net.users[target], "category_id": category_id}
    web = login(username)
    headers = api_token(username)
    token = csrf_from(web.client, "/")
    before = _snapshot(app)
    adapter = app.url_map.bind("localhost")
    tried = 0
    for rule in admin_rules(app):
        url = adapter.build(rule.endpoint, {a: ids.get(a, OTHER_ARGS.get(a, 1)) for a in rule.arguments})
        is_api = rule.rule.startswith("/api/")
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            for kind, body in _bodies(net, token, web=not is_api).items():
                if is_api:
                    if method == "GET":
                        query = {"page": "abc", "page_size": "-1"} if kind == "malformed" else (
                            {"page": 1} if kind == "valid" else None)
                        resp = web.client.open(url, method=method, query_string=query, headers=headers)
                    elif isinstance(body, bytes):
                        resp = web.client.open(url, method=method, data=body, headers=headers,
                                               content_type="application/json")
                    else:
                        resp = web.client.open(url, method=method, json=body, headers=headers)
                else:
                    resp = web.client.open(url, method=method, data=body if method != "GET" else None,
                                           query_string=body if method == "GET" else None)
                where = f"{username} {method} {rule.rule} ({kind} body)"
                assert resp.status_code == 403, f"{where} -> {resp.status_code}"
                if is_api:
                    assert resp.get_json()["error"]["code"] == "forbidden", where
                tried += 1
    assert tried >= 60
    assert _snapshot(app) == before, "a refused request wrote something"


def test_patch_user_with_empty_body_is_403_not_400(app, net, api_token):
    """The case the issue names; the OpenAPI document says 403 too."""
    resp = app.test_client().patch(f"/api/v1/users/{net.users['t1_recv']}", headers=api_token("c_recv"))
    assert resp.status_code == 403
    assert resp.get_json()["error"]["code"] == "forbidden"
    spec = app.test_client().get("/api/v1/openapi.json").get_json()
    assert "403" in spec["paths"]["/api/v1/users/{user_id}"]["patch"]["responses"]


def test_hidden_ids_stay_404_for_non_admins(app, net, api_token, login):
    """The role check runs after the URL's object is loaded: another subtree's user is still not confirmed."""
    headers = api_token("t1_head")
    foreign = net.users["t2_recv"]
    assert app.test_client().patch(f"/api/v1/users/{foreign}", headers=headers).status_code == 404
    app.config["WTF_CSRF_ENABLED"] = False
    assert login("t1_head").post(f"/admin/users/{foreign}/disable", form_page="/").status_code == 404


def test_admin_still_passes_and_bad_bodies_are_400_for_admin(app, net, api_token, login):
    admin = login("admin")
    forged = admin.client.post(f"/admin/users/{net.users['t1_recv']}/disable", data={"csrf_token": "forged"})
    assert forged.status_code == 400  # CSRF still guards the admin's forms, right after the role check
    assert admin.post(f"/admin/users/{net.users['t1_recv']}/disable", {"version": 1}, form_page="/").status_code == 302
    headers = api_token("admin")
    client = app.test_client()
    url = f"/api/v1/users/{net.users['t1_recv']}"
    assert client.patch(url, headers=headers).status_code == 400
    changed = client.patch(url, json={"version": 2, "name": "东镇接访员"}, headers=headers)  # 2: disabled above
    assert changed.status_code == 200
    assert client.get("/api/v1/audit", headers=headers).status_code == 200
