"""The hall's public display board and the public leaders' rota: what they show (ticket numbers, counts, the
published rota), what they never show (a person, a phone, an ID, what a visit is about), and what a poll costs."""
import re
from datetime import timedelta

import pytest
import sqlalchemy as sa

from county_net.core.models import utcnow
from county_net.core.timeutil import local_today
from county_net.extensions import db
from county_net.hall import board
from county_net.hall.labels import ticket_label
from county_net.hall.models import RANK_BOOKED, RANK_PRIORITY, Visit
from county_net.tenancy import system_scope
from tests.hall.board_seed import SECRETS, seed_board_hall
from tests.petitions.test_statement_counts import StatementCounter


@pytest.fixture
def hall(app, net, api_token):
    board.forget_counties(app)
    yield seed_board_hall(app, net, api_token)
    board.forget_counties(app)


def test_ticket_label():
    day = local_today()
    assert ticket_label(day, 12, False) == "A012"
    assert ticket_label(day, 7, True) == "Y007"
    assert ticket_label(day, 1234, False) == "A1234"
    assert ticket_label(day, None, False) == ""


def test_state_json_shows_tickets_and_waiting_counts(app, hall):
    resp = app.test_client().get("/hall/board/C0/state.json")
    assert resp.status_code == 200
    state = resp.get_json()
    assert state["hall"] == "测试县信访局" and state["day"] == local_today().isoformat()
    windows = {w["number"]: w for w in state["windows"]}
    assert sorted(windows) == [1, 2]
    assert windows[1]["name"] == "人社窗口" and windows[1]["waiting"] == 2
    assert [s["ticket"] for s in windows[1]["serving"]] == ["Y002", "A001"]  # the newest call first
    assert [(s["state"], s["calling"]) for s in windows[1]["serving"]] == [("called", True), ("interviewing", False)]
    assert windows[2] == {"number": 2, "name": "综合受理窗口", "serving": [], "waiting": 1}
    assert state["waiting_total"] == 3
    assert state["calling"] == [{"ticket": "Y002", "window": 1, "window_name": "人社窗口"}]
    assert [s["leader_name"] for s in state["leaders_today"]] == ["今晨领导", "今日县长"]
    assert [s["held"] for s in state["leaders_today"]] == [True, False]
    assert [s["leader_name"] for s in state["rota"]] == ["明日书记"]
    assert state["rota"][0]["form_label"] == "专题接访"
    assert state["poll_seconds"] == 2


def test_board_and_json_never_show_people_or_matters(app, hall):
    client = app.test_client()
    for path in ("/hall/board/C0", "/hall/board/C0/state.json", "/hall/rota/C0"):
        resp = client.get(path)
        assert resp.status_code == 200
        text = resp.get_data(as_text=True)
        for secret in SECRETS:
            assert secret not in text, (path, secret)
    page = client.get("/hall/board/C0").get_data(as_text=True)
    for label in ("A001", "Y002", "人社窗口", "综合受理窗口", "今日县长", "明日书记"):
        assert label in page
    assert "停用窗口" not in page


def test_a_poll_costs_at_most_two_statements(app, hall):
    client = app.test_client()
    assert client.get("/hall/board/C0/state.json").status_code == 200  # warms the map of county centers
    with StatementCounter(app) as counter:
        resp = client.get("/hall/board/C0/state.json")
    assert resp.status_code == 200
    assert counter.count <= 2, counter.statements
    with StatementCounter(app) as counter:  # the page itself reads the same two
        assert client.get("/hall/board/C0").status_code == 200
    assert counter.count <= 2, counter.statements


def test_unknown_county_is_404(app, hall):
    client = app.test_client()
    for path in ("/hall/board/NOPE", "/hall/board/NOPE/state.json", "/hall/rota/NOPE",
                 "/hall/board/T1", "/hall/board/T1/state.json", "/hall/rota/B1"):  # a unit, but no hall
        assert client.get(path).status_code == 404, path
    assert client.get("/hall/board/" + "X" * 40).status_code == 404


def test_strict_csp_and_no_inline_script_or_style(app, hall):
    resp = app.test_client().get("/hall/board/C0")
    csp = resp.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert resp.headers["Cache-Control"] == "no-store"
    html = resp.get_data(as_text=True)
    scripts = re.findall(r"<script([^>]*)>(.*?)</script>", html, re.S)
    assert scripts and all('src="' in attrs and not body.strip() for attrs, body in scripts)
    assert " style=" not in html and "<style" not in html and " on" + "load=" not in html
    assert 'data-state-url="/hall/board/C0/state.json"' in html and 'data-poll-seconds="2"' in html
    assert app.test_client().get("/static/js/hall-board.js").status_code == 200


def test_board_settings_from_the_network_file(app, hall, net):
    from county_net.units.models import Unit

    with app.app_context(), system_scope("test"):
        unit = db.session.get(Unit, net.units["C0"])
        unit.settings = '{"hall": {"hall_name": "测试县联合接待中心", "board_poll_seconds": 3}}'
        db.session.commit()
        db.session.remove()
    board.forget_counties(app)
    state = app.test_client().get("/hall/board/C0/state.json").get_json()
    assert state["hall"] == "测试县联合接待中心" and state["poll_seconds"] == 3


def test_public_rota_lists_published_sessions_from_today(app, hall):
    resp = app.test_client().get("/hall/rota/C0")
    assert resp.status_code == 200
    html = resp.get_data(as_text=True)
    for shown in ("今日县长", "明日书记", "远期领导", "分管人社、教育", "劳动保障专题", "县联合接待中心县领导接待室",
                  "定点接访", "专题接访"):
        assert shown in html, shown
    for hidden in ("未公布的领导", "已取消的领导", "昨日领导", "镇里领导", "今晨领导"):  # held: no longer to come
        assert hidden not in html, hidden
    assert html.index("今日县长") < html.index("明日书记") < html.index("远期领导")


def test_window_queue_order(app, net, hall):
    today, now = local_today(), utcnow()
    c0 = net.units["C0"]
    with app.app_context(), system_scope("test"):
        w2 = hall["w2"]
        late_priority = Visit(unit_id=c0, day=today, ticket_no=20, state="waiting", window_id=w2,
                              queue_rank=RANK_PRIORITY, checked_in_at=now)
        late_booked = Visit(unit_id=c0, day=today, ticket_no=21, state="waiting", window_id=w2, booked=True,
                            queue_rank=RANK_BOOKED, checked_in_at=now - timedelta(minutes=1))
        db.session.add_all([late_priority, late_booked])
        db.session.commit()
        order = [v.ticket_no for v in board.window_queue(c0, w2, today)]
        db.session.remove()
    # Put first, then the booked, then ticket 5 (a walk-in who came an hour earlier).
    assert order == [20, 21, 5]


def test_now_calling_lasts_half_a_minute(app, hall):
    """Y002 is "now calling" for 30 s after its call, then only served (the instant is passed in: no test waits)."""
    with app.test_request_context():
        county = board.county_by_code("C0")
        with system_scope("test"):
            called_at = db.session.scalar(sa.select(Visit.called_at).where(Visit.ticket_no == 2,
                                                                             Visit.unit_id == county.id))
        soon = board.board_state(county, now=called_at + timedelta(seconds=29))
        later = board.board_state(county, now=called_at + timedelta(seconds=31))
    assert [c["ticket"] for c in soon["calling"]] == ["Y002"]
    assert later["calling"] == []
    serving = {s["ticket"]: s for w in later["windows"] for s in w["serving"]}
    assert serving["Y002"] == {"ticket": "Y002", "state": "called", "calling": False}
