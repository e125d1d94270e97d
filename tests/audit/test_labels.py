"""Issue 8, point 14: the audit log reads in Chinese (actions by label, actors and targets by name); the footer
names the product in Chinese; a favicon is served."""
import ast
import re
from pathlib import Path

import county_net
from county_net.audit.labels import ACTIONS
from tests.petitions.helpers import Api

SOURCE = Path(county_net.__file__).parent


def _codes(node) -> list[str]:
    """The action codes a record() call can write; None for one that is not a fixed string."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return [node.value]
    if isinstance(node, ast.IfExp):
        return _codes(node.body) + _codes(node.orelse)
    return [None]


def recorded_codes() -> dict[str, str]:
    found = {}
    for path in sorted(SOURCE.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
        for call in ast.walk(tree):
            if not isinstance(call, ast.Call):
                continue
            name = getattr(call.func, "attr", None) or getattr(call.func, "id", None)
            if name == "record" and call.args:
                arg = call.args[0]
            elif name == "_audit" and len(call.args) >= 5:  # the benchmark generator writes rows in bulk
                arg = call.args[4]
            else:
                continue
            for code in _codes(arg):
                where = f"{path.relative_to(SOURCE.parent)}:{call.lineno}"
                assert code is not None, f"{where}: audit.record() needs a fixed action code, so it can be labelled"
                found[code] = where
    return found


def test_every_recorded_action_has_a_chinese_label():
    codes = recorded_codes()
    assert {"login", "login.failed", "user.created", "petitioner.revealed", "category.saved"} <= codes.keys()
    missing = {code: where for code, where in codes.items() if code not in ACTIONS}
    assert not missing, f"add these to county_net/audit/labels.py ACTIONS: {missing}"
    for label in ACTIONS.values():
        assert any("\u4e00" <= ch <= "\u9fff" for ch in label)


def test_the_audit_page_names_actions_actors_and_targets(app, net, login, api_token, browser):
    browser.login("nobody_here", "wrong-password-1")
    api = Api(app, api_token)
    created = api.post("admin", "/api/v1/users", {"username": "new_clerk", "name": "王新", "unit_id": net.units["B1"],
                                                   "roles": ["receptionist"], "password": "Initial-pass-77"})
    assert created.status_code == 201
    matter = api.register("c_recv", nature="accusation", accused_unit_id=net.units["T1"], summary="反映东镇干部问题线索。")
    page = login("admin").get("/audit").get_data(as_text=True)
    for label in ("登录失败", "登录", "新建用户", "登记检举控告事项"):
        assert f">{label}<" in page, label
    assert "admin（县信访局）" in page and "c_recv（县信访局）" in page  # name (unit), not ids
    assert f"信访事项 {matter['number']}" in page
    assert "用户 王新" in page
    assert "单位：测试县人社局" in page and "角色：接访员" in page
    # Records of no unit (the network sync run by no user, a failed login under a name no account has) belong
    # to no county: not on the county's page, but named the same way in the system administrator's export.
    table = page[page.index("<tbody>"):page.index("</tbody>")]
    assert "nobody_here" not in table and "同步单位网络" not in table
    export = app.test_cli_runner().invoke(args=["audit", "export", "--all-counties", "--reason", "测试"]).output
    assert "未知用户名“nobody_here”" in export
    assert '"actor_label": "命令行"' in export and '"action_label": "同步单位网络"' in export
    rows = re.sub(r'title="[^"]*"', "", page[page.index("<tbody>"):page.index("</tbody>")])
    assert "user.created" not in rows and "login.failed" not in rows  # codes only as tooltips

    body = app.test_client().get("/api/v1/audit", headers=api_token("admin")).get_json()
    first = {item["action"]: item for item in body["items"]}
    assert first["user.created"]["action_label"] == "新建用户"
    assert first["user.created"]["actor_label"] == "admin（县信访局）"
    assert first["user.created"]["target_label"] == "用户 王新"


def test_audit_filter_offers_labels(app, net, login):
    page = login("admin").get("/audit?action=user.created").get_data(as_text=True)
    assert '<option value="user.created" selected>新建用户</option>' in page


def test_footer_names_the_product_in_chinese_and_links_the_favicon(app, net, login):
    page = login("t1_recv").get("/").get_data(as_text=True)
    footer = page[page.index('<footer'):]
    assert "县域信访工作网络" in footer and "county_net" not in footer
    assert '<link rel="icon" href="/static/favicon.svg" type="image/svg+xml">' in page
    login_page = app.test_client().get("/login").get_data(as_text=True)
    assert "县域信访工作网络" in login_page and 'rel="icon"' in login_page


def test_favicon_is_served_where_browsers_look(app):
    client = app.test_client()
    for path in ("/favicon.ico", "/static/favicon.svg"):
        resp = client.get(path)
        assert resp.status_code == 200, path
        assert resp.mimetype == "image/svg+xml"
        assert resp.data.lstrip().startswith(b"<svg")
        assert b"<script" not in resp.data and b"style=" not in resp.data  # nothing the strict CSP would block
