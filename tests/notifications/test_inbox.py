"""The inbox: a matter's events reach the units they concern, once, in the same transaction; filters and
marking read; the header's count costs one statement; another person's notification is unseen."""
import pytest
import sqlalchemy as sa

from county_net.extensions import db
from county_net.notifications.models import Notification
from county_net.tenancy import system_scope
from tests.petitions.helpers import Api, add_user, in_days


@pytest.fixture
def api(app, net, api_token):
    add_user(app, net, "b1_head", "B1", ["head"]) if "b1_head" not in net.users else None
    return Api(app, api_token)


def _rows(app, username=None):
    with app.app_context(), system_scope("test read"):
        statement = sa.select(Notification).order_by(Notification.id)
        rows = list(db.session.scalars(statement))
        db.session.remove()
    return [(r.user_id, r.kind, r.event_key) for r in rows]


def _inbox(api, user, **params):
    resp = api.get(user, "/api/v1/notifications", query_string=params)
    assert resp.status_code == 200, resp.get_json()
    return resp.get_json()


def test_transfer_reaches_the_receiving_unit_only(api, net, app):
    p = api.register("c_recv")
    api.act("c_recv", p, "transfer", to_unit_id=net.units["B1"], note="请依法处理")
    body = _inbox(api, "b1_recv")
    assert [n["kind"] for n in body["items"]] == ["petition_transferred"]
    assert body["unread"] == 1
    item = body["items"][0]
    assert item["link"] == f"/petitions/{p['id']}" and item["object_id"] == p["id"]
    assert "转送本单位办理" in item["title"] and "张某明" not in item["title"]  # no names in an inbox
    assert _inbox(api, "b1_head")["meta"]["total"] == 1  # heads hear of what concerns the whole unit
    for other in ("c_recv", "t1_recv", "t2_recv", "e1_liaison"):
        assert _inbox(api, other)["meta"]["total"] == 0, other


def test_each_event_notifies_once_and_the_course_is_heard(api, net, app):
    p = api.register("c_recv")
    p = api.act("c_recv", p, "assign", to_unit_id=net.units["T1"], report_due_on=in_days(40))
    p = api.act("t1_recv", p, "send-back", reason="不属于本镇职责")
    kinds = [n["kind"] for n in _inbox(api, "c_recv")["items"]]
    assert kinds == ["petition_sent_back"]
    assert [n["kind"] for n in _inbox(api, "t1_head")["items"]] == ["petition_assigned"]
    keys = _rows(app)
    assert len(keys) == len(set(keys))


def test_a_rolled_back_action_leaves_no_notification(api, net, app):
    p = api.register("c_recv")
    api.act("c_recv", p, "transfer", expect=409, to_unit_id=net.units["B1"], version=p["version"] + 5)
    assert _rows(app) == []


def test_notify_twice_for_the_same_cause_inserts_once(app, net):
    from county_net.notifications.services import notify

    with app.app_context():
        for _ in range(2):
            inserted = notify(kind="supervision_issued", event_key="supervision:1:issued",
                              unit_id=net.units["T1"], title="督办", link="/x", object_type="supervision",
                              object_id=1, audience="heads")
            db.session.commit()
        assert inserted == 0
        db.session.remove()
    assert [(u, k) for u, k, _ in _rows(app)] == [(net.users["t1_head"], "supervision_issued")]


def test_filters_and_mark_read(api, net):
    for _ in range(3):
        p = api.register("c_recv")
        api.act("c_recv", p, "transfer", to_unit_id=net.units["B1"])
    p = api.register("c_recv")
    api.act("c_recv", p, "assign", to_unit_id=net.units["B1"], report_due_on=in_days(40))
    assert _inbox(api, "b1_recv", kind="petition_assigned")["meta"]["total"] == 1
    items = _inbox(api, "b1_recv")["items"]
    resp = api.post("b1_recv", "/api/v1/notifications/read", {"ids": [items[0]["id"], items[1]["id"]]})
    assert resp.status_code == 200 and resp.get_json() == {"unread": 2, "changed": 2}
    assert _inbox(api, "b1_recv", unread="true")["meta"]["total"] == 2
    assert _inbox(api, "b1_recv", unread="false")["meta"]["total"] == 2
    resp = api.post("b1_recv", "/api/v1/notifications/read-all", {"kind": "petition_assigned"})
    assert resp.get_json() == {"unread": 2, "changed": 0}  # the assignment was among the two read
    assert api.post("b1_recv", "/api/v1/notifications/read-all", {}).get_json() == {"unread": 0, "changed": 2}


def test_another_persons_notification_is_unseen_and_nothing_changes(api, net, app):
    p = api.register("c_recv")
    api.act("c_recv", p, "transfer", to_unit_id=net.units["B1"])
    mine = _inbox(api, "b1_recv")["items"][0]["id"]
    theirs = _inbox(api, "b1_head")["items"][0]["id"]
    assert api.get("b1_recv", f"/api/v1/notifications/{theirs}").status_code == 404
    assert api.get("t1_recv", f"/api/v1/notifications/{mine}").status_code == 404
    resp = api.post("b1_recv", "/api/v1/notifications/read", {"ids": [mine, theirs]})
    assert resp.status_code == 404
    assert _inbox(api, "b1_recv")["unread"] == 1 and _inbox(api, "b1_head")["unread"] == 1
    bad = api.post("b1_recv", "/api/v1/notifications/read", {"ids": []})
    assert bad.status_code == 400 and "ids" in bad.get_json()["error"]["fields"]


def test_collective_visit_reaches_the_county_heads(api, net, app):
    add_user(app, net, "c_head", "C0", ["head"])
    people = [{"name": f"群众{i}", "phone": f"1390000{i:04d}"} for i in range(5)]
    api.register("t1_recv", petitioners=people, head_count=12)
    assert [n["kind"] for n in _inbox(api, "c_head")["items"]] == ["petition_collective"]
    assert [n["kind"] for n in _inbox(api, "t1_head")["items"]] == ["petition_collective"]
    assert _inbox(api, "c_recv")["meta"]["total"] == 0  # heads, not every clerk
    assert _inbox(api, "t2_head")["meta"]["total"] == 0


def test_web_inbox_header_count_and_open(login, api, net, app):
    p = api.register("c_recv")
    api.act("c_recv", p, "transfer", to_unit_id=net.units["B1"])
    browser = login("b1_recv")
    page = browser.get("/inbox").get_data(as_text=True)
    assert 'id="notification-bell"' in page and "1</span>" in page
    listing = browser.get("/notifications").get_data(as_text=True)
    assert "转送本单位办理" in listing
    nid = _inbox(api, "b1_recv")["items"][0]["id"]
    resp = browser.post(f"/notifications/{nid}/open", form_page="/notifications")
    assert resp.status_code == 302 and resp.headers["Location"].endswith(f"/petitions/{p['id']}")
    assert _inbox(api, "b1_recv")["unread"] == 0
    other = login("t1_recv")
    assert other.post(f"/notifications/{nid}/open", form_page="/notifications").status_code == 404


def test_header_count_is_one_statement(login, api, net, app):
    from tests.petitions.test_statement_counts import StatementCounter

    p = api.register("c_recv")
    api.act("c_recv", p, "transfer", to_unit_id=net.units["B1"])
    browser = login("b1_recv")
    browser.get("/notifications")
    with StatementCounter(app) as counter:
        browser.get("/notifications")
    mentions = [s for s in counter.statements if "notifications" in s]
    # the list page itself: the kinds present, the page, its count, and the header's count
    assert len([s for s in mentions if "count(" in s.lower() and "LIMIT" not in s]) <= 2
    with StatementCounter(app) as counter:
        browser.get("/inbox")
    assert len([s for s in counter.statements if "notifications" in s]) == 1


def test_a_batch_writes_its_notices_once_with_the_same_recipients(app, net):
    """batched(): queued notices reach exactly whom notify() would reach, and a repeat inserts nothing."""
    from county_net.notifications.services import batched, flush_outbox, notify

    with app.app_context():
        for attempt in range(2):
            with batched() as box:
                notify(kind="supervision_issued", event_key="b:1", unit_id=net.units["T1"], title="一",
                       link="/x", object_type="supervision", object_id=1, audience="heads")
                notify(kind="petition_overdue", event_key="b:2", unit_id=net.units["B1"], title="二",
                       link="/y", object_type="petition", object_id=2, audience="unit")
                notify(kind="task_overdue", event_key="b:3", unit_id=None, title="三", link="/z",
                       object_type="task", object_id=3, user_ids=[net.users["t2_recv"]])
                notify(kind="task_overdue", event_key="b:3", unit_id=None, title="三", link="/z",
                       object_type="task", object_id=3, user_ids=[net.users["t2_recv"]])
                if attempt == 0:
                    assert _rows(app) == []  # queued, not written
                written = flush_outbox(box)
            db.session.commit()
        db.session.remove()
    assert written == 0
    assert sorted((u, k) for u, k, _ in _rows(app)) == sorted([
        (net.users["t1_head"], "supervision_issued"), (net.users["b1_recv"], "petition_overdue"),
        (net.users["t2_recv"], "task_overdue")] + ([(net.users["b1_head"], "petition_overdue")]
                                                   if "b1_head" in net.users else []))
