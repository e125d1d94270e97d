"""Input and output of the hall's visits. The service checks what depends on the county (its representatives'
limit, its windows, its hours); these schemas check shape, so the API document states every field."""
from marshmallow import Schema, fields, validate

from county_net.core.schemas import Date, DayWithin, Id, Int, Line, LocalDateTime, Text, Version
from county_net.hall.models import COMPLEXITIES, OUTCOMES, PRIORITY_REASONS, PURPOSES, ROUTES, VISIT_STATES
from county_net.petitions.models import NATURES
from county_net.petitions.schemas import MAX_REPRESENTATIVES, PersonInSchema

_PEOPLE_NOTE = (f"来访人；多人走访反映同一事项的只登记推选的代表（最多 {MAX_REPRESENTATIVES} 名，本县设置更少时以本县为准），"
                "人数填在 head_count")


class TriageSchema(Schema):
    people = fields.List(fields.Nested(PersonInSchema), required=True, validate=validate.Length(
        min=1, max=MAX_REPRESENTATIVES, error=f"请登记 1–{MAX_REPRESENTATIVES} 名来访人：多人走访反映同一事项的，"
                                              f"应推选不超过 {MAX_REPRESENTATIVES} 名代表，请只登记代表"),
        metadata={"description": _PEOPLE_NOTE})
    head_count = Int(load_default=1, validate=validate.Range(1, 10000), metadata={"description": "本批来访人数"})
    purpose_kind = fields.String(load_default="other", validate=validate.OneOf(list(PURPOSES)),
                                 metadata={"description": "来访目的：" + "、".join(f"{k} {v}" for k, v in PURPOSES.items())})
    purpose = Text(2000, min_len=1, required=True, metadata={"description": "反映的问题"})
    demands = Text(2000, load_default="", metadata={"description": "具体诉求"})
    category_id = Id(load_default=None, allow_none=True, metadata={"description": "事项类别（分流按类别找窗口）"})
    locality_unit_id = Id(load_default=None, allow_none=True, metadata={"description": "问题属地：本县的乡镇（街道）"})
    complexity = fields.String(load_default="simple", validate=validate.OneOf(list(COMPLEXITIES)),
                               metadata={"description": "简单 simple / 复杂 complex / 疑难 hard"})
    route_to = fields.String(load_default="petition", validate=validate.OneOf(list(ROUTES)),
                             metadata={"description": "分流去向：" + "、".join(f"{k} {v}" for k, v in ROUTES.items())})
    is_joint = fields.Boolean(load_default=False, metadata={"description": "需多部门联合接待（联动）"})
    window_id = Id(load_default=None, allow_none=True, metadata={"description": "指定窗口；不填按类别和属地自动分流"})
    concerned_unit_ids = fields.List(Id(), load_default=list, validate=validate.Length(max=20),
                                     metadata={"description": "集体访时需即到的相关单位（其一把手收到提醒）"})


class CheckInSchema(TriageSchema):
    id_checked = fields.Boolean(load_default=False, metadata={"description": "已核验身份证"})
    priority_reason = fields.String(load_default=None, allow_none=True, validate=validate.OneOf(list(PRIORITY_REASONS)),
                                    metadata={"description": "优先接待原因：" + "、".join(
                                        f"{k} {v}" for k, v in PRIORITY_REASONS.items())})
    priority_note = Line(200, load_default="", metadata={"description": "优先接待说明（紧急情况必填）"})


class BookingSchema(TriageSchema):
    day = DayWithin(past_days=0, future_days=60, required=True, metadata={"description": "预约日期"})
    booked_time = fields.String(load_default="", validate=validate.Regexp(r"^(([01]\d|2[0-3]):[0-5]\d)?$",
                                                                       error="时段格式为 HH:MM"),
                                metadata={"description": "预约时段，如 09:30"})
    booking_note = Line(200, load_default="", metadata={"description": "预约说明"})


class ArriveSchema(Schema):
    version = Version(required=True)
    id_checked = fields.Boolean(load_default=False)
    priority_reason = fields.String(load_default=None, allow_none=True, validate=validate.OneOf(list(PRIORITY_REASONS)))
    priority_note = Line(200, load_default="")
    window_id = Id(load_default=None, allow_none=True)


class PrioritiseSchema(Schema):
    version = Version(required=True)
    priority_reason = fields.String(required=True, validate=validate.OneOf(list(PRIORITY_REASONS)))
    priority_note = Line(200, load_default="")


class VisitStepSchema(Schema):
    version = Version(required=True)
    window_id = Id(load_default=None, allow_none=True, metadata={"description": "办理窗口（窗口页面提交时必带）"})


class VisitNoteSchema(VisitStepSchema):
    note = Line(200, load_default="")


class InterviewSchema(VisitStepSchema):
    interview_who = Text(4000, load_default=None, allow_none=True, metadata={"description": "接谈对象及陪同人员"})
    interview_said = Text(4000, load_default=None, allow_none=True, metadata={"description": "反映的内容"})
    interview_agreed = Text(4000, load_default=None, allow_none=True, metadata={"description": "答复意见和约定事项"})


class FinishSchema(InterviewSchema):
    outcome = fields.String(required=True, validate=validate.OneOf(list(OUTCOMES)), metadata={
        "description": "处理方式：" + "、".join(f"{k} {v}" for k, v in OUTCOMES.items())})
    answer = Text(2000, load_default=None, allow_none=True, metadata={"description": "口头告知：当场答复的内容"})
    contact_unit_id = Id(load_default=None, allow_none=True, metadata={"description": "电话联系：联系的责任单位"})
    contact_person = Line(60, load_default=None, allow_none=True, metadata={"description": "电话联系：联系人"})
    agreed = Text(2000, load_default=None, allow_none=True, metadata={"description": "电话联系：约定的内容"})
    organ = Line(120, load_default=None, allow_none=True, metadata={"description": "告知单：应向其反映的机关或途径"})
    organ_contact = Line(200, load_default=None, allow_none=True, metadata={"description": "告知单：地址或联系方式"})
    reason = Text(1000, load_default=None, allow_none=True, metadata={"description": "告知单：告知理由"})
    nature = fields.String(load_default="demand", validate=validate.OneOf(list(NATURES)),
                           metadata={"description": "转送、交办、摘报：登记的事项性质"})
    category_id = Id(load_default=None, allow_none=True, metadata={"description": "事项类别（分流时未选的须在此选）"})
    to_unit_id = Id(load_default=None, allow_none=True, metadata={"description": "转送、交办：责任单位"})
    report_due_on = DayWithin(past_days=-1, future_days=90, load_default=None, allow_none=True,
                              metadata={"description": "交办：报送办结报告日期"})
    note = Line(1000, load_default="", metadata={"description": "转送、交办的意见"})


class VisitListArgsSchema(Schema):
    day = Date(load_default=None, metadata={"description": "接待日期，缺省为今天"})
    state = fields.String(load_default=None, validate=validate.OneOf(list(VISIT_STATES)))
    window_id = Id(load_default=None)
    booked = fields.Boolean(load_default=None, allow_none=True)


class PersonOutSchema(Schema):
    petitioner_id = fields.Integer()
    name = fields.String()
    id_number = fields.String(allow_none=True, metadata={"description": "脱敏"})
    phone = fields.String(allow_none=True, metadata={"description": "脱敏"})
    is_representative = fields.Boolean()


class RefSchema(Schema):
    id = fields.Integer()
    name = fields.String()


class WindowRefSchema(RefSchema):
    number = fields.Integer()


class VisitPetitionSchema(Schema):
    id = fields.Integer()
    number = fields.String(allow_none=True)


class VisitEventSchema(Schema):
    kind = fields.String()
    kind_label = fields.String()
    from_state = fields.String(allow_none=True)
    to_state = fields.String(allow_none=True)
    actor_name = fields.String()
    occurred_at = LocalDateTime()
    note = fields.String()
    payload = fields.Dict()


class ActionSchema(Schema):
    action = fields.String()
    label = fields.String()


class VisitRowSchema(Schema):
    id = fields.Integer()
    version = fields.Integer()
    day = fields.Date()
    ticket = fields.String()
    state = fields.String()
    state_label = fields.String()
    booked = fields.Boolean()
    booked_time = fields.String(allow_none=True)
    priority_label = fields.String()
    head_count = fields.Integer()
    is_collective = fields.Boolean()
    purpose = fields.String()
    route_label = fields.String()
    window = fields.Nested(WindowRefSchema, allow_none=True)
    checked_in_at = LocalDateTime(allow_none=True)
    called_at = LocalDateTime(allow_none=True)
    outcome_label = fields.String()
    people = fields.List(fields.String())
    position = fields.Integer(metadata={"description": "候谈顺位（仅窗口队列）"})
    estimated_wait_minutes = fields.Integer(metadata={"description": "预计等候分钟（仅窗口队列）"})


class VisitSchema(Schema):
    id = fields.Integer()
    version = fields.Integer()
    day = fields.Date()
    ticket = fields.String()
    ticket_no = fields.Integer(allow_none=True)
    state = fields.String()
    state_label = fields.String()
    booked = fields.Boolean()
    booked_time = fields.String(allow_none=True)
    booking_note = fields.String()
    queue_rank = fields.Integer(metadata={"description": "0 优先，1 预约，2 现场取号"})
    priority_reason = fields.String(allow_none=True)
    priority_label = fields.String()
    priority_note = fields.String()
    head_count = fields.Integer()
    is_collective = fields.Boolean()
    purpose_kind = fields.String()
    purpose_label = fields.String()
    purpose = fields.String()
    demands = fields.String()
    category = fields.Nested(RefSchema, allow_none=True)
    locality = fields.Nested(RefSchema, allow_none=True)
    complexity = fields.String(allow_none=True)
    complexity_label = fields.String()
    route_to = fields.String(allow_none=True)
    route_label = fields.String()
    is_joint = fields.Boolean()
    id_checked = fields.Boolean()
    window = fields.Nested(WindowRefSchema, allow_none=True)
    room = fields.Nested(RefSchema, allow_none=True)
    reception_day_id = fields.Integer(allow_none=True)
    queue_position = fields.Integer(allow_none=True)
    estimated_wait_minutes = fields.Integer(allow_none=True)
    checked_in_at = LocalDateTime(allow_none=True)
    called_at = LocalDateTime(allow_none=True)
    call_count = fields.Integer()
    interview_started_at = LocalDateTime(allow_none=True)
    interview_ended_at = LocalDateTime(allow_none=True)
    left_at = LocalDateTime(allow_none=True)
    wait_minutes = fields.Integer(allow_none=True)
    interview_minutes = fields.Integer(allow_none=True)
    interviewer_name = fields.String()
    interview_who = fields.String()
    interview_said = fields.String()
    interview_agreed = fields.String()
    outcome = fields.String(allow_none=True)
    outcome_label = fields.String()
    outcome_detail = fields.Dict()
    petition = fields.Nested(VisitPetitionSchema, allow_none=True)
    flagged_digest = fields.Boolean()
    people = fields.List(fields.Nested(PersonOutSchema))
    registered_by_name = fields.String()
    actions = fields.List(fields.Nested(ActionSchema))
    events = fields.List(fields.Nested(VisitEventSchema))


class WindowDeskSchema(Schema):
    window = fields.Nested(WindowRefSchema)
    day = fields.Date()
    current = fields.Nested(VisitSchema, allow_none=True)
    queue = fields.List(fields.Nested(VisitRowSchema))
    done = fields.List(fields.Nested(VisitRowSchema))
    others = fields.List(fields.Nested(VisitRowSchema), metadata={"description": "本窗口其他工作人员正在接待的号"})


class HallWindowSchema(WindowRefSchema):
    waiting = fields.Integer()
    serving = fields.String(allow_none=True)
    done = fields.Integer()


class HallTodaySchema(Schema):
    day = fields.Date()
    windows = fields.List(fields.Nested(HallWindowSchema))
    bookings = fields.List(fields.Nested(VisitRowSchema))
    open = fields.List(fields.Nested(VisitRowSchema))
