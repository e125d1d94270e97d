"""Input and output of the digest API (the OpenAPI document is built from these)."""
from marshmallow import Schema, ValidationError, fields, validates_schema

from county_net.core.schemas import Date, LocalDateTime
from county_net.digest.queries import MAX_DAYS


class DigestArgsSchema(Schema):
    start = Date(metadata={"description": "起始日（含），北京时间；与 end 同时给出；都不给则为上一个完整周（周一至周日）"})
    end = Date(metadata={"description": "截止日（含），北京时间"})

    @validates_schema
    def _period(self, data, **kwargs):
        start, end = data.get("start"), data.get("end")
        if (start is None) != (end is None):
            raise ValidationError("起止日期须同时填写", "end" if start is not None else "start")
        if start is not None:
            if end < start:
                raise ValidationError("截止日不得早于起始日", "end")
            if (end - start).days + 1 > MAX_DAYS:
                raise ValidationError(f"统计期间最长 {MAX_DAYS} 天", "end")


def _day(**kwargs):
    # The figures are stored as JSON: their days are already ISO text.
    return fields.String(metadata={"format": "date", **kwargs.pop("metadata", {})}, **kwargs)


class DigestPeriodSchema(Schema):
    start = _day(required=True)
    end = _day(required=True)
    days = fields.Integer(required=True)
    label = fields.String(required=True, metadata={"description": "ISO 周（如 2026-W48）或“起~止”"})


class DigestChangeSchema(Schema):
    current = fields.Integer(required=True, metadata={"description": "本期"})
    previous = fields.Integer(required=True, metadata={"description": "上期（等长的前一期间）"})
    change = fields.Integer(required=True, metadata={"description": "增减"})
    pct = fields.Float(required=True, allow_none=True, metadata={"description": "增减百分比；上期为 0 时为 null"})


class DigestBreakdownRowSchema(DigestChangeSchema):
    key = fields.Raw(required=True, allow_none=True, metadata={"description": "类别 id、属地单位 id（未填属地为 null）或渠道代码"})
    name = fields.String(required=True)


class DigestRisingRowSchema(DigestBreakdownRowSchema):
    dimension = fields.String(required=True, metadata={"description": "category | locality"})
    dimension_label = fields.String(required=True)


class DigestTotalsSchema(Schema):
    items = fields.Nested(DigestChangeSchema, required=True, metadata={"description": "新登记事项（件，全部渠道）"})
    visit_batches = fields.Nested(DigestChangeSchema, required=True, metadata={"description": "来访批次"})
    visit_people = fields.Nested(DigestChangeSchema, required=True, metadata={"description": "来访人次"})
    by_channel = fields.List(fields.Nested(DigestBreakdownRowSchema), required=True)


class DigestMatterRowSchema(Schema):
    id = fields.Integer(required=True)
    number = fields.String(required=True)
    received_at = fields.String(required=True, metadata={"description": "收件时间，北京时间（YYYY-MM-DD HH:MM）"})
    channel = fields.String(required=True)
    head_count = fields.Integer(required=True)
    category = fields.String(required=True)
    locality = fields.String(required=True)
    summary = fields.String(required=True, metadata={"description": "摘要（前 60 字；检举控告不摘录）"})


class DigestVisitGroupSchema(Schema):
    batches = fields.Nested(DigestChangeSchema, required=True)
    people = fields.Nested(DigestChangeSchema, required=True)
    matters = fields.List(fields.Nested(DigestMatterRowSchema), required=True)


class DigestSkipLevelSchema(Schema):
    batches = fields.Integer(required=True)
    people = fields.Integer(required=True)
    matters = fields.List(fields.Nested(DigestMatterRowSchema), required=True)
    rule = fields.String(required=True, metadata={"description": "推定口径"})


class DigestFlaggedSchema(Schema):
    available = fields.Boolean(required=True, metadata={"description": "联合接访大厅是否已提供“摘报”标注"})
    note = fields.String(required=True)
    matters = fields.List(fields.Nested(DigestMatterRowSchema), required=True)


class DigestHotspotSchema(Schema):
    thread_id = fields.Integer(required=True)
    in_period = fields.Integer(required=True, metadata={"description": "本期重复件数"})
    people_in_period = fields.Integer(required=True)
    thread_total = fields.Integer(required=True, metadata={"description": "该线索累计件数（可见范围内）"})
    last_received_at = fields.String(required=True)
    matter = fields.Nested(DigestMatterRowSchema, required=True)


class DigestOverdueUnitSchema(Schema):
    unit_id = fields.Integer(required=True)
    name = fields.String(required=True)
    count = fields.Integer(required=True)
    oldest_due_on = _day(required=True)


class DigestOverdueSchema(Schema):
    as_of = _day(required=True, metadata={"description": "超期按此日计"})
    total = fields.Integer(required=True)
    units = fields.List(fields.Nested(DigestOverdueUnitSchema), required=True)


class DigestSupervisionLevelSchema(Schema):
    level = fields.String(required=True)
    name = fields.String(required=True)
    count = fields.Integer(required=True)


class DigestSupervisionUnitSchema(Schema):
    unit_id = fields.Integer(required=True)
    name = fields.String(required=True)
    total = fields.Integer(required=True)
    urge = fields.Integer()
    normal = fields.Integer()
    yellow = fields.Integer()
    red = fields.Integer()


class DigestSupervisionSchema(Schema):
    available = fields.Boolean(required=True)
    total = fields.Integer(required=True)
    by_level = fields.List(fields.Nested(DigestSupervisionLevelSchema), required=True)
    units = fields.List(fields.Nested(DigestSupervisionUnitSchema), required=True)
    county_only = fields.Boolean(metadata={"description": "乡镇的摘报不含县级督办"})


class DigestSchema(Schema):
    county_unit_id = fields.Integer(required=True)
    viewer_unit_id = fields.Integer(required=True, metadata={"description": "按此单位的可见范围统计"})
    viewer_name = fields.String(required=True)
    whole_county = fields.Boolean(required=True)
    period = fields.Nested(DigestPeriodSchema, required=True)
    previous = fields.Nested(DigestPeriodSchema, required=True)
    generated_at = fields.String(required=True)
    collective_threshold = fields.Integer(required=True)
    rising_min = fields.Integer(required=True, metadata={"description": "上升议题的本期最少件数"})
    totals = fields.Nested(DigestTotalsSchema, required=True)
    by_category = fields.List(fields.Nested(DigestBreakdownRowSchema), required=True)
    by_locality = fields.List(fields.Nested(DigestBreakdownRowSchema), required=True)
    rising = fields.List(fields.Nested(DigestRisingRowSchema), required=True)
    collective = fields.Nested(DigestVisitGroupSchema, required=True, metadata={"description": "集体访（批次、人次）"})
    skip_level = fields.Nested(DigestSkipLevelSchema, required=True, metadata={"description": "越级访（推定）"})
    flagged = fields.Nested(DigestFlaggedSchema, required=True, metadata={"description": "大厅标注摘报的事项"})
    repeat_hotspots = fields.List(fields.Nested(DigestHotspotSchema), required=True)
    overdue = fields.Nested(DigestOverdueSchema, required=True)
    supervision = fields.Nested(DigestSupervisionSchema, required=True)


class DigestIssueSummarySchema(Schema):
    id = fields.Integer(required=True)
    label = fields.String(required=True, metadata={"description": "ISO 周，如 2026-W48"})
    period_start = fields.Date(required=True)
    period_end = fields.Date(required=True)
    published_at = LocalDateTime(required=True)


class DigestIssueSchema(DigestIssueSummarySchema):
    figures = fields.Nested(DigestSchema, required=True)
