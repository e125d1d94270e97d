"""Input schemas (shared by the web forms and the JSON API) and output schemas."""
from marshmallow import Schema, fields, validate

from county_net.api import PageMetaSchema
from county_net.core.schemas import Date, DayWithin, Id, Int, LocalDateTime, Text, Version
from county_net.supervision.models import LEVELS, METHODS, PROBLEMS, STATES
from county_net.supervision.services import FEEDBACK_MAX_DAYS, MAX_MATTERS


def _required_text(max_len: int = 4000, **kwargs):
    return Text(max_len, min_len=1, required=True, **kwargs)


class SupervisionIssueSchema(Schema):
    petition_ids = fields.List(Id(), required=True, validate=validate.Length(min=1, max=MAX_MATTERS),
                               metadata={"description": "被督办的事项（一件或一组）；本单位看不到的事项答 404"})
    target_unit_id = Id(required=True, metadata={"description": "被督办单位：须为本县（市、区）的单位，否则 400"})
    level = fields.String(required=True, validate=validate.OneOf(list(LEVELS)),
                          metadata={"description": "urge 催办 / normal 普通 / yellow 黄牌 / red 红牌"})
    method = fields.String(required=True, validate=validate.OneOf(list(METHODS)),
                           metadata={"description": "phone 电话 / document 文书 / talk 约谈 / onsite 实地 / joint 联合；"
                                                    "实地、联合须县信访局一把手签发，或 for_approval 提交审批（否则 403）"})
    problem = fields.String(required=True, validate=validate.OneOf(list(PROBLEMS)))
    content = _required_text(metadata={"description": "督办内容（发现的问题）"})
    required_action = _required_text(metadata={"description": "工作要求"})
    feedback_due_on = DayWithin(past_days=-1, future_days=FEEDBACK_MAX_DAYS, required=True,
                                metadata={"description": "反馈期限"})
    is_priority = fields.Boolean(load_default=False, metadata={"description": "重点督办"})
    is_listed = fields.Boolean(load_default=False, metadata={"description": "挂牌督办"})
    for_approval = fields.Boolean(load_default=False,
                                  metadata={"description": "实地、联合督办由接访员提交一把手审批"})


class SupervisionVersionSchema(Schema):
    version = Version(required=True)


class SupervisionNoteSchema(SupervisionVersionSchema):
    note = Text(2000, load_default="")


class SupervisionFeedbackSchema(SupervisionVersionSchema):
    feedback = _required_text(8000, metadata={"description": "办理情况反馈（一把手签发）"})


class SupervisionReasonSchema(SupervisionVersionSchema):
    reason = _required_text(500)


class SupervisionEscalateSchema(SupervisionNoteSchema):
    level = fields.String(required=True, validate=validate.OneOf(list(LEVELS)),
                          metadata={"description": "只能升高"})
    is_priority = fields.Boolean(load_default=None, allow_none=True)
    is_listed = fields.Boolean(load_default=None, allow_none=True)


ACTION_SCHEMAS = {
    "approve": SupervisionNoteSchema, "receive": SupervisionVersionSchema, "feedback": SupervisionFeedbackSchema,
    "accept": SupervisionNoteSchema, "return": SupervisionReasonSchema, "close": SupervisionNoteSchema,
    "cancel": SupervisionReasonSchema, "escalate": SupervisionEscalateSchema,
}


class SupervisionListArgsSchema(Schema):
    page = Int(strict=False, load_default=1, validate=validate.Range(1, 100_000))
    page_size = Int(strict=False, load_default=20, validate=validate.Range(1, 100))
    level = fields.String(validate=validate.OneOf(list(LEVELS)))
    state = fields.String(validate=validate.OneOf(list(STATES)))
    target_unit_id = Id(strict=False)
    petition_id = Id(strict=False)
    open_only = fields.Boolean(load_default=False)
    overdue_feedback = fields.Boolean(load_default=False, metadata={"description": "逾期未反馈"})
    mine = fields.Boolean(load_default=False, metadata={"description": "只看督办本单位的"})


class SupervisedMatterSchema(Schema):
    id = Int()
    number = fields.String()


class SupervisionSchema(Schema):
    id = Int()
    number = fields.String(metadata={"description": "督办单号"})
    version = Int()
    level = fields.String()
    level_label = fields.String()
    is_priority = fields.Boolean()
    is_listed = fields.Boolean()
    method = fields.String()
    method_label = fields.String()
    problem = fields.String()
    problem_label = fields.String()
    state = fields.String()
    state_label = fields.String()
    source = fields.String()
    source_label = fields.String()
    unit_id = Int()
    unit_name = fields.String()
    target_unit_id = Int()
    target_unit_name = fields.String()
    content = fields.String()
    required_action = fields.String()
    feedback_due_on = fields.Date()
    feedback_overdue = fields.Boolean()
    issued_at = LocalDateTime(allow_none=True)
    approved_at = LocalDateTime(allow_none=True)
    approved_by = fields.String(allow_none=True)
    received_at = LocalDateTime(allow_none=True)
    feedback = fields.String(allow_none=True)
    feedback_at = LocalDateTime(allow_none=True)
    review_note = fields.String(allow_none=True)
    reviewed_at = LocalDateTime(allow_none=True)
    rework_count = Int()
    closed_at = LocalDateTime(allow_none=True)
    cancelled_at = LocalDateTime(allow_none=True)
    cancelled_reason = fields.String(allow_none=True)
    created_at = LocalDateTime()
    matters = fields.List(fields.Nested(SupervisedMatterSchema))
    actions = fields.List(fields.String(), metadata={"description": "当前用户可执行的操作"})


class SupervisionPageSchema(Schema):
    items = fields.List(fields.Nested(SupervisionSchema))
    meta = fields.Nested(PageMetaSchema)


class SupervisionEventSchema(Schema):
    id = Int()
    kind = fields.String()
    from_state = fields.String(allow_none=True)
    to_state = fields.String(allow_none=True)
    from_level = fields.String(allow_none=True)
    to_level = fields.String(allow_none=True)
    actor_name = fields.String()
    actor_unit_name = fields.String(allow_none=True)
    occurred_at = LocalDateTime()
    note = fields.String()


class SupervisionClockSchema(Schema):
    petition_id = Int()
    number = fields.String()
    step = fields.String(metadata={"description": "sign 签收 / handle 办理 / due 办理期限"})
    step_label = fields.String()
    unit_id = Int()
    unit_name = fields.String()
    started_on = fields.Date()
    extension_days = Int()
    due_on = fields.Date(allow_none=True)
    warn_on = fields.Date(allow_none=True)
    yellow_on = fields.Date(allow_none=True)
    red_on = fields.Date(allow_none=True)
    overdue_on = fields.Date(allow_none=True)
    level = fields.String(metadata={"description": "按今天计算（不依赖自动督办是否已运行）"})
    level_label = fields.String()


class LateUnitSchema(Schema):
    unit_id = Int()
    unit_name = fields.String()
    cards = Int()
    yellow = Int()
    red = Int()


class SupervisionScoreArgsSchema(Schema):
    since = Date()
    until = Date()


class SupervisionScoreSchema(Schema):
    unit_id = Int()
    unit_name = fields.String()
    total = Int()
    yellow = Int()
    red = Int()
    on_time_close = Int()
