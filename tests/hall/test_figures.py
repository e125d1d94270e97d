"""The hall's day in figures against a hand-counted fixture: visits of 1, 2 and 6 people (批次 3, 人次 9, the
6-person one collective), a booking never kept, another day's and another county's visits that must not count;
the same numbers on the API, the A4 page and the .xlsx; only the county center that runs the hall sees them."""
from __future__ import annotations

from datetime import date
from io import BytesIO

import pytest
from openpyxl import load_workbook

from tests.hall.figures_helpers import add_window, at, make_visits, window_id
from tests.tenancy.seed import neighbour_county

DAY = date(2026, 3, 2)  # a Monday, a working day: the hall closes at 17:00 by default
OTHER_DAY = date(2026, 3, 3)


@pytest.fixture
def fixture(app, net):
    c0 = net.units["C0"]
    w1 = window_id(app, c0, 1)  # 人社窗口, 人社局 stationed
    w2 = add_window(app, c0, 2, "综合窗口", [net.units["T1"]])
    make_visits(app, c0, [
        # 1 person, booked, window 1: waited 10, talked 15; 口头告知, routed to 信访.
        dict(day=DAY, ticket_no=1, state="left", booked=True, queue_rank=1, head_count=1, window_id=w1,
             checked_in_at=at(DAY, "09:00"), called_at=at(DAY, "09:10"), interview_started_at=at(DAY, "09:10"),
             interview_ended_at=at(DAY, "09:25"), left_at=at(DAY, "09:30"), outcome="oral", route_to="petition"),
        # 2 people, walk-in, window 1: waited 30, talked 30; 转送单, routed to 部门窗口, jointly.
        dict(day=DAY, ticket_no=2, state="done", head_count=2, window_id=w1, checked_in_at=at(DAY, "09:05"),
             called_at=at(DAY, "09:35"), interview_started_at=at(DAY, "09:35"), interview_ended_at=at(DAY, "10:05"),
             outcome="transfer", route_to="department", is_joint=True),
        # 6 people, collective walk-in, window 2: waited 20, still in the interview at closing.
        dict(day=DAY, ticket_no=3, state="interviewing", head_count=6, is_collective=True, window_id=w2,
             checked_in_at=at(DAY, "09:20"), called_at=at(DAY, "09:40"), interview_started_at=at(DAY, "09:40"),
             route_to="mediation"),
        # A booking never kept: no ticket, not a 批次; a no-show.
        dict(day=DAY, state="no_show", booked=True, queue_rank=1, head_count=1),
        # Another day's visit.
        dict(day=OTHER_DAY, ticket_no=1, state="waiting", head_count=4, window_id=w1,
             checked_in_at=at(OTHER_DAY, "09:00")),
    ])
    ids = neighbour_county(app, [("k_recv", "K0", ["receptionist"]), ("k1_recv", "K1", ["receptionist"])])
    make_visits(app, ids["K0"], [dict(day=DAY, ticket_no=1, state="waiting", head_count=50, is_collective=True,
                                      checked_in_at=at(DAY, "09:00"))])
    net.windows = {"w1": w1, "w2": w2}
    return net


HALL = {
    "batches": 3, "people": 9, "booked_batches": 1, "booked_people": 1, "walk_in_batches": 2, "walk_in_people": 8,
    "collective_batches": 1, "collective_people": 6, "joint": 1, "wait_avg": 20.0, "wait_max": 30.0,
    "interview_avg": 22.5, "interview_max": 30.0, "no_shows": 1, "bookings_not_kept": 1, "open_at_closing": 1,
    "outcomes": {"oral": 1, "phone": 0, "notice": 0, "transfer": 1, "assign": 0, "digest": 0},
    "routes": {"petition": 1, "police": 0, "court": 0, "legal_service": 0, "mediation": 1, "department": 1,
               "other": 0},
}
WINDOW_1 = {"batches": 2, "people": 3, "booked_batches": 1, "walk_in_batches": 1, "walk_in_people": 2,
            "collective_batches": 0, "wait_avg": 20.0, "wait_max": 30.0, "interview_avg": 22.5,
            "interview_max": 30.0, "open_at_closing": 0, "no_shows": 0}
WINDOW_2 = {"batches": 1, "people": 6, "collective_batches": 1, "collective_people": 6, "wait_avg": 20.0,
            "interview_avg": None, "interview_max": None, "open_at_closing": 1,
            "routes": {**{k: 0 for k in HALL["routes"]}, "mediation": 1}}


def _subset(actual: dict, expected: dict) -> None:
    for key, value in expected.items():
        assert actual[key] == value, (key, actual[key], value)


def test_the_api_counts_the_fixture_by_hand(app, fixture, api_token):
    resp = app.test_client().get(f"/api/v1/hall/day?day={DAY.isoformat()}", headers=api_token("c_recv"))
    assert resp.status_code == 200, resp.get_json()
    body = resp.get_json()
    assert body["day"] == DAY.isoformat() and body["closing_time"] == "17:00"
    assert body["hall_name"] == "测试县信访局联合接待中心"
    _subset(body["hall"], HALL)
    windows = {w["number"]: w for w in body["windows"]}
    _subset(windows[1], WINDOW_1)
    _subset(windows[2], WINDOW_2)
    _subset(windows[None], {"batches": 0, "no_shows": 1, "bookings_not_kept": 1})  # the booking, never queued
    units = {u["unit_id"]: u for u in body["units"]}
    assert set(units) == {fixture.units["B1"], fixture.units["T1"]}
    _subset(units[fixture.units["B1"]], {"batches": 2, "people": 3, "wait_max": 30.0})
    _subset(units[fixture.units["T1"]], {"batches": 1, "people": 6, "collective_batches": 1})
    [ticket] = body["open_tickets"]
    assert ticket["ticket_no"] == 3 and ticket["ticket"] == "A003" and ticket["window_id"] == fixture.windows["w2"]
    assert ticket["state"] == "interviewing" and ticket["state_label"] == "接谈中"
    assert ticket["window"] == "2号窗口（综合窗口）" and ticket["checked_in_at"].startswith("2026-03-02T09:20")


def test_another_day_and_an_empty_day(app, fixture, api_token):
    client = app.test_client()
    other = client.get(f"/api/v1/hall/day?day={OTHER_DAY.isoformat()}", headers=api_token("c_recv")).get_json()
    _subset(other["hall"], {"batches": 1, "people": 4, "open_at_closing": 1, "wait_avg": None, "no_shows": 0})
    empty = client.get("/api/v1/hall/day?day=2026-03-04", headers=api_token("c_recv")).get_json()
    _subset(empty["hall"], {"batches": 0, "people": 0, "wait_avg": None, "interview_max": None})
    assert empty["open_tickets"] == [] and {w["number"] for w in empty["windows"]} == {1, 2}
    sunday = client.get("/api/v1/hall/day?day=2026-03-01", headers=api_token("c_recv")).get_json()
    assert sunday["closing_time"] is None
    assert client.get("/api/v1/hall/day?day=2026-02-30", headers=api_token("c_recv")).status_code == 400
    assert client.get("/api/v1/hall/day", headers=api_token("c_recv")).status_code == 200  # today


def test_only_the_county_center_that_runs_the_hall_sees_it(app, fixture, api_token, login):
    client = app.test_client()
    for user in ("t1_head", "t1_recv", "b1_head", "e1_liaison", "k1_recv"):
        assert client.get(f"/api/v1/hall/day?day={DAY.isoformat()}", headers=api_token(user)).status_code == 404
        web = login(user)
        assert web.get(f"/hall/day?day={DAY.isoformat()}").status_code == 404
        assert web.get(f"/hall/day.xlsx?day={DAY.isoformat()}").status_code == 404
    # The neighbour county's center sees its own hall only: its one collective visit of 50.
    theirs = client.get(f"/api/v1/hall/day?day={DAY.isoformat()}", headers=api_token("k_recv")).get_json()
    _subset(theirs["hall"], {"batches": 1, "people": 50, "collective_people": 50})
    assert theirs["units"] == [] and [t["ticket_no"] for t in theirs["open_tickets"]] == [1]


def test_the_figures_read_under_the_callers_scope(app, fixture):
    """A scope that does not hold the county center sees none of its visits, whatever id it passes."""
    from county_net.accounts.models import User
    from county_net.extensions import db
    from county_net.hall.figures import day_figures
    from county_net.tenancy import scope_for_user, system_scope
    from county_net.tenancy.context import set_request_scope

    with app.test_request_context():
        with system_scope("test"):
            assert day_figures(fixture.units["C0"], DAY).hall.people == 9
            township = db.session.get(User, fixture.users["t1_recv"])
            scope = scope_for_user(township)
        set_request_scope(scope)
        figures = day_figures(fixture.units["C0"], DAY)
        assert figures.hall.batches == 0 and figures.open_tickets == [] and figures.windows == []
        assert all(block.batches == 0 for _, block in figures.units)
        db.session.remove()


def test_the_a4_page(app, fixture, login):
    web = login("c_recv")
    page = web.get(f"/hall/day?day={DAY.isoformat()}")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert 'id="hall-batches">3<' in html and 'id="hall-people">9<' in html and 'id="hall-collective">1<' in html
    assert "hall-day.css" in html and "2号窗口（综合窗口）" in html and "接谈中" in html and "测试县人社局" in html
    assert "style=" not in html and "<script" not in html
    assert web.get("/hall/day?day=nonsense").status_code == 400
    assert "当日不开放" in web.get("/hall/day?day=2026-03-01").get_data(as_text=True)


def test_the_xlsx_holds_the_same_numbers(app, fixture, login):
    resp = login("c_recv").get(f"/hall/day.xlsx?day={DAY.isoformat()}")
    assert resp.status_code == 200
    assert resp.mimetype == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    wb = load_workbook(BytesIO(resp.data))
    ws = wb["当日汇总"]
    rows = [[cell.value for cell in row] for row in ws.iter_rows()]
    header = next(r for r in rows if r[1] == "批次")
    col = {name: i for i, name in enumerate(header) if name}

    def line(label):
        return next(r for r in rows if r[0] == label)

    hall = line("全厅合计")
    for name, value in (("批次", 3), ("人次", 9), ("预约批次", 1), ("现场人次", 8), ("集体访批次", 1),
                        ("集体访人次", 6), ("口头告知", 1), ("转送单", 1), ("立案交办", 0), ("分流信访", 1),
                        ("分流调解组织", 1), ("分流部门窗口", 1), ("联合处置", 1), ("平均候谈（分钟）", 20),
                        ("最长候谈（分钟）", 30), ("平均接谈（分钟）", 22.5), ("未到", 1), ("闭厅时未结", 1)):
        assert hall[col[name]] == value, name
    assert line("1号窗口（人社窗口）")[col["人次"]] == 3
    assert line("2号窗口（综合窗口）")[col["平均接谈（分钟）"]] == "—"
    assert line("测试县人社局")[col["批次"]] == 2 and line("东镇人民政府")[col["人次"]] == 6
    [ticket] = [r for r in rows if r[0] == "A003" and r[2] == "接谈中"]
    assert ticket[1] == "2号窗口（综合窗口）" and ticket[3] == "09:20"
    assert ws.page_setup.orientation == "landscape"
