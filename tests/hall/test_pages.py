"""The hall's web pages: the desk's check-in form, the visit page, the window desk with its call and its
outcome form, the printable slip and 告知单; field messages for bad input, 403 outside the center."""
import re

import sqlalchemy as sa

from county_net.extensions import db
from county_net.hall.models import Visit
from county_net.tenancy import system_scope
from tests.hall.helpers import clock, morning  # noqa: F401


def _form(**extra):
    data = {"people-0-name": "网页来访人", "people-0-phone": "13900002222", "purpose": "反映工资被拖欠，要求支付。",
            "head_count": "1", "category_id": "1", "id_checked": "1"}
    data.update(extra)
    return data


def _visit_id(resp) -> int:
    return int(re.search(r"/hall/visits/(\d+)", resp.headers["Location"]).group(1))


def test_check_in_through_the_form_and_run_the_window(app, net, login, morning):
    desk = login("c_recv")
    home = desk.get("/hall").get_data(as_text=True)
    for link in ('href="/hall/check-in"', 'href="/hall/day"', 'href="/hall/incidents"', 'href="/hall/board/C0"',
                 'href="/hall/reception-days"', 'href="/hall/setup"'):
        assert link in home, link
    for path in ("/hall/day", "/hall/incidents", "/hall/setup", "/hall/reception-days", "/hall/bookings"):
        assert desk.get(path).status_code == 200, path
    resp = desk.post("/hall/check-in", _form())
    assert resp.status_code == 302, resp.get_data(as_text=True)[:2000]
    visit_id = _visit_id(resp)
    page = desk.get(f"/hall/visits/{visit_id}").get_data(as_text=True)
    assert "A001" in page and "第 1 位" in page and "13900002222" not in page
    slip = desk.get(f"/hall/visits/{visit_id}/slip").get_data(as_text=True)
    assert "A001" in slip and "网页来访人" not in slip  # the slip carries the number, not the name
    with app.app_context(), system_scope("check"):
        window_id = db.session.scalar(sa.select(Visit.window_id).where(Visit.id == visit_id))
        db.session.remove()
    board = desk.get(f"/hall/windows/{window_id}").get_data(as_text=True)
    assert "A001" in board and "叫下一个号" in board
    assert desk.post(f"/hall/windows/{window_id}/call", {}, form_page=f"/hall/windows/{window_id}").status_code == 302
    board = desk.get(f"/hall/windows/{window_id}").get_data(as_text=True)
    assert "正在接待" in board and "开始接谈" in board
    version = int(re.search(r'name="version" value="(\d+)"', board).group(1))
    desk.post(f"/hall/visits/{visit_id}/do/start", {"version": version, "window_id": window_id},
              form_page=f"/hall/windows/{window_id}")
    board = desk.get(f"/hall/windows/{window_id}").get_data(as_text=True)
    version = int(re.search(r'name="version" value="(\d+)"', board).group(1))
    # The outcome form refuses a 转送 without its unit, keeping the visit as it was and everything typed.
    resp = desk.post(f"/hall/visits/{visit_id}/do/finish", {
        "version": version, "window_id": window_id, "outcome": "transfer", "interview_who": "本人及其妻子",
        "interview_said": "某厂欠薪八千元，多次讨要未果。", "interview_agreed": "转人社局处理"},
        form_page=f"/hall/windows/{window_id}")
    assert resp.status_code == 400
    page = resp.get_data(as_text=True)
    assert 'id="finish-to_unit_id-error"' in page and "请选择本县的责任单位" in page
    assert "某厂欠薪八千元，多次讨要未果。" in page and "本人及其妻子" in page and "转人社局处理" in page
    assert '<option value="transfer" selected>' in page
    # An empty answer says what to fill in.
    resp = desk.post(f"/hall/visits/{visit_id}/do/finish", {"version": version, "window_id": window_id,
                                                            "outcome": "oral"}, form_page=f"/hall/windows/{window_id}")
    assert resp.status_code == 400 and "请填写当场答复的内容" in resp.get_data(as_text=True)
    resp = desk.post(f"/hall/visits/{visit_id}/do/finish", {
        "version": version, "window_id": window_id, "outcome": "notice", "organ": "县人民法院",
        "reason": "属于诉讼事项", "interview_said": "要求法院执行判决。"}, form_page=f"/hall/windows/{window_id}")
    assert resp.status_code == 302
    notice = desk.get(f"/hall/visits/{visit_id}/notice").get_data(as_text=True)
    assert "告知单" in notice and "县人民法院" in notice and "网页来访人" in notice


def test_the_form_shows_field_messages_and_refuses_a_sixth_representative(app, net, login, morning):
    desk = login("c_recv")
    resp = desk.post("/hall/check-in", {"purpose": "", "head_count": "1"})
    assert resp.status_code == 400  # the form again, with its messages
    page = resp.get_data(as_text=True)
    assert "请至少登记一名来访人" in page or "people" in page
    six = {f"people-{i}-name": f"代表{i}" for i in range(6)}
    page = desk.post("/hall/check-in", _form(**six, head_count="40")).get_data(as_text=True)
    assert "代表" in page and "不超过" in page
    # An ID number that fails its check digit says which person and why (not a bare index).
    page = desk.post("/hall/check-in", _form(**{"people-0-id_number": "123456789012345678"})).get_data(as_text=True)
    assert "第 1 位来访人：" in page
    page = desk.post("/hall/check-in", _form(purpose="")).get_data(as_text=True)
    assert "请填写反映的问题" in page
    page = desk.post("/hall/check-in", _form(head_count="0")).get_data(as_text=True)
    assert 'id="head_count-error"' in page
    with app.app_context(), system_scope("check"):
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Visit)) == 0
        db.session.remove()


def test_a_closed_hall_says_so_on_the_form(app, net, login, clock):
    clock(2026, 11, 29, 10)  # Sunday
    desk = login("c_recv")
    page = desk.post("/hall/check-in", _form()).get_data(as_text=True)
    assert "不在接待时间" in page


def test_a_township_has_no_hall(app, net, login, morning):
    assert login("t1_recv").get("/hall").status_code == 404
    assert login("t1_recv").get("/hall/check-in").status_code == 404


def test_a_booking_for_a_day_in_the_past_or_a_holiday_is_refused(app, net, login, morning):
    desk = login("c_recv")
    page = desk.post("/hall/bookings", _form(day="2026-11-01")).get_data(as_text=True)
    assert "不能早于今天" in page
    page = desk.post("/hall/bookings", _form(day="2026-12-06")).get_data(as_text=True)  # a Sunday
    assert "不是工作日" in page
    resp = desk.post("/hall/bookings", _form(day="2026-12-01", booked_time="09:30"))
    assert resp.status_code == 302
    assert "网页来访人" in desk.get("/hall/bookings").get_data(as_text=True)
