"""督办看板 on a fixture with hand-counted figures; every figure's list (web and API) has exactly as many rows."""
import re
from datetime import datetime, timedelta, timezone
from urllib.parse import urlsplit

import pytest
import sqlalchemy as sa

from county_net.core.timeutil import local_today
from county_net.extensions import db
from county_net.petitions.models import Petition
from county_net.tenancy import system_scope
from tests.desk.helpers import closed_by_township, reported
from tests.petitions.helpers import Api


@pytest.fixture
def api(app, net, api_token):
    return Api(app, api_token)


def _set(app, petition_id, **values):
    """Put a matter's stored limit (or received time) where the fixture needs it: the figures are counted
    on the row, and the hand count must not depend on today's holidays."""
    with app.app_context(), system_scope("test fixture"):
        db.session.execute(sa.update(Petition).where(Petition.id == petition_id).values(**values))
        db.session.commit()
        db.session.remove()


@pytest.fixture
def board_fixture(api, net, app):
    """Hand count, with the default warning window of 3 days (due today .. today + 3 is 'soon'):
    东镇 (T1): 3 open — due today - 2 (overdue), today (soon), today + 4 (neither)
    人社局 (B1): 2 open — due today + 3 (soon, the window's last day), today - 1 (overdue)
    县信访局 (C0): 2 open — one reported back and waiting for review (due today + 10), one collective visit
                 received 2 days ago (due today + 12); plus a collective visit of 40 days ago, closed
    西镇 (T2): nothing open (one declined)
    Totals: open 7, soon 2, overdue 2; review queue 1; collective in 30 days 1."""
    today = local_today()
    t1 = []
    for _ in range(3):
        p = api.register("c_recv")
        api.act("c_recv", p, "transfer", to_unit_id=net.units["T1"])
        t1.append(p["id"])
    for pid, days in zip(t1, (-2, 0, 4)):
        _set(app, pid, due_on=today + timedelta(days=days))
    b1 = []
    for _ in range(2):
        p = api.register("c_recv")
        api.act("c_recv", p, "transfer", to_unit_id=net.units["B1"])
        b1.append(p["id"])
    for pid, days in zip(b1, (3, -1)):
        _set(app, pid, due_on=today + timedelta(days=days))
    waiting = reported(api, net, unit="T2", user="t2_recv")
    _set(app, waiting["id"], due_on=today + timedelta(days=10))
    now = datetime.now(timezone.utc)
    recent = api.register("c_recv", head_count=6, received_at=(now - timedelta(days=2)).isoformat())
    _set(app, recent["id"], due_on=today + timedelta(days=12))
    old = api.register("c_recv", head_count=8, received_at=(now - timedelta(days=40)).isoformat())
    old = api.act("c_recv", api.show("c_recv", old["id"]), "redirect", channel="litigation", organ="县人民法院",
                  reason="属诉讼事项")
    declined = api.register("t2_recv")
    api.act("t2_recv", declined, "decline", reason="不属于信访事项", channel="litigation")
    return {"T1": t1, "B1": b1, "waiting": waiting["id"], "recent": recent["id"]}


def _units(body):
    return {u["unit"]: (u["open"], u["due_soon"], u["overdue"]) for u in body["units"]}


def test_board_figures_by_hand(api, net, board_fixture):
    body = api.get("c_recv", "/api/v1/desk/board").get_json()
    assert _units(body) == {"东镇人民政府": (3, 1, 1), "测试县人社局": (2, 1, 1), "测试县信访局": (2, 0, 0)}
    assert body["totals"] == {"open": 7, "due_soon": 2, "overdue": 2}
    assert body["review_queue"] == 1 and body["due_soon_days"] == 3
    assert body["collective"]["count"] == 1
    assert [r["id"] for r in body["collective"]["latest"]] == [board_fixture["recent"]]
    # The worst unit first.
    assert body["units"][0]["unit"] == "东镇人民政府"


def _api_total(api, link):
    body = api.get("c_recv", link + ("&" if "?" in link else "?") + "page_size=100").get_json()
    assert len(body["items"]) == body["meta"]["total"]
    return body["meta"]["total"]


def test_every_figure_lists_as_many_rows(api, net, board_fixture, login):
    body = api.get("c_recv", "/api/v1/desk/board").get_json()
    checks = []
    for unit in body["units"]:
        for key in ("open", "due_soon", "overdue"):
            checks.append((unit[key], unit["links"][key]))
    for key in ("open", "due_soon", "overdue"):
        checks.append((body["totals"][key], body["total_links"][key]))
    checks.append((body["collective"]["count"], body["collective"]["link"]))
    for figure, link in checks:
        assert link.startswith("/api/v1/petitions"), link
        assert _api_total(api, link) == figure, link
    queue = api.get("c_recv", body["review_queue_link"]).get_json()
    assert len(queue["items"]) == body["review_queue"]
    # The web board links to the web lists, with the same rows.
    web = login("c_recv")
    page = web.get("/desk").get_data(as_text=True)
    links = dict(re.findall(r'id="board-([a-z-]+)" href="([^"]+)"', page))
    expected = {"open": 7, "due-soon": 2, "overdue": 2, "review": 1, "collective": 1}
    for name, figure in expected.items():
        listing = web.get(links[name].replace("&amp;", "&")).get_data(as_text=True)
        rows = re.findall(r'<a href="/petitions/\d+">', listing)
        assert len(rows) == figure, (name, links[name])


def test_board_is_the_centers_home_and_heads_see_what_is_asked(api, net, login, board_fixture):
    home = login("c_recv").get("/").get_data(as_text=True)
    assert "督办看板" in home and home.index('id="home-board"') < home.index("本单位待办")
    quiet = login("t1_head").get("/").get_data(as_text=True)
    assert 'id="home-board"' not in quiet and 'id="asked-of-me"' not in quiet  # nothing asked of 东镇 yet
    closed_by_township(api, net)
    asked = login("t1_head").get("/").get_data(as_text=True)
    assert 'id="asked-of-me"' in asked and "到期待回访" in asked


def test_follow_ups_due_figure(api, net, app):
    p = closed_by_township(api, net)
    from county_net.desk.models import FollowUp

    with app.app_context(), system_scope("test"):
        db.session.execute(sa.update(FollowUp).where(FollowUp.petition_id == p["id"]).values(due_on=local_today()))
        db.session.commit()
        db.session.remove()
    t1 = api.get("t1_recv", "/api/v1/desk/board").get_json()
    assert t1["follow_ups_due"] == 1
    listing = api.get("t1_recv", t1["follow_ups_due_link"]).get_json()
    assert listing["meta"]["total"] == 1 and listing["items"][0]["is_due"]
