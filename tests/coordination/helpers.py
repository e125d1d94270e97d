"""Driving meetings through the JSON API, as a client would."""
from datetime import datetime, timedelta

from county_net.core.timeutil import COUNTY_TZ, local_today


def soon(days: int = 3, hour: int = 9) -> str:
    """A meeting time `days` from today, Beijing time, as the API takes it."""
    day = local_today() + timedelta(days=days)
    return datetime(day.year, day.month, day.day, hour, 0, tzinfo=COUNTY_TZ).isoformat()


class Meetings:
    def __init__(self, api):
        self.api = api  # tests.petitions.helpers.Api

    def convene(self, user, expect=201, **fields):
        body = {"kind": "coordination", "title": "东镇某厂欠薪问题协调会", "starts_at": soon(), "place": "县信访局三楼会议室",
                "topics": "研究欠薪问题的化解方案"}
        body.update(fields)
        resp = self.api.post(user, "/api/v1/meetings", body)
        assert resp.status_code == expect, resp.get_json()
        return resp.get_json()

    def step(self, user, meeting, slug, expect=200, **fields):
        body = {"version": meeting["version"], **fields}
        resp = self.api.post(user, f"/api/v1/meetings/{meeting['id']}/{slug}", body)
        assert resp.status_code == expect, resp.get_json()
        return resp.get_json()

    def task_step(self, user, task, slug, expect=200, **fields):
        body = {"version": task["version"], **fields}
        resp = self.api.post(user, f"/api/v1/meeting-tasks/{task['id']}/{slug}", body)
        assert resp.status_code == expect, resp.get_json()
        return resp.get_json()

    def show(self, user, meeting_id, expect=200):
        resp = self.api.get(user, f"/api/v1/meetings/{meeting_id}")
        assert resp.status_code == expect, resp.get_json()
        return resp.get_json()


def seed_meeting(api, net, matter: dict | None = None, invited=("B1", "T2"), convener: str = "c_recv",
                 units: dict | None = None) -> dict:
    """A held coordination meeting of a county center on a matter, with minutes, a decision and one task for
    the first invited unit: ids for the tenancy sweeps and the API document's tests. `units`: where to find
    unit ids other than the `net` fixture's (a neighbouring county's)."""
    ids = {**net.units, **(units or {})}
    matter = matter or api.register(convener)
    meetings = Meetings(api)
    meeting = meetings.convene(convener, petition_ids=[matter["id"]], invited_unit_ids=[ids[code] for code in invited])
    meeting = meetings.step(convener, meeting, "minutes", minutes="各方同意先行垫付部分工资。",
                            decisions=["属地政府牵头督促企业支付工资"],
                            attendees=[{"name": "王某", "post": "副局长", "unit_id": ids[invited[0]]}])
    due = (local_today() + timedelta(days=10)).isoformat()
    meeting = meetings.step(convener, meeting, "tasks", assignee_unit_id=ids[invited[0]],
                            content="督促企业十日内支付拖欠工资", due_on=due)
    return {"meeting_id": meeting["id"], "task_id": meeting["tasks"][0]["id"], "matter_id": matter["id"],
            "meeting": meeting}
