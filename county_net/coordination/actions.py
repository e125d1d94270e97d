"""Each step on a meeting or a task: its URL segment, input schema and service. The web form and the JSON
endpoint both dispatch through these tables, so they cannot drift apart."""
from dataclasses import dataclass

from marshmallow import Schema
from sqlalchemy.orm.exc import StaleDataError

from county_net.core.errors import StaleVersion
from county_net.coordination import schemas as s
from county_net.coordination import services as sv


@dataclass(frozen=True)
class Step:
    name: str  # as in queries.meeting_actions / task_actions
    slug: str
    label: str
    schema: type[Schema]
    service: object
    done: str


MEETING_STEPS = {e.name: e for e in (
    Step("invite", "invite", "邀请参会单位", s.InviteSchema, sv.invite_units, "已发出邀请"),
    Step("minutes", "minutes", "记录会议纪要", s.MinutesSchema, sv.record_minutes, "已记录会议纪要"),
    Step("task", "tasks", "交办会议任务", s.TaskCreateSchema, sv.add_task, "已交办任务"),
    Step("close", "close", "结束会议", s.MeetingVersionSchema, sv.close_meeting, "会议已结束，参会单位对事项的查看权限已收回"),
    Step("cancel", "cancel", "取消会议", s.CancelSchema, sv.cancel_meeting, "会议已取消"),
    Step("next", "next", "安排下一次例会", s.MeetingVersionSchema, sv.schedule_next, "已安排下一次例会"),
)}
TASK_STEPS = {e.name: e for e in (
    Step("report", "report", "报告完成情况", s.TaskReportSchema, sv.report_task, "已报告完成情况"),
    Step("accept", "accept", "确认完成", s.MeetingVersionSchema, sv.accept_task, "已确认完成"),
    Step("return", "return", "退回", s.TaskReturnSchema, sv.return_task, "已退回"),
)}
MEETING_BY_SLUG = {e.slug: e for e in MEETING_STEPS.values()}
TASK_BY_SLUG = {e.slug: e for e in TASK_STEPS.values()}


def run(step: Step, actor, row, body: dict):
    try:
        return step.service(actor, row, **body)
    except StaleDataError:
        raise StaleVersion() from None  # another request committed the same version first
