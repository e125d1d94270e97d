"""The meeting screens: arranging a 协调会 from the matter page, recording the minutes, the printed minutes, the
unit's task list and the training figures, with the same services and refusals as the API."""
from datetime import timedelta

from county_net.core.timeutil import local_today
from tests.coordination.helpers import Meetings, seed_meeting
from tests.petitions.helpers import Api
from tests.tenancy.seed import neighbour_county


def _starts(days: int = 2) -> str:
    return f"{(local_today() + timedelta(days=days)).isoformat()}T09:30"


def test_a_coordination_meeting_from_the_matter_page_to_the_printed_minutes(app, net, api_token, login):
    api = Api(app, api_token)
    matter = api.register("c_recv")
    center = login("c_recv")
    page = center.get(f"/petitions/{matter['id']}").get_data(as_text=True)
    assert "召集协调会" in page and ">会议</a>" in page
    assert "召集协调会" not in login("t1_recv").get("/petitions/" + str(api.register("t1_recv")["id"])) \
        .get_data(as_text=True)
    form = center.get(f"/meetings/new?petition_id={matter['id']}&kind=coordination").get_data(as_text=True)
    assert matter["number"] in form and 'value="coordination" selected' in form
    resp = center.post("/meetings/new", {"kind": "coordination", "title": "欠薪问题协调会", "starts_at_local": _starts(),
                                         "place": "县信访局会议室", "petition_ids": str(matter["id"]),
                                         "invited_unit_ids": [str(net.units["B1"]), str(net.units["T1"])],
                                         "topics": "研究化解方案"}, form_page="/meetings/new")
    assert resp.status_code == 302, resp.get_data(as_text=True)[:2000]
    meeting_url = resp.headers["Location"]
    meeting_id = int(meeting_url.rstrip("/").rsplit("/", 1)[1])
    page = center.get(meeting_url).get_data(as_text=True)
    assert "欠薪问题协调会" in page and "测试县人社局、东镇人民政府" in page and matter["number"] in page
    # The minutes, as the page posts them: attendee rows, one decision per line, the lead and co-units.
    meeting = Meetings(api).show("c_recv", meeting_id)
    resp = center.post(f"/meetings/{meeting_id}/do/minutes", {
        "version": str(meeting["version"]), "minutes": "会议听取了人社局的情况汇报。", "topics": "研究化解方案",
        "attendee_name_0": "王某", "attendee_post_0": "副局长", "attendee_unit_0": str(net.units["B1"]),
        "attendee_name_1": "赵某", "attendee_post_1": "镇长", "attendee_unit_1": str(net.units["T1"]),
        "attendee_name_2": "", "attendee_post_2": "", "attendee_unit_2": str(net.units["C0"]),
        "decisions": "人社局牵头核实欠薪金额\n东镇配合做好稳控工作\n",
        "lead_unit_id": str(net.units["B1"]), "co_unit_ids": str(net.units["T1"])}, form_page=meeting_url)
    assert resp.status_code == 302, resp.get_data(as_text=True)[:3000]
    meeting = Meetings(api).show("c_recv", meeting_id)
    assert [a["name"] for a in meeting["attendees"]] == ["王某", "赵某"]
    assert [d["content"] for d in meeting["decisions"]] == ["人社局牵头核实欠薪金额", "东镇配合做好稳控工作"]
    due = (local_today() + timedelta(days=7)).isoformat()
    resp = center.post(f"/meetings/{meeting_id}/do/tasks", {
        "version": str(meeting["version"]), "assignee_unit_id": str(net.units["B1"]), "content": "核实欠薪金额并报告",
        "due_on": due, "decision_id": str(meeting["decisions"][0]["id"])}, form_page=meeting_url)
    assert resp.status_code == 302
    minutes = center.get(f"/meetings/{meeting_id}/minutes").get_data(as_text=True)
    for text in ("协调会议纪要", "测试县信访局", "县信访局会议室", "测试县人社局 王某（副局长）", matter["number"],
                 "人社局牵头核实欠薪金额", "牵头单位：测试县人社局；配合单位：东镇人民政府", "核实欠薪金额并报告",
                 f"{int(due[:4])}年{int(due[5:7])}月{int(due[8:])}日", 'class="a4"'):
        assert text in minutes, text
    # The bureau finds the task in its list and reports from there.
    bureau = login("b1_recv")
    tasks = bureau.get("/meeting-tasks").get_data(as_text=True)
    assert "核实欠薪金额并报告" in tasks and "报告完成情况" in tasks
    task = Meetings(api).show("b1_recv", meeting_id)["tasks"][0]
    resp = bureau.post(f"/meeting-tasks/{task['id']}/do/report", {"version": str(task["version"]),
                                                                   "report": "已核实，共计 1.2 万元"},
                       form_page="/meeting-tasks")
    assert resp.status_code == 302
    assert Meetings(api).show("c_recv", meeting_id)["tasks"][0]["state"] == "reported"
    listing = center.get("/meetings?kind=coordination").get_data(as_text=True)
    assert "欠薪问题协调会" in listing


def test_the_web_form_refuses_what_the_api_refuses(app, net, api_token, login):
    api = Api(app, api_token)
    other = neighbour_county(app, [])
    matter = api.register("c_recv")
    center = login("c_recv")
    resp = center.post("/meetings/new", {"kind": "coordination", "title": "协调会", "starts_at_local": _starts(),
                                         "place": "会议室", "petition_ids": str(matter["id"]),
                                         "invited_unit_ids": str(other["K1"])}, form_page="/meetings/new")
    assert resp.status_code == 400 and "只能邀请本县（市、区）的单位" in resp.get_data(as_text=True)
    assert center.get("/meetings").get_data(as_text=True).count("/meetings/1\"") == 0
    ids = seed_meeting(api, net)
    stale = center.post(f"/meetings/{ids['meeting_id']}/do/close", {"version": "1"},
                        form_page=f"/meetings/{ids['meeting_id']}")
    assert stale.status_code == 409 and "已被他人修改" in stale.get_data(as_text=True)
    assert login("t1_recv").get(f"/meetings/{ids['meeting_id']}").status_code == 404
    assert login("t1_recv").get(f"/meetings/{ids['meeting_id']}/minutes").status_code == 404
    liaison = login("e1_liaison")
    resp = liaison.post("/meetings/new", {"kind": "training", "title": "培训", "starts_at_local": _starts(),
                                          "place": "会议室", "invited_unit_ids": str(net.units["E1"])},
                        form_page="/meetings/new")
    assert resp.status_code == 403


def test_the_training_page_shows_person_times(app, net, api_token, login):
    api = Api(app, api_token)
    meetings = Meetings(api)
    training = meetings.convene("c_recv", kind="training", title="信息员培训", petition_ids=[],
                                invited_unit_ids=[net.units["E1"]])
    meetings.step("c_recv", training, "minutes", minutes="培训。", trained=[{"unit_id": net.units["E1"], "count": 7}])
    until = (local_today() + timedelta(days=30)).isoformat()
    page = login("c_recv").get(f"/meetings/training?date_to={until}").get_data(as_text=True)
    assert "<td>东镇某厂</td><td>1</td><td>7</td>" in page
