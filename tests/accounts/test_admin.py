"""The county system administrator manages users through the web, the API and the command line."""
import sqlalchemy as sa

from county_net.accounts.models import User
from county_net.extensions import db
from county_net.tenancy import system_scope
from tests.conftest import Browser


def _user(app, username):
    with app.app_context(), system_scope("check"):
        user = db.session.scalar(sa.select(User).where(User.username == username))
        db.session.expunge_all()
        return user


def test_admin_creates_user_on_the_web(app, net, login):
    admin = login("admin")
    page = admin.get("/admin/users/new")
    assert page.status_code == 200 and "东镇人民政府" in page.get_data(as_text=True)
    resp = admin.post("/admin/users/new", data={"username": "new_clerk", "name": "新接访员",
                                                "unit_id": str(net.units["T1"]), "roles": ["receptionist"],
                                                "password": "Initial-pass-77"})
    assert resp.status_code == 302
    created = _user(app, "new_clerk")
    assert created.unit_id == net.units["T1"] and created.roles == ("receptionist",)
    assert created.must_change_password is True
    assert Browser(app.test_client()).login("new_clerk", "Initial-pass-77").headers["Location"].endswith(
        "/account/password")


def test_admin_form_bad_input_is_400_and_writes_nothing(app, net, login):
    admin = login("admin")
    resp = admin.post("/admin/users/new", data={"username": "Bad Name!", "name": "",
                                                "unit_id": str(net.units["T1"]), "password": "x"})
    assert resp.status_code == 400
    body = resp.get_data(as_text=True)
    assert "请输入姓名" in body and "请至少选择一个角色" in body
    resp = admin.post("/admin/users/new", data={"username": "t1_recv", "name": "重名", "unit_id": str(net.units["T1"]),
                                                "roles": ["head"], "password": "Initial-pass-77"})
    assert resp.status_code == 400 and "用户名已被使用" in resp.get_data(as_text=True)
    with app.app_context(), system_scope("check"):
        assert db.session.scalar(sa.select(sa.func.count()).select_from(User)) == len(net.users)
        db.session.remove()


def test_api_create_update_and_errors(app, net, api_token):
    client = app.test_client()
    headers = api_token("admin")
    resp = client.post("/api/v1/users", headers=headers, json={
        "username": "api_clerk", "name": "接口创建", "unit_id": net.units["B1"], "roles": ["receptionist"],
        "password": "Initial-pass-77"})
    assert resp.status_code == 201, resp.get_json()
    user = resp.get_json()
    assert user["unit"]["code"] == "B1" and user["version"] == 1

    bad = client.post("/api/v1/users", headers=headers, json={"username": "x", "roles": ["king"], "unit_id": "one"})
    assert bad.status_code == 400
    fields = bad.get_json()["error"]["fields"]
    assert {"username", "roles", "unit_id", "name", "password"} <= set(fields)

    admin_elsewhere = client.post("/api/v1/users", headers=headers, json={
        "username": "bad_admin", "name": "乡镇管理员", "unit_id": net.units["T1"], "roles": ["admin"],
        "password": "Initial-pass-77"})
    assert admin_elsewhere.status_code == 400 and "roles" in admin_elsewhere.get_json()["error"]["fields"]

    moved = client.patch(f"/api/v1/users/{user['id']}", headers=headers,
                         json={"version": 1, "unit_id": net.units["T2"], "roles": ["receptionist", "head"]})
    assert moved.status_code == 200 and moved.get_json()["version"] == 2
    stale = client.patch(f"/api/v1/users/{user['id']}", headers=headers, json={"version": 1, "name": "旧版本"})
    assert stale.status_code == 409 and stale.get_json()["error"]["code"] == "stale_version"
    assert _user(app, "api_clerk").name == "接口创建"


def test_wrong_role_is_403(app, net, login, api_token):
    client = app.test_client()
    head = api_token("t1_head")
    assert client.get("/api/v1/users", headers=head).status_code == 403
    assert client.get(f"/api/v1/users/{net.users['t1_recv']}", headers=head).status_code == 403
    assert client.post("/api/v1/users", headers=head, json={
        "username": "sneaky", "name": "x", "unit_id": net.units["T1"], "roles": ["admin"],
        "password": "Initial-pass-77"}).status_code == 403
    web = login("t1_head")
    assert web.get("/admin/users").status_code == 403
    assert web.get("/audit").status_code == 403


def test_admin_cannot_disable_or_demote_self(app, net, api_token):
    client = app.test_client()
    headers = api_token("admin")
    me = net.users["admin"]
    assert client.post(f"/api/v1/users/{me}/disable", json={"version": 1}, headers=headers).status_code == 409
    resp = client.patch(f"/api/v1/users/{me}", json={"version": 1, "roles": ["head"]}, headers=headers)
    assert resp.status_code == 400


def test_cli_users_create_and_disable(app, net):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["users", "create", "cli_clerk", "--name", "命令行", "--unit", "T2",
                                 "--role", "receptionist", "--password", "Initial-pass-77"])
    assert result.exit_code == 0, result.output
    assert _user(app, "cli_clerk").unit_id == net.units["T2"]
    result = runner.invoke(args=["users", "create", "cli_clerk2", "--name", "x", "--unit", "NOPE",
                                 "--role", "head", "--password", "Initial-pass-77"])
    assert result.exit_code != 0 and "不存在" in result.output
    assert runner.invoke(args=["users", "disable", "cli_clerk"]).exit_code == 0
    assert _user(app, "cli_clerk").is_enabled is False
    listing = runner.invoke(args=["users", "list"])
    assert "cli_clerk" in listing.output and "已停用" in listing.output


def test_web_enable_disable_and_reset_need_the_version_the_admin_saw(app, net, login):
    admin = login("admin")
    target = net.users["t2_recv"]
    page = f"/admin/users/{target}"
    for action in ("disable", "reset-password"):
        resp = admin.post(f"/admin/users/{target}/{action}", {}, form_page=page)
        assert resp.status_code == 400, action
        assert "缺少版本号" in resp.get_data(as_text=True)
    with app.app_context():
        from county_net.accounts.models import User
        from county_net.extensions import db
        from county_net.tenancy import system_scope

        with system_scope("check"):
            user = db.session.get(User, target)
            assert user.is_enabled and user.version == 1
        db.session.remove()
    assert admin.post(f"/admin/users/{target}/disable", {"version": 1}, form_page=page).status_code == 302
