"""Odd registrations are refused with a clear message, on the API and on the desk's form alike: numbers that
are not whole, dates no desk could mean, names that are blank to the eye or turn the text around."""
from datetime import timedelta

import pytest

from county_net.core.text import LINE, NAME, TEXT, text_problem
from county_net.core.timeutil import local_today
from tests.petitions.helpers import Api, category_id, id_number

ZWSP, RLO, LRI, HANGUL_FILLER = "\u200b", "\u202e", "\u2066", "\u3164"


def _register(api, **fields):
    body = {
        "channel": "visit",
        "petitioners": [{"name": "张某明", "id_number": id_number(1), "phone": "13800001111"}],
        "category_id": category_id(api.app),
        "nature": "demand",
        "summary": "东镇某厂拖欠本人2025年下半年工资共计1.2万元，多次讨要未果。",
    }
    body.update(fields)
    return api.client.post("/api/v1/petitions", json=body, headers=api.headers("c_recv"))


def _refused(resp, *path):
    assert resp.status_code == 400, resp.get_json()
    fields = resp.get_json()["error"]["fields"]
    for key in path:
        assert key in fields, (path, fields)
        fields = fields[key]
    assert fields and all(isinstance(m, str) and m for m in fields), fields
    return fields


@pytest.mark.parametrize("value", [1.5, 2.0, "1", True])
def test_a_category_id_that_is_not_a_whole_number_is_refused(app, net, api_token, value):
    api = Api(app, api_token)
    messages = _refused(_register(api, category_id=value), "category_id")
    assert messages == ["须为整数"]


@pytest.mark.parametrize("field, value", [("head_count", 2.5), ("locality_unit_id", 2.0)])
def test_other_numbers_are_strict_too(app, net, api_token, field, value):
    _refused(_register(Api(app, api_token), **{field: value}), field)


@pytest.mark.parametrize("received_at", ["0001-01-01T08:00:00+08:00", "1026-05-01T09:00:00+08:00",
                                         "9999-12-31T23:59:00+08:00", "0001-01-01T00:00:00+14:00"])
def test_a_received_date_no_desk_could_mean_is_refused(app, net, api_token, received_at):
    messages = _refused(_register(Api(app, api_token), received_at=received_at), "received_at")
    assert any("收件时间" in m for m in messages), messages


def test_a_received_date_within_three_years_is_taken(app, net, api_token):
    day = (local_today() - timedelta(days=700)).isoformat()
    resp = _register(Api(app, api_token), received_at=f"{day}T09:30:00+08:00")
    assert resp.status_code == 201, resp.get_json()
    assert resp.get_json()["received_at"].startswith(day)


@pytest.mark.parametrize("name, message", [
    (ZWSP, "零宽"), (f"张三{RLO}gnaw", "文字方向"), (f"{LRI}李四", "文字方向"), (HANGUL_FILLER, "可见"),
    ("   ", "可见"), ("王\n五", "控制字符"), ("赵\u00ad六", "零宽"),
])
def test_names_blank_to_the_eye_or_turned_around_are_refused(app, net, api_token, name, message):
    api = Api(app, api_token)
    resp = _register(api, petitioners=[{"name": name}])
    messages = _refused(resp, "petitioners", "0", "name")
    assert any(message in m for m in messages), messages


def test_free_text_keeps_its_lines_but_not_direction_controls_or_other_control_characters(app, net, api_token):
    api = Api(app, api_token)
    ok = _register(api, summary="第一行：拖欠工资。\r\n第二行：\t多次讨要未果。", demands="支付工资\n赔偿损失")
    assert ok.status_code == 201, ok.get_json()
    _refused(_register(api, summary=f"拖欠工资{RLO}多次讨要未果。"), "summary")
    _refused(_register(api, summary="拖欠工资\x07多次讨要未果。"), "summary")
    _refused(_register(api, petitioners=[{"name": "张某明", "address": f"东镇{ZWSP}甲村"}]),
             "petitioners", "0", "address")
    matter = ok.get_json()
    resp = api.client.post(f"/api/v1/petitions/{matter['id']}/redirect", headers=api.headers("c_recv"), json={
        "version": matter["version"], "channel": "litigation", "organ": f"县人民法院{RLO}",
        "reason": "属于法院受理范围。"})
    _refused(resp, "organ")
    resp = api.client.post(f"/api/v1/petitions/{matter['id']}/redirect", headers=api.headers("c_recv"), json={
        "version": matter["version"], "channel": "litigation", "organ": "县人民法院", "reason": ZWSP * 3})
    _refused(resp, "reason")


def test_search_dates_out_of_range_are_a_400_not_an_overflow(app, net, api_token):
    api = Api(app, api_token)
    for query in ("received_from=0001-01-01", "received_to=9999-12-31"):
        resp = api.get("c_recv", f"/api/v1/petitions?{query}")
        assert resp.status_code == 400, (query, resp.status_code)


def test_the_desk_form_refuses_the_same(app, net, login):
    desk = login("c_recv")
    base = {"channel": "visit", "category_id": str(category_id(app)), "nature": "demand", "head_count": "1",
            "summary": "东镇某厂拖欠本人工资共计1.2万元，多次讨要未果。", "name_0": "张某明"}
    cases = [({"name_0": ZWSP}, "零宽"), ({"name_0": f"张三{RLO}"}, "文字方向"),
             ({"received_at_local": "0001-01-01T09:00"}, "收件时间"), ({"category_id": "1.5"}, "须为整数")]
    for change, message in cases:
        resp = desk.post("/petitions/new", {**base, **change})
        page = resp.get_data(as_text=True)
        assert resp.status_code == 400 and message in page, (change, resp.status_code)
    # The desk may type an ID number and a phone with spaces, as on the card.
    resp = desk.post("/petitions/new", {**base, "id_number_0": id_number(2)[:6] + " " + id_number(2)[6:],
                                        "phone_0": "138 0000 2222"})
    assert resp.status_code == 302, resp.get_data(as_text=True)[:300]


def test_the_admin_forms_refuse_such_names_too(app, net, login):
    admin = login("admin")
    resp = admin.post("/admin/users/new", {"username": "new_clerk", "name": f"新{RLO}员", "unit_id": str(net.units["T1"]),
                                          "roles": "receptionist", "password": "Another-pass-2026"})
    assert resp.status_code == 400 and "文字方向" in resp.get_data(as_text=True)
    resp = admin.post("/admin/categories", {"code": "77", "name": ZWSP, "sort_order": "0"})
    assert resp.status_code == 400 and "零宽" in resp.get_data(as_text=True)


@pytest.mark.parametrize("value, kind, refused", [
    ("张三", NAME, False), ("Zhang San", NAME, False), ("阿卜杜拉·买买提", NAME, False), ("O'Brien-李", NAME, False),
    (ZWSP, NAME, True), ("张\u200d三", NAME, True), (f"张{RLO}三", NAME, True), ("\u0301", NAME, True),
    ("\u2800", NAME, True), ("张\t三", NAME, True), ("东镇甲村3组", LINE, False), ("甲村\r\n", LINE, True),
    ("一\n二\r\n\t三", TEXT, False), (f"一{RLO}二", TEXT, True), ("一\x1b[31m二", TEXT, True),
    ("👨\u200d👩\u200d👧 家庭", TEXT, False), (ZWSP * 2, TEXT, True), ("\ud800", TEXT, True),
])
def test_the_shared_text_rule(value, kind, refused):
    assert (text_problem(value, kind) is not None) == refused
