"""Input and output schemas of immediate reports and of a dispute's petition link (shared by the web forms
and the JSON API)."""
from marshmallow import Schema, fields, validate

from county_net.api import PageMetaSchema
from county_net.core.schemas import DayWithin, Id, Int, Line, LocalDateTime, Text, Version
from county_net.petitions.schemas import PetitionCreateSchema
from county_net.screening.models import INFO_KINDS, INFO_STATES


class InfoSendSchema(Schema):
    kind = fields.String(load_default="immediate", validate=validate.OneOf(list(INFO_KINDS)),
                         metadata={"description": "immediate 即时报告 / early_sign 苗头性信息 / special 重要情况专报"})
    title = Line(100, min_len=1, required=True, metadata={"description": "标题"})
    content = Text(8000, min_len=1, required=True, metadata={"description": "报告内容：时间、地点、人员、起因、现状、已采取措施"})
    place = Line(200, load_default="")
    people_count = Int(load_default=0, validate=validate.Range(0, 100000), metadata={"description": "涉及人数"})
    collective_risk = fields.Boolean(load_default=False, metadata={"description": "可能引发集体访"})
    skip_level_risk = fields.Boolean(load_default=False, metadata={"description": "可能引发越级访"})
    is_urgent = fields.Boolean(load_default=False, metadata={"description": "加急"})
    occurred_on = DayWithin(past_days=366, future_days=0, load_default=None, allow_none=True,
                            metadata={"description": "发生日期"})


class InfoVersionSchema(Schema):
    version = Version(required=True)


class InfoAssessSchema(InfoVersionSchema):
    assessment = Text(8000, min_len=1, required=True, metadata={"description": "研判意见"})
    risk_level = Line(8, min_len=1, required=True, metadata={"description": "本县风险等级代码（如 L2）"})


class InfoConvertSchema(PetitionCreateSchema):
    """The matter to register (as POST /api/v1/petitions); `summary` defaults to the report's content."""

    version = Version(required=True)
    summary = Text(4000, min_len=5, load_default=None, metadata={"description": "不填时取报告内容"})
    head_count = Int(load_default=None, allow_none=True, validate=validate.Range(1, 10000),
                     metadata={"description": "不填时取报告（纠纷）的涉及人数"})


class InfoLinkSchema(InfoVersionSchema):
    petition_id = Id(required=True, metadata={"description": "已有的信访事项；本单位看不到的事项答 400"})


class InfoCloseSchema(InfoVersionSchema):
    note = Text(2000, min_len=1, required=True, metadata={"description": "办结说明"})


STEP_SCHEMAS = {"receive": InfoVersionSchema, "assess": InfoAssessSchema, "convert": InfoConvertSchema,
                "link": InfoLinkSchema, "close": InfoCloseSchema}


class InfoListArgsSchema(Schema):
    page = Int(strict=False, load_default=1, validate=validate.Range(1, 100_000))
    page_size = Int(strict=False, load_default=20, validate=validate.Range(1, 100))
    state = fields.String(validate=validate.OneOf(list(INFO_STATES)))
    kind = fields.String(validate=validate.OneOf(list(INFO_KINDS)))
    overdue = fields.Boolean(load_default=False, metadata={"description": "超过时限仍未签收"})


class InfoEventSchema(Schema):
    kind = fields.String()
    label = fields.String()
    from_state = fields.String(allow_none=True)
    to_state = fields.String(allow_none=True)
    actor_name = fields.String()
    actor_unit_name = fields.String()
    occurred_at = LocalDateTime()
    note = fields.String()


class InfoReportRowSchema(Schema):
    id = Int()
    number = fields.String(metadata={"description": "即报〔年〕号"})
    version = Int()
    kind = fields.String()
    kind_label = fields.String()
    state = fields.String()
    state_label = fields.String()
    unit_id = Int()
    unit_name = fields.String()
    title = fields.String()
    is_urgent = fields.Boolean()
    sent_at = LocalDateTime()
    due_at = LocalDateTime(metadata={"description": "县信访局应签收的时限（北京时间）"})
    received_at = LocalDateTime(allow_none=True)
    overdue = fields.Boolean(metadata={"description": "已超过时限仍未签收"})
    received_late = fields.Boolean(metadata={"description": "超过时限才签收"})
    petition_id = Int(allow_none=True, metadata={"description": "转为或关联的信访事项（本单位看得到时）"})
    petition_number = fields.String(allow_none=True)


class InfoReportSchema(InfoReportRowSchema):
    content = fields.String()
    place = fields.String()
    people_count = Int()
    collective_risk = fields.Boolean()
    skip_level_risk = fields.Boolean()
    occurred_on = fields.Date(allow_none=True)
    reporter_name = fields.String()
    received_by_name = fields.String(allow_none=True)
    assessment = fields.String(allow_none=True)
    assessed_level = fields.String(allow_none=True)
    assessed_at = LocalDateTime(allow_none=True)
    assessed_by_name = fields.String(allow_none=True)
    closed_at = LocalDateTime(allow_none=True)
    close_note = fields.String(allow_none=True)
    actions = fields.List(fields.String(), metadata={"description": "当前用户可执行的操作"})
    events = fields.List(fields.Nested(InfoEventSchema))


class InfoReportPageSchema(Schema):
    items = fields.List(fields.Nested(InfoReportRowSchema))
    meta = fields.Nested(PageMetaSchema)


class DisputeEscalateSchema(PetitionCreateSchema):
    """The matter to register (as POST /api/v1/petitions); `summary` defaults to the dispute's 简况."""

    version = Version(required=True, metadata={"description": "排查表的版本"})
    summary = Text(4000, min_len=5, load_default=None, metadata={"description": "不填时取纠纷简况"})
    head_count = Int(load_default=None, allow_none=True, validate=validate.Range(1, 10000),
                     metadata={"description": "不填时取纠纷的涉及人数"})


class DisputeLinkSchema(Schema):
    version = Version(required=True, metadata={"description": "排查表的版本"})
    petition_id = Id(required=True, metadata={"description": "已有的信访事项；本单位看不到的事项答 400"})


class DisputeSchema(Schema):
    id = Int()
    report_id = Int()
    report_version = Int(metadata={"description": "排查表的版本（转为或关联事项时提交）"})
    report_state = fields.String()
    period_code = fields.String()
    seq = Int()
    unit_id = Int()
    unit_name = fields.String()
    found_on = fields.Date()
    dispute_type = fields.String()
    parties = fields.String()
    people_count = Int()
    place = fields.String()
    summary = fields.String()
    risk_level = fields.String()
    is_major = fields.Boolean()
    status = fields.String()
    status_label = fields.String()
    petition_id = Int(allow_none=True)
    petition_number = fields.String(allow_none=True)
