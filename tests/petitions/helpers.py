"""Driving matters through the JSON API, as a client would."""
from datetime import date, timedelta

import sqlalchemy as sa

from county_net.extensions import db
from county_net.petitions.identity import check_digit
from county_net.petitions.models import Category
from county_net.tenancy import system_scope


def id_number(seq: int, birth: str = "19800101") -> str:
    first = f"339901{birth}{seq:03d}"
    return first + check_digit(first)


def category_id(app, name: str = "劳动社保") -> int:
    with app.app_context(), system_scope("test"):
        cid = db.session.scalar(sa.select(Category.id).where(Category.name == name))
        db.session.remove()
    return cid


class Api:
    def __init__(self, app, api_token):
        self.app = app
        self.client = app.test_client()
        self._token = api_token
        self._headers = {}

    def headers(self, user):
        if user not in self._headers:
            self._headers[user] = self._token(user)
        return self._headers[user]

    def get(self, user, path, **kw):
        return self.client.get(path, headers=self.headers(user), **kw)

    def post(self, user, path, body=None):
        return self.client.post(path, json=body if body is not None else {}, headers=self.headers(user))

    def register(self, user, **fields):
        body = {
            "channel": "visit",
            "petitioners": [{"name": "张某明", "id_number": id_number(1), "phone": "13800001111",
                             "address": "东镇甲村3组"}],
            "category_id": category_id(self.app),
            "nature": "demand",
            "summary": "东镇某厂拖欠本人2025年下半年工资共计1.2万元，多次讨要未果。",
            "demands": "要求企业支付拖欠的工资。",
        }
        body.update(fields)
        resp = self.post(user, "/api/v1/petitions", body)
        assert resp.status_code == 201, resp.get_json()
        return resp.get_json()

    def act(self, user, petition, slug, expect=200, **fields):
        """Runs an action with the version the caller last saw; returns the new representation."""
        body = {"version": petition["version"], **fields}
        resp = self.post(user, f"/api/v1/petitions/{petition['id']}/{slug}", body)
        assert resp.status_code == expect, (slug, resp.status_code, resp.get_json())
        return resp.get_json()

    def show(self, user, petition_id, expect=200):
        resp = self.get(user, f"/api/v1/petitions/{petition_id}")
        assert resp.status_code == expect, resp.get_json()
        return resp.get_json()


PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


def _upload(self, user, petition_id, files=None, expect=201):
    import io

    files = files or [("来信扫描件.pdf", PDF)]
    data = {"files": [(io.BytesIO(content), name) for name, content in files]}
    resp = self.client.post(f"/api/v1/petitions/{petition_id}/attachments", data=data,
                            headers=self.headers(user), content_type="multipart/form-data")
    assert resp.status_code == expect, resp.get_json()
    return resp.get_json()


Api.upload = _upload


def in_days(n: int) -> str:
    return (date.today() + timedelta(days=n)).isoformat()


def add_user(app, net, username: str, unit_code: str, roles: list[str]) -> None:
    """One more account in the test network (the shared fixture's users are counted by other tests)."""
    from county_net.accounts.models import User
    from county_net.accounts.passwords import hash_password
    from tests.conftest import PASSWORD

    with app.app_context(), system_scope("test seed"):
        user = User(username=username, name=username, unit_id=net.units[unit_code],
                    password_hash=hash_password(PASSWORD), version=1)
        user.roles = roles
        db.session.add(user)
        db.session.commit()
        net.users[username] = user.id
        db.session.remove()
