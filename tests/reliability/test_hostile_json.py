"""Two kinds of JSON that reached the driver or the parser and gave 500 on both engines: a lone surrogate in a
string, and a body nested 100,000 levels deep. Both are a 400 naming the field, before any work is done."""
import json

import pytest
import sqlalchemy as sa

from county_net.extensions import db
from county_net.petitions.models import Petition
from county_net.tenancy import system_scope
from tests.petitions.helpers import Api, category_id

DEEP = "[" * 100_000 + "]" * 100_000


class StatementCounter:
    def __init__(self, engine):
        self.engine, self.count = engine, 0

    def __enter__(self):
        sa.event.listen(self.engine, "before_cursor_execute", self._seen)
        return self

    def _seen(self, *args):
        self.count += 1

    def __exit__(self, *exc):
        sa.event.remove(self.engine, "before_cursor_execute", self._seen)


def _registration(app, name="张某明"):
    return {"channel": "visit", "petitioners": [{"name": name}], "category_id": category_id(app),
            "nature": "demand", "summary": "东镇某厂拖欠工资，多次讨要未果，请求处理。"}


def _matters(app):
    with app.app_context(), system_scope("count"):
        n = db.session.scalar(sa.select(sa.func.count()).select_from(Petition))
        db.session.remove()
    return n


def _raw(body: dict) -> str:
    # json.dumps writes a lone surrogate as the escape "\ud800", exactly as a hostile client would send it.
    return json.dumps(body)


def test_a_lone_surrogate_in_a_field_is_a_400_naming_it(app, net, api_token):
    api = Api(app, api_token)
    before = _matters(app)
    body = _registration(app, name="张\ud800明")
    resp = api.client.post("/api/v1/petitions", data=_raw(body), content_type="application/json",
                           headers=api.headers("c_recv"))
    assert resp.status_code == 400
    error = resp.get_json()["error"]
    assert error["fields"] == {"petitioners.0.name": ["包含无效的字符编码（孤立的代理字符）"]}
    assert _matters(app) == before


@pytest.mark.parametrize("payload", [
    '{"channel": "visit", "summary": "\\udfff"}',           # a low surrogate alone
    '{"\\ud800": 1}',                                       # in a key
    '{"summary": "\\ud83d"}',                               # the first half of an emoji, without the second
])
def test_lone_surrogates_anywhere_in_the_body(app, net, api_token, payload):
    api = Api(app, api_token)
    resp = api.client.post("/api/v1/petitions", data=payload, content_type="application/json",
                           headers=api.headers("c_recv"))
    assert resp.status_code == 400, resp.get_data(as_text=True)
    assert resp.get_json()["error"]["fields"]


def test_raw_surrogate_bytes_are_refused_as_bad_encoding(app, net, api_token):
    api = Api(app, api_token)
    resp = api.client.post("/api/v1/petitions", data=b'{"summary": "\xed\xa0\x80"}',
                           content_type="application/json", headers=api.headers("c_recv"))
    assert resp.status_code == 400
    assert resp.get_json()["error"]["fields"] == {"_body": ["请求内容不是有效的 UTF-8 编码"]}


def test_a_proper_surrogate_pair_is_an_ordinary_character(app, net, api_token):
    api = Api(app, api_token)
    body = _registration(app)
    body["summary"] = "东镇某厂拖欠工资 \ud83d\ude00 多次讨要未果，请求处理。"
    resp = api.client.post("/api/v1/petitions", data=_raw(body), content_type="application/json",
                           headers=api.headers("c_recv"))
    assert resp.status_code == 201, resp.get_json()
    assert "😀" in resp.get_json()["summary"]


@pytest.mark.parametrize("path", ["/api/v1/petitions", "/api/v1/auth/token", "/login", "/api/v1/petitions/1/accept"])
def test_a_body_nested_100000_deep_is_a_400_before_any_work(app, net, api_token, path):
    api = Api(app, api_token)
    headers = api.headers("c_recv")
    with app.app_context():
        engine = db.engine
    with StatementCounter(engine) as seen:
        resp = api.client.post(path, data=DEEP, content_type="application/json", headers=headers)
    assert resp.status_code == 400
    assert resp.get_json()["error"]["fields"] == {"_body": ["JSON 嵌套不能超过 32 层"]}
    assert seen.count == 0  # refused at the door: not even the token was looked up


def test_deep_nesting_inside_an_object_and_brackets_inside_strings(app, net, api_token):
    api = Api(app, api_token)
    headers = api.headers("c_recv")
    deep = '{"summary": ' + "{\"a\": " * 40 + "1" + "}" * 40 + "}"
    assert api.client.post("/api/v1/petitions", data=deep, content_type="application/json",
                           headers=headers).status_code == 400
    # Brackets inside a string are text, not nesting.
    body = _registration(app)
    body["summary"] = "[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[ 东镇某厂拖欠工资 {{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{ \"]]]\""
    resp = api.client.post("/api/v1/petitions", data=_raw(body), content_type="application/json", headers=headers)
    assert resp.status_code == 201, resp.get_json()


def test_nul_in_a_form_field_or_query_is_a_400_naming_it(app, net, login):
    web = login("c_recv")
    resp = web.client.get("/petitions?q=%00abc")
    assert resp.status_code == 400
    resp = web.client.post("/login", data={"username": "c_re\x00cv", "password": "x"})
    assert resp.status_code == 400
