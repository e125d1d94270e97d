"""Input schemas (shared by the web forms and the JSON API) and output schemas of meetings and their tasks."""
from datetime import timedelta

from marshmallow import Schema, ValidationError, fields, validate

from county_net.api import PageMetaSchema
from county_net.core.schemas import Date, DayWithin, Id, Int, Line, LocalDateTime, Name, Text, Version
from county_net.core.timeutil import COUNTY_TZ, local_today
from county_net.coordination.models import KINDS, RECURRENCES, STATES, TASK_STATES
from county_net.coordination.services import (MAX_ATTENDEES, MAX_DECISIONS, MAX_MATTERS, MAX_UNITS,
                                              TASK_DUE_MAX_DAYS)

MEETING_SPAN_DAYS = 366  # an input sanity bound: a meeting recorded up to a year after, or arranged a year ahead


class MeetingAt(fields.AwareDateTime):
    """A meeting's start, with its time zone, within a year either side of today."""

    def __init__(self, **kwargs):
        metadata = kwargs.pop("metadata", {}) or {}
        note = f"须带时区；按北京时间在今天前后 {MEETING_SPAN_DAYS} 日内"
        super().__init__(default_timezone=None, metadata={
            **metadata, "description": f"{metadata['description']}（{note}）" if metadata.get("description") else note},
            **kwargs)

    def _deserialize(self, value, attr, data, **kwargs):
        moment = super()._deserialize(value, attr, data, **kwargs)
        try:
            day = moment.astimezone(COUNTY_TZ).date()
        except (OverflowError, ValueError):
            raise ValidationError("会议时间无效") from None
        today = local_today()
        if not today - timedelta(days=MEETING_SPAN_DAYS) <= day <= today + timedelta(days=MEETING_SPAN_DAYS):
            raise ValidationError(f"会议时间须在今天前后 {MEETING_SPAN_DAYS} 日内")
        return moment


def _ids(description: str, maximum: int, **kwargs):
    return fields.List(Id(), load_default=list, validate=validate.Length(max=maximum),
                       metadata={"description": description}, **kwargs)


class MeetingCreateSchema(Schema):
    kind = fields.String(required=True, validate=validate.OneOf(list(KINDS)),
                         metadata={"description": "coordination 协调会 / briefing 信息通报例会 / field_visit 带案下访 / "
                                                  "training 培训"})
    title = Line(120, min_len=1, required=True)
    starts_at = MeetingAt(required=True, metadata={"description": "会议时间"})
    place = Line(120, min_len=1, required=True)
    convener_name = Name(60, load_default=None, allow_none=True, metadata={"description": "召集人（缺省为本人）"})
    topics = Text(8000, load_default="")
    invited_unit_ids = _ids(f"参会（受训）单位：本县的单位，最多 {MAX_UNITS} 个；其他县的单位为 400", MAX_UNITS)
    petition_ids = _ids(f"协调的信访事项（仅县信访局；协调会至少一件，最多 {MAX_MATTERS} 件）", MAX_MATTERS)
    target_unit_id = Id(load_default=None, allow_none=True, metadata={"description": "带案下访：本县的乡镇（街道）"})
    recurrence = fields.String(load_default=None, allow_none=True, validate=validate.OneOf(list(RECURRENCES)),
                               metadata={"description": "信息通报例会的周期：weekly / biweekly / monthly"})


class MeetingVersionSchema(Schema):
    version = Version(required=True)


class InviteSchema(MeetingVersionSchema):
    invited_unit_ids = fields.List(Id(), required=True, validate=validate.Length(min=1, max=MAX_UNITS),
                                   metadata={"description": "本县的单位；其他县的单位为 400"})


class AttendeeInSchema(Schema):
    name = Name(60, required=True)
    post = Line(60, load_default="")
    unit_id = Id(required=True, metadata={"description": "召集单位或受邀单位"})


class TrainedInSchema(Schema):
    unit_id = Id(required=True, metadata={"description": "参加培训的单位"})
    count = Int(required=True, validate=validate.Range(0, 100_000), metadata={"description": "培训人次"})


class MinutesSchema(MeetingVersionSchema):
    minutes = Text(20000, min_len=1, required=True)
    topics = Text(8000, load_default=None, allow_none=True)
    attendees = fields.List(fields.Nested(AttendeeInSchema), load_default=list,
                            validate=validate.Length(max=MAX_ATTENDEES))
    decisions = fields.List(Text(4000, min_len=1), load_default=list, validate=validate.Length(max=MAX_DECISIONS),
                            metadata={"description": "决定事项，按顺序；已交办任务的决定不能删去"})
    lead_unit_id = Id(load_default=None, allow_none=True, metadata={"description": "牵头单位"})
    co_unit_ids = fields.List(Id(), load_default=list, validate=validate.Length(max=MAX_UNITS),
                              metadata={"description": "配合单位（受邀单位）"})
    trained = fields.List(fields.Nested(TrainedInSchema), load_default=list, validate=validate.Length(max=MAX_UNITS),
                          metadata={"description": "培训：各单位的培训人次"})


class CancelSchema(MeetingVersionSchema):
    reason = Text(2000, min_len=1, required=True)


class TaskCreateSchema(MeetingVersionSchema):
    assignee_unit_id = Id(required=True, metadata={"description": "承办单位：召集单位或受邀单位"})
    content = Text(4000, min_len=1, required=True)
    due_on = DayWithin(past_days=-1, future_days=TASK_DUE_MAX_DAYS, required=True,
                       metadata={"description": "完成日期"})
    decision_id = Id(load_default=None, allow_none=True, metadata={"description": "出自哪一条决定事项"})


class TaskReportSchema(MeetingVersionSchema):
    report = Text(8000, min_len=1, required=True)


class TaskReturnSchema(MeetingVersionSchema):
    reason = Text(2000, min_len=1, required=True)


class MeetingListArgsSchema(Schema):
    page = Int(strict=False, load_default=1, validate=validate.Range(1, 100_000))
    page_size = Int(strict=False, load_default=20, validate=validate.Range(1, 100))
    kind = fields.String(validate=validate.OneOf(list(KINDS)))
    state = fields.String(validate=validate.OneOf(list(STATES)))
    date_from = Date(metadata={"description": "会议日期起"})
    date_to = Date(metadata={"description": "会议日期止"})


class TaskListArgsSchema(Schema):
    page = Int(strict=False, load_default=1, validate=validate.Range(1, 100_000))
    page_size = Int(strict=False, load_default=20, validate=validate.Range(1, 100))
    state = fields.String(validate=validate.OneOf([*TASK_STATES, "overdue"]),
                          metadata={"description": "open / reported / done / overdue（未完成且已过完成日期）"})


class TrainingArgsSchema(Schema):
    date_from = Date(required=True, metadata={"description": "期间起（会议日期）"})
    date_to = Date(required=True, metadata={"description": "期间止"})


# ---- output ---------------------------------------------------------------------------------------

class MeetingUnitSchema(Schema):
    id = Int()
    name = fields.String()


class InvitedSchema(Schema):
    unit_id = Int()
    unit_name = fields.String()
    part = fields.String()
    part_label = fields.String()
    trained_count = Int(allow_none=True)


class MatterRefSchema(Schema):
    id = Int()
    number = fields.String()
    summary = fields.String()
    state_label = fields.String()


class AttendeeSchema(Schema):
    name = fields.String()
    post = fields.String()
    unit_id = Int()
    unit_name = fields.String()


class DecisionSchema(Schema):
    id = Int()
    position = Int()
    content = fields.String()


class TaskSchema(Schema):
    id = Int()
    meeting_id = Int()
    meeting_title = fields.String()
    decision_id = Int(allow_none=True)
    assignee_unit_id = Int()
    assignee_unit = fields.String()
    content = fields.String()
    due_on = fields.Date()
    state = fields.String()
    state_label = fields.String()
    overdue = fields.Boolean()
    report = fields.String()
    reported_at = LocalDateTime(allow_none=True)
    return_reason = fields.String(allow_none=True)
    done_at = LocalDateTime(allow_none=True)
    version = Int()
    actions = fields.List(fields.String(), metadata={"description": "本人可执行的操作：report / accept / return"})


class _MeetingHeadSchema(Schema):
    id = Int()
    kind = fields.String()
    kind_label = fields.String()
    title = fields.String()
    state = fields.String()
    state_label = fields.String()
    starts_at = LocalDateTime()
    place = fields.String()


class MeetingRowSchema(_MeetingHeadSchema):
    convener_unit = fields.String()
    open_tasks = Int()
    overdue_tasks = Int()


class MeetingPageSchema(Schema):
    items = fields.List(fields.Nested(MeetingRowSchema))
    meta = fields.Nested(PageMetaSchema)


class MeetingSchema(_MeetingHeadSchema):
    convener_name = fields.String()
    convener_unit = fields.Nested(MeetingUnitSchema)
    target_unit = fields.Nested(MeetingUnitSchema, allow_none=True)
    recurrence = fields.String(allow_none=True)
    next_starts_at = LocalDateTime(allow_none=True, metadata={"description": "例会：按周期和工作日推算的下一次时间"})
    previous_id = Int(allow_none=True)
    topics = fields.String()
    minutes = fields.String()
    lead_unit = fields.Nested(MeetingUnitSchema, allow_none=True)
    held_at = LocalDateTime(allow_none=True)
    closed_at = LocalDateTime(allow_none=True)
    cancelled_at = LocalDateTime(allow_none=True)
    cancel_reason = fields.String(allow_none=True)
    invited = fields.List(fields.Nested(InvitedSchema))
    matters = fields.List(fields.Nested(MatterRefSchema), metadata={"description": "本人可见的事项"})
    attendees = fields.List(fields.Nested(AttendeeSchema))
    decisions = fields.List(fields.Nested(DecisionSchema))
    tasks = fields.List(fields.Nested(TaskSchema))
    actions = fields.List(fields.String(), metadata={"description": "本人可执行的操作"})
    version = Int()


class TaskPageSchema(Schema):
    items = fields.List(fields.Nested(TaskSchema))
    meta = fields.Nested(PageMetaSchema)


class TrainingRowSchema(Schema):
    unit_id = Int()
    unit_name = fields.String()
    sessions = Int(metadata={"description": "参加培训场次"})
    trained = Int(metadata={"description": "培训人次"})
