"""The hall's morning through the API: check-in and triage, the queue, calling, the interview and the six
outcomes; the bad input the issue names; concurrency of calls."""
import threading

import sqlalchemy as sa

from county_net.extensions import db
from county_net.hall.models import Visit, VisitEvent
from county_net.notifications.models import Notification
from county_net.petitions.models import Petition, Petitioner
from county_net.tenancy import system_scope
from tests.hall.helpers import add_user, clock, morning, visitor  # noqa: F401
from tests.petitions.helpers import Api


def _count(app, model, *where):
    with app.app_context(), system_scope("check"):
        n = db.session.scalar(sa.select(sa.func.count()).select_from(model).where(*where))
        db.session.remove()
    return n


def _window_id(app, net):
    from county_net.units.models import Window

    with app.app_context(), system_scope("check"):
        wid = db.session.scalar(sa.select(Window.id).where(Window.unit_id == net.units["C0"]))
        db.session.remove()
    return wid


def test_check_in_issues_a_routed_ticket_with_position_and_wait(app, net, api_token, morning):
    api = Api(app, api_token)
    first = api.post("c_recv", "/api/v1/hall/visits", visitor())
    assert first.status_code == 201, first.get_json()
    body = first.get_json()
    assert body["ticket"] == "A001" and body["state"] == "waiting" and body["window"]["number"] == 1
    assert body["queue_position"] == 1 and body["estimated_wait_minutes"] == 0
    assert body["people"][0]["phone"] != "13900001111"  # masked
    second = api.post("c_recv", "/api/v1/hall/visits", visitor("来访乙")).get_json()
    assert second["ticket"] == "A002" and second["queue_position"] == 2 and second["estimated_wait_minutes"] == 15


def test_a_closed_hall_issues_no_ticket_and_writes_nothing(app, net, api_token, clock):
    clock(2026, 11, 29, 10)  # a Sunday
    api = Api(app, api_token)
    resp = api.post("c_recv", "/api/v1/hall/visits", visitor())
    assert resp.status_code == 409 and "不在接待时间" in resp.get_json()["error"]["message"]
    clock(2026, 11, 30, 12)  # Monday, the lunch break
    assert api.post("c_recv", "/api/v1/hall/visits", visitor()).status_code == 409
    assert _count(app, Visit) == 0 and _count(app, Petitioner) == 0


def test_only_the_center_runs_the_hall(app, net, api_token, morning):
    api = Api(app, api_token)
    assert api.post("t1_recv", "/api/v1/hall/visits", visitor()).status_code == 404  # a township runs no hall
    assert api.get("t1_recv", "/api/v1/hall/today").status_code == 404
    add_user(app, "c_liaison", "C0", ["liaison"])
    assert api.post("c_liaison", "/api/v1/hall/visits", visitor()).status_code == 403


def test_a_sixth_representative_is_refused(app, net, api_token, morning):
    api = Api(app, api_token)
    people = [{"name": f"代表{i}"} for i in range(6)]
    resp = api.post("c_recv", "/api/v1/hall/visits", visitor(people=people, head_count=30))
    assert resp.status_code == 400 and "代表" in str(resp.get_json()["error"]["fields"])
    assert _count(app, Visit) == 0 and _count(app, Petitioner) == 0


def test_a_booked_visitor_who_arrives_later_is_called_before_earlier_walk_ins(app, net, api_token, clock):
    api = Api(app, api_token)
    clock(2026, 11, 27, 10)  # Friday: booked for Monday
    booking = api.post("c_recv", "/api/v1/hall/bookings", visitor("预约丙", day="2026-11-30", booked_time="09:30"))
    assert booking.status_code == 201, booking.get_json()
    booking = booking.get_json()
    assert booking["state"] == "registered" and booking["ticket"] == "—"
    clock(2026, 11, 30, 9, 0)
    walk_ins = [api.post("c_recv", "/api/v1/hall/visits", visitor(f"现场{i}")).get_json() for i in range(2)]
    clock(2026, 11, 30, 9, 40)
    arrived = api.post("c_recv", f"/api/v1/hall/visits/{booking['id']}/arrive", {"version": booking["version"]})
    assert arrived.status_code == 200, arrived.get_json()
    assert arrived.get_json()["ticket"] == "Y003" and arrived.get_json()["queue_position"] == 1
    window = _window_id(app, net)
    called = api.post("c_recv", f"/api/v1/hall/windows/{window}/call", {}).get_json()
    assert called["id"] == booking["id"] and called["state"] == "called"
    # An urgent walk-in put first goes before the next walk-in.
    urgent = walk_ins[1]
    put_first = api.post("c_recv", f"/api/v1/hall/visits/{urgent['id']}/prioritise",
                         {"version": urgent["version"], "priority_reason": "elderly"})
    assert put_first.status_code == 200
    second_clerk = add_user(app, "c_recv2", "C0", ["receptionist"])
    assert second_clerk
    nxt = api.post("c_recv2", f"/api/v1/hall/windows/{window}/call", {}).get_json()
    assert nxt["id"] == urgent["id"]


def test_the_window_course_to_a_transfer_reaches_the_bureau(app, net, api_token, morning):
    api = Api(app, api_token)
    window = _window_id(app, net)
    visit = api.post("c_recv", "/api/v1/hall/visits", visitor()).get_json()
    called = api.post("c_recv", f"/api/v1/hall/windows/{window}/call", {}).get_json()
    assert called["id"] == visit["id"]
    # A second call on a served ticket is refused.
    again = api.post("c_recv", f"/api/v1/hall/windows/{window}/call", {})
    assert again.status_code == 409
    started = api.post("c_recv", f"/api/v1/hall/visits/{visit['id']}/start",
                       {"version": called["version"], "window_id": window}).get_json()
    assert started["state"] == "interviewing"
    noted = api.post("c_recv", f"/api/v1/hall/visits/{visit['id']}/interview", {
        "version": started["version"], "window_id": window, "interview_who": "来访甲本人",
        "interview_said": "某公司拖欠三个月工资共计一万二千元。", "interview_agreed": "转人社局依法处理"}).get_json()
    stale = api.post("c_recv", f"/api/v1/hall/visits/{visit['id']}/finish",
                     {"version": started["version"], "outcome": "oral", "answer": "已解释"})
    assert stale.status_code == 409 and stale.get_json()["error"]["current"]["version"] == noted["version"]
    missing = api.post("c_recv", f"/api/v1/hall/visits/{visit['id']}/finish",
                       {"version": noted["version"], "outcome": "transfer", "window_id": window})
    assert missing.status_code == 400 and "to_unit_id" in missing.get_json()["error"]["fields"]
    assert _count(app, Petition) == 0
    done = api.post("c_recv", f"/api/v1/hall/visits/{visit['id']}/finish", {
        "version": noted["version"], "outcome": "transfer", "window_id": window,
        "to_unit_id": net.units["B1"], "note": "请依法处理"})
    assert done.status_code == 200, done.get_json()
    done = done.get_json()
    assert done["state"] == "done" and done["outcome_label"] == "转送单" and done["petition"]["number"]
    inbox = api.get("b1_recv", "/api/v1/petitions").get_json()["items"]
    assert [p["id"] for p in inbox] == [done["petition"]["id"]]
    matter = api.get("b1_recv", f"/api/v1/petitions/{done['petition']['id']}").get_json()
    assert matter["channel"] == "visit" and "一万二千元" in matter["summary"]
    # The petitioner file opened at check-in is the matter's: no second file.
    assert _count(app, Petitioner) == 1
    left = api.post("c_recv", f"/api/v1/hall/visits/{visit['id']}/leave", {"version": done["version"]}).get_json()
    assert left["state"] == "left" and left["left_at"]


def test_an_outcome_on_a_ticket_of_another_window_is_refused(app, net, api_token, morning):
    from county_net.units.models import Window

    api = Api(app, api_token)
    window = _window_id(app, net)
    with app.app_context(), system_scope("seed"):
        other = Window(unit_id=net.units["C0"], number=2, name="二号窗口")
        db.session.add(other)
        db.session.commit()
        other_id = other.id
        db.session.remove()
    visit = api.post("c_recv", "/api/v1/hall/visits", visitor(window_id=window)).get_json()
    called = api.post("c_recv", f"/api/v1/hall/windows/{window}/call", {}).get_json()
    wrong = api.post("c_recv", f"/api/v1/hall/visits/{visit['id']}/finish", {
        "version": called["version"], "outcome": "oral", "answer": "已答复", "window_id": other_id})
    assert wrong.status_code == 409 and "不属于本窗口" in wrong.get_json()["error"]["message"]
    assert _count(app, VisitEvent, VisitEvent.kind == "finish") == 0


def test_each_outcome_records_what_it_needs(app, net, api_token, morning):
    api = Api(app, api_token)
    window = _window_id(app, net)
    cases = [
        ("oral", {"answer": "政策已解释清楚"}, None),
        ("phone", {"contact_unit_id": net.units["B1"], "contact_person": "王科长", "agreed": "三日内答复"}, None),
        ("notice", {"organ": "县人民法院", "organ_contact": "城关路 1 号", "reason": "属于诉讼事项"}, None),
        ("assign", {"to_unit_id": net.units["T1"], "report_due_on": "2026-12-30"}, "T1"),
        ("digest", {"nature": "suggestion"}, None),
    ]
    for outcome, extra, unit in cases:
        visit = api.post("c_recv", "/api/v1/hall/visits", visitor()).get_json()
        called = api.post("c_recv", f"/api/v1/hall/windows/{window}/call", {}).get_json()
        assert called["id"] == visit["id"]
        done = api.post("c_recv", f"/api/v1/hall/visits/{visit['id']}/finish",
                        {"version": called["version"], "outcome": outcome, "window_id": window, **extra})
        assert done.status_code == 200, (outcome, done.get_json())
        done = done.get_json()
        assert done["outcome"] == outcome
        if outcome in ("assign", "digest"):
            assert done["petition"]["id"]
        else:
            assert done["petition"] is None
        if unit:
            state = api.get("c_recv", f"/api/v1/petitions/{done['petition']['id']}").get_json()["state"]
            assert state == "assigned"
    notice = [v for v in api.get("c_recv", "/api/v1/hall/visits").get_json() if v["outcome_label"] == "告知单"][0]
    page = api.client.get(f"/hall/visits/{notice['id']}/notice")
    assert page.status_code in (302, 401)  # the web page needs a session, not a token


def test_a_collective_visit_alerts_the_right_heads_and_no_one_else(app, net, api_token, morning):
    api = Api(app, api_token)
    c_head = add_user(app, "c_head", "C0", ["head"])
    people = [{"name": f"代表{i}"} for i in range(3)]
    resp = api.post("c_recv", "/api/v1/hall/visits", visitor(
        people=people, head_count=12, locality_unit_id=net.units["T1"], concerned_unit_ids=[net.units["B1"]]))
    assert resp.status_code == 201, resp.get_json()
    assert resp.get_json()["is_collective"] is True
    with app.app_context(), system_scope("check"):
        users = set(db.session.scalars(sa.select(Notification.user_id).where(Notification.kind == "hall_collective")))
        db.session.remove()
    assert users == {c_head, net.users["t1_head"], net.users["b1_head"]}


def test_twenty_concurrent_calls_hand_out_twenty_different_tickets(app, net, api_token, morning):
    api = Api(app, api_token)
    window = _window_id(app, net)
    for i in range(20):
        assert api.post("c_recv", "/api/v1/hall/visits", visitor(f"排队{i}")).status_code == 201
    clerks = [f"clerk{i}" for i in range(20)]
    for name in clerks:
        add_user(app, name, "C0", ["receptionist"])
    headers = {name: api.headers(name) for name in clerks}
    barrier = threading.Barrier(20)
    results = []

    def call(name):
        client = app.test_client()
        barrier.wait()
        results.append(client.post(f"/api/v1/hall/windows/{window}/call", json={}, headers=headers[name]))

    threads = [threading.Thread(target=call, args=(name,)) for name in clerks]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert [r.status_code for r in results] == [200] * 20, [r.get_json() for r in results if r.status_code != 200]
    tickets = [r.get_json()["ticket"] for r in results]
    assert len(set(tickets)) == 20
    assert _count(app, Visit, Visit.state == "called") == 20
    assert _count(app, VisitEvent, VisitEvent.kind == "call") == 20


def test_a_window_desk_read_is_a_fixed_handful_of_statements(app, net, api_token, morning):
    """The clerks' screens poll their desk: its statements do not grow with the queue or the day's done."""
    from tests.petitions.test_statement_counts import _count

    api = Api(app, api_token)
    window = _window_id(app, net)
    path = f"/api/v1/hall/windows/{window}/queue"
    api.post("c_recv", "/api/v1/hall/visits", visitor("甲"))
    few = _count(app, lambda: api.get("c_recv", path))
    for i in range(8):
        api.post("c_recv", "/api/v1/hall/visits", visitor(f"乙{i}"))
    for _ in range(3):
        called = api.post("c_recv", f"/api/v1/hall/windows/{window}/call", {}).get_json()
        api.post("c_recv", f"/api/v1/hall/visits/{called['id']}/finish",
                 {"version": called["version"], "outcome": "oral", "answer": "已答复", "window_id": window})
    many = _count(app, lambda: api.get("c_recv", path))
    assert many == few and many <= 8, (few, many)


def test_a_digest_outcome_is_listed_in_the_leaders_digest(app, net, api_token, morning):
    api = Api(app, api_token)
    window = _window_id(app, net)
    visit = api.post("c_recv", "/api/v1/hall/visits", visitor(
        purpose="十余户村民反映同一片山林承包界线纠纷，情绪激动。")).get_json()
    called = api.post("c_recv", f"/api/v1/hall/windows/{window}/call", {}).get_json()
    done = api.post("c_recv", f"/api/v1/hall/visits/{visit['id']}/finish",
                    {"version": called["version"], "outcome": "digest", "window_id": window,
                     "interview_said": "十余户村民反映同一片山林承包界线纠纷，情绪激动。"}).get_json()
    assert done["flagged_digest"] is True
    digest = api.get("c_recv", "/api/v1/digest?start=2026-11-30&end=2026-11-30").get_json()
    assert digest["flagged"]["available"] is True
    assert [m["number"] for m in digest["flagged"]["matters"]] == [done["petition"]["number"]]
    # A township does not see the hall's flags (nor the matter, which stays at the center).
    town = api.get("t1_recv", "/api/v1/digest?start=2026-11-30&end=2026-11-30").get_json()
    assert town["flagged"]["matters"] == []
