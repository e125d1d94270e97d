"""Input and output schemas of the desk, shared by the web forms and the JSON API."""
from marshmallow import Schema, fields, validate

from county_net.api import PageArgsSchema, PageMetaSchema
from county_net.core.schemas import Int, Line, LocalDateTime, Text, Version
from county_net.desk.models import FOLLOW_UP_METHODS, FOLLOW_UP_RESULTS, FOLLOW_UP_STATES
from county_net.petitions.schemas import NoteSchema, PetitionRowSchema, ReasonSchema  # noqa: F401

# The queue's verdicts take the matter page's own inputs: approve = NoteSchema, return = ReasonSchema.
ApproveSchema = NoteSchema
ReturnSchema = ReasonSchema


class FollowUpInSchema(Schema):
    version = Version(required=True)
    method = fields.String(required=True, validate=validate.OneOf(list(FOLLOW_UP_METHODS)),
                           metadata={"description": "回访方式：phone 电话 / visit 上门 / sms 短信"})
    person = Line(60, load_default="", metadata={"description": "回访对象"})
    could_not_reach = fields.Boolean(load_default=False, metadata={"description": "未能联系上：只记一次尝试，任务保留"})
    result = fields.String(load_default=None, allow_none=True, validate=validate.OneOf(list(FOLLOW_UP_RESULTS)),
                           metadata={"description": "satisfied 满意 / persists 问题仍未解决 / reopened 登记为新事项"})
    note = Text(2000, load_default="")
    new_summary = Text(4000, load_default="", metadata={"description": "result=reopened 时必填：新事项反映的问题（5–4000 字）"})
    new_demands = Text(4000, load_default="")


class FollowUpArgsSchema(PageArgsSchema):
    state = fields.String(validate=validate.OneOf(list(FOLLOW_UP_STATES)))
    due = fields.Boolean(metadata={"description": "只列已到回访日的待回访任务"})


class PetitionRefSchema(Schema):
    id = Int()
    number = fields.String()
    state = fields.String()
    state_label = fields.String()
    summary = fields.String()
    version = Int()


class FollowUpSchema(Schema):
    id = Int()
    petition_id = Int()
    unit_id = Int()
    unit = fields.String()
    closed_on = fields.Date()
    due_on = fields.Date()
    state = fields.String()
    state_label = fields.String()
    is_due = fields.Boolean()
    method = fields.String(allow_none=True)
    method_label = fields.String()
    person = fields.String(allow_none=True)
    result = fields.String(allow_none=True)
    result_label = fields.String()
    note = fields.String()
    could_not_reach = fields.Boolean()
    attempts = Int()
    last_attempt_at = LocalDateTime(allow_none=True)
    done_at = LocalDateTime(allow_none=True)
    recorded_by_name = fields.String(allow_none=True)
    new_petition_id = Int(allow_none=True)
    version = Int()
    petition = fields.Nested(PetitionRefSchema)


class FollowUpPageSchema(Schema):
    items = fields.List(fields.Nested(FollowUpSchema))
    meta = fields.Nested(PageMetaSchema)


class ReviewRowSchema(PetitionRowSchema):
    report = fields.String(metadata={"description": "办结报告"})
    reported_at = LocalDateTime(allow_none=True)
    reported_by_unit = fields.String(allow_none=True)
    is_sub = fields.Boolean(metadata={"description": "为真时是下级村（社区）或企业的办结报告"})


class ReviewQueueSchema(Schema):
    total = Int()
    items = fields.List(fields.Nested(ReviewRowSchema))


class BoardUnitSchema(Schema):
    unit_id = Int()
    unit = fields.String()
    open = Int()
    due_soon = Int()
    overdue = Int()
    links = fields.Dict(keys=fields.String(), values=fields.String())


class BoardCountsSchema(Schema):
    open = Int()
    due_soon = Int()
    overdue = Int()


class CollectiveRowSchema(Schema):
    id = Int()
    number = fields.String()
    received_at = LocalDateTime()
    head_count = Int()
    summary = fields.String()
    holder_unit = fields.String(allow_none=True)
    state = fields.String()
    state_label = fields.String()


class BoardCollectiveSchema(Schema):
    days = Int()
    since = fields.Date()
    count = Int()
    link = fields.String()
    latest = fields.List(fields.Nested(CollectiveRowSchema))


class BoardSupervisionSchema(Schema):
    level = fields.String()
    label = fields.String()
    count = Int()
    link = fields.String()


class BoardSchema(Schema):
    units = fields.List(fields.Nested(BoardUnitSchema))
    totals = fields.Nested(BoardCountsSchema)
    total_links = fields.Dict(keys=fields.String(), values=fields.String())
    review_queue = Int()
    review_queue_link = fields.String()
    follow_ups_due = Int()
    follow_ups_due_link = fields.String()
    due_soon_days = Int(metadata={"description": "本县预警期（天）"})
    collective = fields.Nested(BoardCollectiveSchema)
    supervision = fields.List(fields.Nested(BoardSupervisionSchema), allow_none=True)


class SupervisionOwedSchema(Schema):
    issued = Int(metadata={"description": "督办本单位、待签收"})
    received = Int(metadata={"description": "已签收、待反馈"})


class TasksOwedSchema(Schema):
    open = Int(metadata={"description": "交给本单位、待办理的会议任务"})
    overdue = Int(metadata={"description": "其中已过完成日期的"})


class AskedSchema(Schema):
    review_queue = Int(metadata={"description": "待本单位审查的办结报告"})
    follow_ups_due = Int(metadata={"description": "已到回访日的回访任务"})
    follow_ups_pending = Int(metadata={"description": "全部待回访任务"})
    supervision = fields.Nested(SupervisionOwedSchema)
    tasks = fields.Nested(TasksOwedSchema)
    is_center = fields.Boolean()
