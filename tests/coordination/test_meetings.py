"""协调会 and the other meetings through the JSON API: access to the matters comes and goes with the meeting,
uninvited units see nothing, bad input is a 400 that writes nothing, stale forms and wrong roles are refused."""
from datetime import date, datetime, timedelta

import pytest
import sqlalchemy as sa

from county_net.core.timeutil import COUNTY_TZ, local_today
from county_net.extensions import db
from county_net.tenancy import system_scope
from tests.coordination.helpers import Meetings, seed_meeting, soon
from tests.petitions.helpers import Api
from tests.tenancy.seed import neighbour_county


@pytest.fixture
def api(app, api_token):
    return Api(app, api_token)


@pytest.fixture
def meetings(api):
    return Meetings(api)


def _count(app, model) -> int:
    with app.app_context(), system_scope("test"):
        n = db.session.scalar(sa.select(sa.func.count()).select_from(model))
        db.session.remove()
    return n


def _grants(app, petition_id: int, via: str = "coordination") -> dict[int, bool]:
    from county_net.petitions.models import PetitionAccess

    with app.app_context(), system_scope("test"):
        rows = db.session.execute(sa.select(PetitionAccess.grantee_unit_id, PetitionAccess.is_active)
                                  .where(PetitionAccess.petition_id == petition_id, PetitionAccess.via == via)).all()
        db.session.remove()
    return {r.grantee_unit_id: r.is_active for r in rows}


def test_invited_units_see_the_matter_while_the_meeting_lasts(app, net, api, meetings):
    matter = api.register("c_recv")
    url = f"/api/v1/petitions/{matter['id']}"
    assert api.get("b1_recv", url).status_code == 404
    meeting = meetings.convene("c_recv", petition_ids=[matter["id"]],
                               invited_unit_ids=[net.units["B1"], net.units["T1"]])
    assert meeting["state"] == "planned" and [i["unit_name"] for i in meeting["invited"]] == ["测试县人社局", "东镇人民政府"]
    for user in ("b1_recv", "t1_recv", "t1_head"):
        assert api.get(user, url).status_code == 200, user
        seen = meetings.show(user, meeting["id"])
        assert [m["number"] for m in seen["matters"]] == [matter["number"]]
        assert len(seen["invited"]) == 2  # the whole guest list, not only the reader's own invitation
    # Uninvited units: nothing of the matter, the meeting or its tasks.
    held = meetings.step("c_recv", meeting, "minutes", minutes="会议议定由人社局牵头。", decisions=["人社局牵头调查"],
                         lead_unit_id=net.units["B1"], co_unit_ids=[net.units["T1"]])
    held = meetings.step("c_recv", held, "tasks", assignee_unit_id=net.units["B1"], content="调查核实欠薪金额",
                         due_on=(local_today() + timedelta(days=5)).isoformat())
    task_id = held["tasks"][0]["id"]
    for user in ("t2_recv", "e1_liaison"):
        assert api.get(user, url).status_code == 404
        assert api.get(user, f"/api/v1/meetings/{meeting['id']}").status_code == 404
        assert api.get(user, f"/api/v1/meeting-tasks/{task_id}").status_code == 404
        assert api.get(user, "/api/v1/meetings").get_json()["items"] == []
    assert held["lead_unit"]["name"] == "测试县人社局"
    assert {i["unit_name"]: i["part"] for i in held["invited"]} == {"测试县人社局": "lead", "东镇人民政府": "co"}
    # Closed: the matter goes out of reach; the meeting and its task stay the units' record.
    closed = meetings.step("c_recv", held, "close")
    assert closed["state"] == "closed"
    assert _grants(app, matter["id"]) == {net.units["B1"]: False, net.units["T1"]: False}
    assert api.get("b1_recv", url).status_code == 404
    after = meetings.show("b1_recv", meeting["id"])
    assert after["matters"] == [] and after["tasks"][0]["id"] == task_id
    assert api.get("b1_recv", f"/api/v1/meeting-tasks/{task_id}").status_code == 200
    assert meetings.show("c_recv", meeting["id"])["matters"][0]["number"] == matter["number"]


def test_a_cancelled_meeting_ends_the_access_too(app, net, api, meetings):
    matter = api.register("c_recv")
    meeting = meetings.convene("c_recv", petition_ids=[matter["id"]], invited_unit_ids=[net.units["B1"]])
    assert api.get("b1_recv", f"/api/v1/petitions/{matter['id']}").status_code == 200
    cancelled = meetings.step("c_recv", meeting, "cancel", reason="主要领导临时公出，另行安排")
    assert cancelled["state"] == "cancelled" and cancelled["cancel_reason"].startswith("主要领导")
    assert api.get("b1_recv", f"/api/v1/petitions/{matter['id']}").status_code == 404
    meetings.step("c_recv", cancelled, "minutes", expect=409, minutes="无")


def test_another_open_meeting_on_the_same_matter_keeps_its_access(app, net, api, meetings):
    matter = api.register("c_recv")
    first = meetings.convene("c_recv", petition_ids=[matter["id"]], invited_unit_ids=[net.units["B1"]])
    meetings.convene("c_recv", petition_ids=[matter["id"]], invited_unit_ids=[net.units["B1"]], title="第二次协调会")
    meetings.step("c_recv", first, "cancel", reason="合并到第二次协调会")
    assert api.get("b1_recv", f"/api/v1/petitions/{matter['id']}").status_code == 200


def test_transfers_and_coordination_keep_their_own_grants(app, net, api, meetings):
    """A send-back ends the transfer's grants, not the meeting's; closing the meeting ends the meeting's only."""
    matter = api.register("c_recv")
    matter = api.act("c_recv", matter, "transfer", to_unit_id=net.units["T1"])
    meeting = meetings.convene("c_recv", petition_ids=[matter["id"]],
                               invited_unit_ids=[net.units["B1"], net.units["T2"]])
    api.act("t1_recv", api.show("t1_recv", matter["id"]), "send-back", reason="不属于本镇职责")
    assert _grants(app, matter["id"], "transfer") == {net.units["T1"]: False}
    assert _grants(app, matter["id"]) == {net.units["B1"]: True, net.units["T2"]: True}
    assert api.get("t2_recv", f"/api/v1/petitions/{matter['id']}").status_code == 200  # through the meeting
    assert api.get("t1_recv", f"/api/v1/petitions/{matter['id']}").status_code == 404  # sent back, not invited
    # Transferred again to T1: closing the meeting leaves the transfer's grant alone.
    matter = api.act("c_recv", api.show("c_recv", matter["id"]), "transfer", to_unit_id=net.units["T1"])
    held = meetings.step("c_recv", meeting, "minutes", minutes="议定由东镇办理。")
    meetings.step("c_recv", held, "close")
    assert _grants(app, matter["id"], "transfer")[net.units["T1"]] is True
    assert api.get("t1_recv", f"/api/v1/petitions/{matter['id']}").status_code == 200
    assert api.get("b1_recv", f"/api/v1/petitions/{matter['id']}").status_code == 404


def test_a_coordination_grant_lets_a_unit_read_not_act(app, net, api, meetings):
    matter = api.register("c_recv")
    matter = api.act("c_recv", matter, "handle-self")
    meetings.convene("c_recv", petition_ids=[matter["id"]], invited_unit_ids=[net.units["B1"]])
    seen = api.show("b1_recv", matter["id"])
    assert seen["actions"] == []
    resp = api.post("b1_recv", f"/api/v1/petitions/{matter['id']}/co-opinion",
                    {"version": seen["version"], "opinion": "同意"})
    assert resp.status_code == 409


def test_an_invitation_outside_the_county_is_a_400_that_writes_nothing(app, net, api, meetings):
    from county_net.coordination.models import CoordinationMeeting, MeetingInvitation
    from county_net.petitions.models import PetitionAccess

    other = neighbour_county(app, [])
    matter = api.register("c_recv")
    grants = _count(app, PetitionAccess)
    body = meetings.convene("c_recv", expect=400, petition_ids=[matter["id"]],
                            invited_unit_ids=[net.units["B1"], other["K1"]])
    assert body["error"]["fields"]["invited_unit_ids"] == ["只能邀请本县（市、区）的单位"]
    assert _count(app, CoordinationMeeting) == 0 and _count(app, MeetingInvitation) == 0
    assert _count(app, PetitionAccess) == grants
    meeting = meetings.convene("c_recv", petition_ids=[matter["id"]], invited_unit_ids=[net.units["B1"]])
    body = meetings.step("c_recv", meeting, "invite", expect=400, invited_unit_ids=[other["K0"]])
    assert body["error"]["fields"]["invited_unit_ids"] == ["只能邀请本县（市、区）的单位"]
    assert _count(app, MeetingInvitation) == 1


def test_an_accusation_is_never_shown_to_the_accused_through_a_meeting(app, net, api, meetings):
    matter = api.register("c_recv", nature="accusation", accused_unit_id=net.units["T1"],
                          summary="反映东镇干部违规收费问题。")
    body = meetings.convene("c_recv", expect=400, petition_ids=[matter["id"]], invited_unit_ids=[net.units["V1"]])
    assert "被反映单位" in body["error"]["fields"]["invited_unit_ids"][0]


@pytest.mark.parametrize("fields, field", [
    ({"title": ""}, "title"),
    ({"kind": "party"}, "kind"),
    ({"starts_at": "2026-12-01T09:00:00"}, "starts_at"),  # no time zone
    ({"starts_at": "1999-12-01T09:00:00+08:00"}, "starts_at"),
    ({"invited_unit_ids": ["3"]}, "invited_unit_ids"),
    ({"invited_unit_ids": [987654]}, "invited_unit_ids"),
    ({"petition_ids": []}, "petition_ids"),  # a 协调会 names its matters
    ({"petition_ids": [987654]}, "petition_ids"),
    ({"recurrence": "weekly"}, "recurrence"),  # only a briefing recurs
])
def test_bad_input_is_a_400_with_the_field(app, net, api, meetings, fields, field):
    from county_net.coordination.models import CoordinationMeeting

    matter = api.register("c_recv")
    body = {"petition_ids": [matter["id"]], "invited_unit_ids": [net.units["B1"]], **fields}
    error = meetings.convene("c_recv", expect=400, **body)["error"]
    assert field in error["fields"], error
    assert _count(app, CoordinationMeeting) == 0


def test_wrong_role_stale_version_and_wrong_unit(app, net, api, meetings):
    matter = api.register("c_recv")
    # 403: a liaison, an administrator, and a township convening on a matter (only the center does).
    for user in ("e1_liaison", "admin"):
        meetings.convene(user, expect=403, petition_ids=[], kind="training", invited_unit_ids=[net.units["E1"]])
    mine = api.register("t1_recv")
    meetings.convene("t1_recv", expect=403, petition_ids=[mine["id"]], invited_unit_ids=[net.units["V1"]])
    meeting = meetings.convene("c_recv", petition_ids=[matter["id"]], invited_unit_ids=[net.units["B1"]])
    # 409: an invited unit is not the convener; a stale version; a step the state does not allow.
    meetings.step("b1_recv", meeting, "close", expect=409)
    meetings.step("c_recv", meeting, "close", expect=409)
    held = meetings.step("c_recv", meeting, "minutes", minutes="第一次记录。")
    stale = meetings.step("c_recv", meeting, "minutes", expect=409, minutes="用旧版本提交。")
    assert stale["error"]["code"] == "stale_version" and stale["error"]["current"]["version"] == held["version"]
    assert meetings.show("c_recv", meeting["id"])["minutes"] == "第一次记录。"
    meetings.step("e1_liaison", held, "close", expect=404)  # not invited: not found at all


def test_follow_up_tasks_report_and_accept(app, net, api, meetings):
    ids = seed_meeting(api, net)
    meeting = ids["meeting"]
    task = meeting["tasks"][0]
    assert task["state"] == "open" and task["overdue"] is False and task["actions"] == []
    mine = api.get("b1_recv", "/api/v1/meeting-tasks").get_json()["items"]
    assert [t["id"] for t in mine] == [task["id"]] and mine[0]["actions"] == ["report"]
    assert api.get("t2_recv", "/api/v1/meeting-tasks").get_json()["items"] == []  # invited, but not its task
    meetings.task_step("t2_recv", mine[0], "report", expect=409, report="不是本单位的任务")
    meetings.task_step("e1_liaison", mine[0], "report", expect=404, report="x")
    meetings.task_step("b1_recv", mine[0], "report", expect=400, report="   ")
    reported = meetings.task_step("b1_recv", mine[0], "report", report="已督促企业支付 1.2 万元")
    assert reported["state"] == "reported"
    meetings.task_step("b1_recv", mine[0], "report", expect=409, report="再报一次")  # stale and no longer open
    returned = meetings.task_step("c_recv", reported, "return", reason="请附支付凭证")
    assert returned["state"] == "open" and returned["return_reason"] == "请附支付凭证"
    reported = meetings.task_step("b1_recv", returned, "report", report="已支付，凭证已报送")
    done = meetings.task_step("c_recv", reported, "accept")
    assert done["state"] == "done" and done["done_at"]
    # A task for a unit that was not at the meeting, or a day already past: 400.
    fresh = meetings.show("c_recv", meeting["id"])
    body = meetings.step("c_recv", fresh, "tasks", expect=400, assignee_unit_id=net.units["E1"], content="x",
                         due_on=(local_today() + timedelta(days=3)).isoformat())
    assert "assignee_unit_id" in body["error"]["fields"]
    body = meetings.step("c_recv", fresh, "tasks", expect=400, assignee_unit_id=net.units["B1"], content="x",
                         due_on=local_today().isoformat())
    assert "due_on" in body["error"]["fields"]


def test_overdue_is_computed_on_read_and_the_sweep_notifies_once(app, net, api, meetings):
    from county_net.coordination import services
    from county_net.coordination.models import MeetingTask

    ids = seed_meeting(api, net)
    task = ids["meeting"]["tasks"][0]
    later = date.fromisoformat(task["due_on"]) + timedelta(days=1)
    from county_net.core.database import writing

    with app.app_context(), system_scope("test"), writing():  # as `flask coordination sweep` runs it
        row = db.session.get(MeetingTask, task["id"])
        assert services.is_overdue(row, later) and not services.is_overdue(row, later - timedelta(days=1))
        assert services.sweep_tasks(today=later - timedelta(days=1)) == {"notified": 0}
        assert services.sweep_tasks(today=later) == {"notified": 1}
        assert services.sweep_tasks(today=later) == {"notified": 0}
        db.session.remove()
    keys = _notified(app)
    assert sorted(k for k in keys if k[0] == f"task:{task['id']}:overdue") == sorted(
        [(f"task:{task['id']}:overdue", "b1_recv"), (f"task:{task['id']}:overdue", "b1_head"),
         (f"task:{task['id']}:overdue", "c_recv")])


def _notified(app) -> list[tuple[str, str]]:
    """(event_key, username) of every notification written."""
    from county_net.accounts.models import User
    from county_net.notifications.models import Notification

    with app.app_context(), system_scope("test"):
        rows = db.session.execute(sa.select(Notification.event_key, User.username)
                                  .join(User, User.id == Notification.user_id)).all()
        db.session.remove()
    return [tuple(r) for r in rows]


def test_invitations_reach_the_invited_units_inboxes(app, net, api, meetings):
    ids = seed_meeting(api, net)
    keys = _notified(app)
    invited = {k for k in keys if k[0].startswith(f"meeting:{ids['meeting_id']}:invited:")}
    assert {user for _, user in invited} == {"b1_recv", "b1_head", "t2_recv", "t2_head"}
    assert not any(user.startswith("t1_") or user == "c_recv" for _, user in invited)
    assert (f"task:{ids['task_id']}:assigned", "b1_head") in keys


def test_lists_filter_by_kind_state_and_period(app, net, api, meetings):
    seed_meeting(api, net)
    meetings.convene("c_recv", kind="briefing", title="十二月信息通报例会", petition_ids=[],
                     invited_unit_ids=[net.units["T1"], net.units["T2"]], recurrence="monthly",
                     starts_at=soon(20))
    rows = api.get("c_recv", "/api/v1/meetings").get_json()
    assert rows["meta"]["total"] == 2 and rows["items"][0]["title"] == "十二月信息通报例会"
    assert [r["kind"] for r in api.get("c_recv", "/api/v1/meetings?kind=briefing").get_json()["items"]] == ["briefing"]
    assert [r["state"] for r in api.get("c_recv", "/api/v1/meetings?state=held").get_json()["items"]] == ["held"]
    until = (local_today() + timedelta(days=10)).isoformat()
    assert len(api.get("c_recv", f"/api/v1/meetings?date_to={until}").get_json()["items"]) == 1
    assert api.get("c_recv", "/api/v1/meetings?kind=x").status_code == 400
    held = api.get("c_recv", "/api/v1/meetings?state=held").get_json()["items"][0]
    assert held["open_tasks"] == 1 and held["overdue_tasks"] == 0
    assert [r["title"] for r in api.get("t1_recv", "/api/v1/meetings").get_json()["items"]] == ["十二月信息通报例会"]


def test_the_next_briefing_falls_on_a_working_day(app, net, api, meetings):
    """Weekly from Friday 2026-12-25: 2027-01-01 is New Year's Day, then a weekend: Monday 2027-01-04."""
    starts = datetime(2026, 12, 25, 9, 30, tzinfo=COUNTY_TZ).isoformat()
    meeting = meetings.convene("c_recv", kind="briefing", title="信息通报例会", petition_ids=[], starts_at=starts,
                               invited_unit_ids=[net.units["T1"], net.units["B1"]], recurrence="weekly")
    assert meeting["next_starts_at"] == "2027-01-04T09:30:00+08:00"
    meetings.step("c_recv", meeting, "next", expect=409)  # not held yet
    held = meetings.step("c_recv", meeting, "minutes", minutes="通报本周信访形势。")
    following = meetings.step("c_recv", held, "next")
    assert following["starts_at"] == "2027-01-04T09:30:00+08:00" and following["previous_id"] == meeting["id"]
    assert [i["unit_name"] for i in following["invited"]] == ["东镇人民政府", "测试县人社局"]
    meetings.step("c_recv", meetings.show("c_recv", meeting["id"]), "next", expect=409)  # only once


def test_training_counts_person_times_per_unit(app, net, api, meetings):
    training = meetings.convene("c_recv", kind="training", title="企业信访信息员培训", petition_ids=[],
                                invited_unit_ids=[net.units["E1"], net.units["E2"], net.units["T1"]],
                                starts_at=soon(-3))
    meetings.step("c_recv", training, "minutes", expect=400, minutes="培训。",
                  trained=[{"unit_id": net.units["B1"], "count": 3}])  # B1 was not trained here
    meetings.step("c_recv", training, "minutes", minutes="讲解《信访工作条例》和信息报送要求。",
                  trained=[{"unit_id": net.units["E1"], "count": 4}, {"unit_id": net.units["E2"], "count": 2},
                           {"unit_id": net.units["T1"], "count": 6}])
    second = meetings.convene("c_recv", kind="training", title="第二期培训", petition_ids=[], starts_at=soon(-1),
                              invited_unit_ids=[net.units["E1"]])
    meetings.step("c_recv", second, "minutes", minutes="第二期。", trained=[{"unit_id": net.units["E1"], "count": 5}])
    meetings.convene("c_recv", kind="training", title="尚未召开", petition_ids=[], starts_at=soon(2),
                     invited_unit_ids=[net.units["E1"]])
    period = f"date_from={(local_today() - timedelta(days=30)).isoformat()}&date_to={local_today().isoformat()}"
    figures = api.get("c_recv", f"/api/v1/training-figures?{period}").get_json()
    assert figures == [{"unit_id": net.units["E1"], "unit_name": "东镇某厂", "sessions": 2, "trained": 9},
                       {"unit_id": net.units["T1"], "unit_name": "东镇人民政府", "sessions": 1, "trained": 6},
                       {"unit_id": net.units["E2"], "unit_name": "西镇某厂", "sessions": 1, "trained": 2}]
    # A township reads its own tree's figures only.
    mine = api.get("t1_head", f"/api/v1/training-figures?{period}").get_json()
    assert {r["unit_name"]: r["trained"] for r in mine} == {"东镇某厂": 9, "东镇人民政府": 6}
    assert api.get("c_recv", "/api/v1/training-figures").status_code == 400


def test_a_field_visit_invites_its_township(app, net, api, meetings):
    matter = api.register("c_recv")
    visit = meetings.convene("c_recv", kind="field_visit", title="县领导带案下访东镇", petition_ids=[matter["id"]],
                             target_unit_id=net.units["T1"], convener_name="李副县长")
    assert visit["target_unit"]["name"] == "东镇人民政府" and visit["invited"][0]["unit_name"] == "东镇人民政府"
    assert api.get("t1_recv", f"/api/v1/petitions/{matter['id']}").status_code == 200
    body = meetings.convene("c_recv", expect=400, kind="field_visit", petition_ids=[], target_unit_id=net.units["B1"])
    assert body["error"]["fields"]["target_unit_id"] == ["请选择本县的乡镇（街道）"]


def test_the_cli_sweep_runs(app, net, api):
    seed_meeting(api, net)
    result = app.test_cli_runner().invoke(args=["coordination", "sweep"])
    assert result.exit_code == 0, result.output
    assert "新超期的会议任务 0 项" in result.output
