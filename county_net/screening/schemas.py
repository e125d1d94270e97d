"""Input and output of the screening sheets. One line schema serves the API, the web form and the Excel upload;
what depends on the county (its types, its risk ladder) is checked by the service against its settings."""
from marshmallow import Schema, fields, validate

from county_net.api import PageMetaSchema
from county_net.core.schemas import Date, Id, Int, Line, LocalDateTime, Name, Text, Version
from county_net.screening.models import DISPUTE_STATUSES, SCALE_BANDS, STATES

MAX_LINES = 5000  # a sheet's lines (an enterprise reports a handful; a township's own sheet a few dozen)
MAX_PEOPLE = 1_000_000


class DisputeLineSchema(Schema):
    """One 矛盾纠纷. `found_on` defaults to the day it is entered."""

    found_on = Date(load_default=None, metadata={"description": "排查时间"})
    dispute_type = Line(20, min_len=1, required=True, metadata={"description": "纠纷类型（本县类型表之一）"})
    parties = Text(500, min_len=1, required=True, metadata={"description": "当事人（各方）"})
    people_count = Int(required=True, validate=validate.Range(1, MAX_PEOPLE), metadata={"description": "涉及人数"})
    place = Line(200, min_len=1, required=True, metadata={"description": "发生地点"})
    summary = Text(4000, min_len=1, required=True, metadata={"description": "矛盾纠纷简况及原因"})
    risk_level = Line(8, load_default=None, metadata={"description": "风险等级代码（本县等级表之一）；不填按人数建议"})
    collective_risk = fields.Boolean(load_default=False, metadata={"description": "可能引发集体访"})
    skip_level_risk = fields.Boolean(load_default=False, metadata={"description": "可能引发越级访"})
    measures = Text(4000, load_default="", metadata={"description": "已采取的措施"})
    responsible_unit = Line(100, min_len=1, required=True, metadata={"description": "责任单位"})
    responsible_leader = Name(60, required=True, metadata={"description": "责任领导"})
    status = fields.String(load_default="screened", validate=validate.OneOf(list(DISPUTE_STATUSES)),
                           metadata={"description": "排查 screened / 调处中 mediating / 调处成功 resolved / 未成功·上报 escalated"})
    target_date = Date(load_default=None, metadata={"description": "化解时限（目标日期）"})


class LineWithVersionSchema(DisputeLineSchema):
    version = Version(required=True)


class LinesPutSchema(Schema):
    """Replace every line of a draft at once (the Excel upload and an API client do this)."""

    version = Version(required=True)
    lines = fields.List(fields.Nested(DisputeLineSchema), required=True,
                        validate=validate.Length(max=MAX_LINES))
    note = Text(2000, load_default=None, metadata={"description": "填报说明"})


class SheetCreateSchema(Schema):
    period = fields.String(load_default=None, validate=validate.Length(max=10),
                           metadata={"description": "周期：2026-11（月）、2026-11-1 / 2026-11-2（上/下半月）、2026-Q4；"
                                                    "不填为本单位当前周期"})


class SheetVersionSchema(Schema):
    version = Version(required=True)


class SheetNilSchema(Schema):
    version = Version(required=True)
    is_nil = fields.Boolean(required=True, metadata={"description": "本期无矛盾纠纷（零报告）"})
    note = Text(2000, load_default=None)


class SheetNoteSchema(Schema):
    version = Version(required=True)
    note = Text(2000, load_default="", metadata={"description": "意见"})


class SheetReturnSchema(Schema):
    version = Version(required=True)
    note = Text(2000, min_len=1, required=True, metadata={"description": "退回意见（必填）"})


class SheetCorrectSchema(Schema):
    version = Version(required=True)
    note = Text(2000, min_len=1, required=True, metadata={"description": "更正原因（必填）"})


class SheetListArgsSchema(Schema):
    state = fields.String(load_default=None, validate=validate.OneOf(list(STATES)))
    period = fields.String(load_default=None, validate=validate.Length(max=10))
    unit_id = Id(strict=False, load_default=None)
    late = fields.Boolean(load_default=None)
    page = Int(strict=False, load_default=1, validate=validate.Range(1, 10_000))
    page_size = Int(strict=False, load_default=20, validate=validate.Range(1, 100))


class SheetLineSchema(Schema):
    id = fields.Integer()
    seq = fields.Integer()
    carried = fields.Boolean(metadata={"description": "上期结转"})
    found_on = fields.Date()
    dispute_type = fields.String()
    parties = fields.String()
    people_count = fields.Integer()
    scale_band = fields.String(metadata={"enum": list(SCALE_BANDS)})
    scale_band_label = fields.String()
    place = fields.String()
    summary = fields.String()
    risk_level = fields.String()
    risk_label = fields.String()
    is_major = fields.Boolean()
    collective_risk = fields.Boolean()
    skip_level_risk = fields.Boolean()
    measures = fields.String()
    responsible_unit = fields.String()
    responsible_leader = fields.String()
    status = fields.String(metadata={"enum": list(DISPUTE_STATUSES)})
    status_label = fields.String()
    target_date = fields.Date(allow_none=True)
    petition_id = fields.Integer(allow_none=True)
    petition_number = fields.String(allow_none=True)


class SheetEventSchema(Schema):
    kind = fields.String()
    label = fields.String()
    from_state = fields.String(allow_none=True)
    to_state = fields.String(allow_none=True)
    actor_name = fields.String()
    occurred_at = LocalDateTime()
    note = fields.String()


class SheetSchema(Schema):
    id = fields.Integer()
    unit_id = fields.Integer()
    unit_name = fields.String()
    period = fields.String(metadata={"description": "周期代码"})
    period_label = fields.String()
    period_kind = fields.String()
    revision = fields.Integer(metadata={"description": "版本（更正后递增）"})
    due_on = fields.Date(metadata={"description": "报送截止日（节假日顺延后）"})
    is_nil = fields.Boolean()
    note = fields.String()
    state = fields.String(metadata={"enum": list(STATES)})
    state_label = fields.String()
    late = fields.Boolean(metadata={"description": "过期录入"})
    counted = fields.Boolean(metadata={"description": "计入汇总的版本"})
    filled_by_name = fields.String()
    signed_by_name = fields.String(allow_none=True)
    accepted_by_name = fields.String(allow_none=True)
    submitted_at = LocalDateTime(allow_none=True)
    filed_at = LocalDateTime(allow_none=True)
    accepted_at = LocalDateTime(allow_none=True)
    return_note = fields.String(allow_none=True)
    return_stage = fields.String(allow_none=True)
    supersedes_id = fields.Integer(allow_none=True)
    superseded_by_id = fields.Integer(allow_none=True)
    version = fields.Integer()
    actions = fields.List(fields.String(), metadata={"description": "当前用户可执行的操作"})
    lines = fields.List(fields.Nested(SheetLineSchema))
    events = fields.List(fields.Nested(SheetEventSchema))


class SheetRowSchema(Schema):
    id = fields.Integer()
    unit_id = fields.Integer()
    unit_name = fields.String()
    period = fields.String()
    period_label = fields.String()
    revision = fields.Integer()
    due_on = fields.Date()
    is_nil = fields.Boolean()
    state = fields.String()
    state_label = fields.String()
    late = fields.Boolean()
    filed_at = LocalDateTime(allow_none=True)
    line_count = fields.Integer()
    version = fields.Integer()


class SheetPageSchema(Schema):
    items = fields.List(fields.Nested(SheetRowSchema))
    meta = fields.Nested(PageMetaSchema)


class ScreeningTaskSchema(Schema):
    """What a unit is asked this period (the liaison's home page)."""

    unit_id = fields.Integer()
    files = fields.Boolean(metadata={"description": "本单位是否需报送排查表"})
    exempt_reason = fields.String(allow_none=True)
    period = fields.String(allow_none=True)
    period_label = fields.String(allow_none=True)
    due_on = fields.Date(allow_none=True)
    days_left = fields.Integer(allow_none=True)
    report_id = fields.Integer(allow_none=True)
    state = fields.String(allow_none=True)
    state_label = fields.String(allow_none=True)
    open_disputes = fields.List(fields.Nested(SheetLineSchema), metadata={"description": "上期未化解的矛盾纠纷"})




class LateArgsSchema(Schema):
    month = fields.String(load_default=None, validate=validate.Regexp(r"^\d{4}-\d{2}$", error="月份格式应为 2026-11"),
                          metadata={"description": "月份，如 2026-11；不填为本月"})
    all = fields.Boolean(load_default=False, metadata={"description": "true：列出全部应报单位（含按时报送、未到截止日）"})


class LateRowSchema(Schema):
    unit_id = fields.Integer()
    unit_name = fields.String()
    unit_kind = fields.String()
    parent_name = fields.String()
    period = fields.String()
    period_label = fields.String()
    due_on = fields.Date()
    status = fields.String(metadata={"enum": ["on_time", "late", "missing", "pending", "exempt"]})
    status_label = fields.String()
    report_id = fields.Integer(allow_none=True)
    state_label = fields.String(allow_none=True)
    filed_at = LocalDateTime(allow_none=True)
    exempt_reason = fields.String(allow_none=True)


class LateListSchema(Schema):
    month = fields.String()
    items = fields.List(fields.Nested(LateRowSchema))


class ExemptionCreateSchema(Schema):
    unit_id = Id(required=True, metadata={"description": "免报单位"})
    reason = Line(500, min_len=1, required=True, metadata={"description": "免报原因"})
    starts_on = Date(required=True)
    ends_on = Date(load_default=None, metadata={"description": "截止日期（含）；不填为长期"})


class ExemptionSchema(Schema):
    id = fields.Integer()
    unit_id = fields.Integer()
    unit_name = fields.String()
    reason = fields.String()
    starts_on = fields.Date()
    ends_on = fields.Date(allow_none=True)
    created_by_name = fields.String()
    created_at = LocalDateTime()
    revoked_at = LocalDateTime(allow_none=True)
    revoked_by_name = fields.String(allow_none=True)
    version = fields.Integer()
