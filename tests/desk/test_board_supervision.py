"""The board's open supervision by level, and what a unit owes on supervision at login: hand-counted, each
figure's list (the supervision capability's own) as long as the figure."""
from datetime import timedelta

import pytest

from county_net.core.timeutil import local_today
from county_net.extensions import db
from county_net.tenancy import system_scope
from tests.petitions.helpers import Api


@pytest.fixture
def records(app, net):
    """东镇: 黄牌 issued, 黄牌 received, 红牌 feedback submitted (3 open); 普通 closed, 催办 cancelled (not open).
    人社局: 催办 received (open). By level: 催办 1, 普通 0, 黄牌 2, 红牌 1. 东镇 owes: sign 1, report 1."""
    from county_net.supervision.models import Supervision

    rows = [("T1", "yellow", "issued"), ("T1", "yellow", "received"), ("T1", "red", "feedback_submitted"),
            ("T1", "normal", "closed"), ("T1", "urge", "cancelled"), ("B1", "urge", "received")]
    with app.app_context(), system_scope("test fixture"):
        for code, level, state in rows:
            db.session.add(Supervision(
                unit_id=net.units["C0"], county_unit_id=net.units["C0"], target_unit_id=net.units[code],
                level=level, method="phone", problem="overdue", content="请加快办理", required_action="按期办结并反馈",
                feedback_due_on=local_today() + timedelta(days=5), state=state, source="manual",
                issued_at=db.func.now(), is_priority=False, is_listed=False, rework_count=0, version=1))
        db.session.commit()
        db.session.remove()


def test_open_supervision_by_level(app, net, api_token, login, records):
    api = Api(app, api_token)
    body = api.get("c_recv", "/api/v1/desk/board").get_json()
    assert [(s["level"], s["count"]) for s in body["supervision"]] == [("urge", 1), ("normal", 0), ("yellow", 2),
                                                                       ("red", 1)]
    for row in body["supervision"]:
        listing = api.get("c_recv", row["link"] + "&page_size=100").get_json()
        assert listing["meta"]["total"] == len(listing["items"]) == row["count"], row
    page = login("c_recv").get("/desk").get_data(as_text=True)
    assert "黄牌督办" in page and "/supervision?level=yellow&amp;open_only=1" in page
    # 东镇's own board counts what is aimed at it.
    t1 = api.get("t1_head", "/api/v1/desk/board").get_json()
    assert [(s["level"], s["count"]) for s in t1["supervision"]] == [("urge", 0), ("normal", 0), ("yellow", 2),
                                                                     ("red", 1)]


def test_unit_head_sees_what_is_asked_at_login(app, net, login, api_token, records):
    api = Api(app, api_token)
    web = login("t1_head")
    home = web.get("/").get_data(as_text=True)
    assert 'id="asked-of-me"' in home
    assert home.index('id="asked-of-me"') < home.index("本单位待办")
    for state, figure in (("issued", 1), ("received", 1)):
        assert f'id="asked-supervision-{state}"' in home
        assert f'href="/supervision/mine?state={state}"><strong>{figure}</strong>' in home
        listing = api.get("t1_head", f"/api/v1/supervisions?state={state}").get_json()
        assert listing["meta"]["total"] == figure
    assert api.get("t1_head", "/api/v1/desk/asked").get_json()["supervision"] == {"issued": 1, "received": 1}
    assert 'id="asked-of-me"' not in login("t2_head").get("/").get_data(as_text=True)  # nothing asked of 西镇


def test_meeting_tasks_are_asked_of_the_unit(app, net, login, api_token):
    from tests.coordination.helpers import seed_meeting

    api = Api(app, api_token)
    seed_meeting(api, net, invited=("T1", "B1"))  # one task for 东镇
    home = login("t1_head").get("/").get_data(as_text=True)
    assert 'id="asked-tasks"' in home and 'href="/meeting-tasks?state=open"><strong>1</strong>' in home
    assert api.get("t1_head", "/api/v1/desk/asked").get_json()["tasks"] == {"open": 1, "overdue": 0}
    listing = login("t1_head").get("/meeting-tasks?state=open").get_data(as_text=True)
    assert listing.count("督促企业十日内支付拖欠工资") == 1
