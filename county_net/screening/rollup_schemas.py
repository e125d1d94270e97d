"""Query arguments and output schemas of the roll-up, the dispute lists behind it, a unit's history and the
comparison of two periods (shared by the pages and the JSON API)."""
from marshmallow import Schema, ValidationError, fields, validate

from county_net.api import PageArgsSchema, PageMetaSchema
from county_net.core.schemas import Id, Int, LocalDateTime
from county_net.screening.models import DISPUTE_STATUSES, SCALE_BANDS, STATES
from county_net.screening.rollup import MEASURES, SPANS, parse_rollup_period

PERIOD_HELP = "期间：2026-11（月）、2026-11-1 / 2026-11-2（上、下半月）、2026-Q4（季度）或 2026（年度）"


class PeriodCode(fields.String):
    """A period code, loaded as a RollupPeriod."""

    def _deserialize(self, value, attr, data, **kwargs):
        text = super()._deserialize(value, attr, data, **kwargs)
        period = parse_rollup_period(text) if len(text) <= 12 else None
        if period is None:
            raise ValidationError("期间格式应为 2026-11、2026-11-1、2026-Q4 或 2026")
        return period

    def _serialize(self, value, attr, obj, **kwargs):
        return None if value is None else getattr(value, "code", value)


class RollupArgsSchema(Schema):
    period = PeriodCode(load_default=None, metadata={"description": PERIOD_HELP + "；缺省为本月"})
    unit = Id(strict=False, load_default=None, metadata={"description": "汇总到哪个单位（缺省为本单位）；看不到的单位答 404"})


class DisputeListArgsSchema(RollupArgsSchema, PageArgsSchema):
    own = fields.Boolean(load_default=False, metadata={"description": "只看该单位本级的报表（不含下级）"})
    span = fields.String(load_default="period", validate=validate.OneOf(list(SPANS)),
                         metadata={"description": "period 小计（本期）/ ytd 年度累计"})
    measure = fields.String(load_default="screened", validate=validate.OneOf(list(MEASURES)),
                            metadata={"description": "screened 排查 / mediated 调处 / resolved 成功"})
    type = fields.String(load_default=None, validate=validate.Length(1, 20), metadata={"description": "纠纷类型"})
    band = fields.String(load_default=None, validate=validate.OneOf(list(SCALE_BANDS)),
                         metadata={"description": "涉及人数档次"})
    major = fields.Boolean(load_default=None, metadata={"description": "只看重大矛盾纠纷"})


class HistoryArgsSchema(Schema):
    periods = Int(strict=False, load_default=None, validate=validate.Range(1, 120),
                  metadata={"description": "最近多少个期间（缺省为本县设置，至少 24）"})


class CompareArgsSchema(Schema):
    unit = Id(strict=False, required=True, metadata={"description": "单位；看不到的单位答 404"})
    a = PeriodCode(required=True, metadata={"description": PERIOD_HELP})
    b = PeriodCode(required=True, metadata={"description": PERIOD_HELP})


# ---- output ----------------------------------------------------------------------------------------------

class Plain(fields.Nested):
    """Documented as its schema, dumped as it is: the roll-up's figures are plain dicts of ints and strings
    already (rollup.figures_dict), and a county's table holds thousands of them."""

    def _serialize(self, value, attr, obj, **kwargs):
        return value


def _count(**kwargs):
    return Int(allow_none=True, metadata={"description": "该单位缺报时为 null（缺报不计为零）"}, **kwargs)


def _rate(description):
    return fields.String(allow_none=True, metadata={"description": description + "，四位小数；分母为零时为 null（显示“—”）"})


class MeasuresSchema(Schema):
    screened = _count()
    mediated = _count()
    resolved = _count()


class TypeCountsSchema(MeasuresSchema):
    type = fields.String()


class BandSchema(Schema):
    band = fields.String()
    label = fields.String()
    cases = _count()
    resolved = _count()


class MajorSchema(MeasuresSchema):
    resolved_rate = _rate("重大矛盾纠纷成功率")


class FiguresSchema(Schema):
    total = fields.Nested(MeasuresSchema)
    by_type = fields.List(fields.Nested(TypeCountsSchema))
    bands = fields.List(fields.Nested(BandSchema))
    major = fields.Nested(MajorSchema)
    mediated_rate = _rate("调处率 = 调处 / 排查")
    resolved_rate = _rate("成功率 = 成功 / 排查")


class PreviousSchema(Schema):
    total = fields.Nested(MeasuresSchema)
    mediated_rate = _rate("上期调处率")
    resolved_rate = _rate("上期成功率")


class MissingUnitSchema(Schema):
    unit_id = Int()
    name = fields.String()
    periods = fields.List(fields.String())


class RollupRowSchema(Schema):
    unit_id = Int()
    unit_name = fields.String()
    unit_kind = fields.String()
    label = fields.String()
    own = fields.Boolean(metadata={"description": "本级报表（不含下级）"})
    missing = fields.Boolean(metadata={"description": "本期无一份报表而有应报单位：缺报"})
    missing_units = fields.List(fields.Nested(MissingUnitSchema), metadata={"description": "应报未报的单位"})
    expected = Int(metadata={"description": "应报单位数（已报送或已过截止日的）"})
    pending = Int(metadata={"description": "未到截止日且尚未报送的单位数（不计应报，不算缺报）"})
    filed = Int()
    on_time = Int()
    on_time_share = _rate("按时上报率 = 按时上报单位 / 应报单位")
    sheets = Int()
    nil_sheets = Int(metadata={"description": "零报告份数"})
    period = Plain(FiguresSchema, metadata={"description": "小计（本期）"})
    ytd = Plain(FiguresSchema, metadata={"description": "年度累计（按纠纷去重，取最新状态）"})
    previous = Plain(PreviousSchema, metadata={"description": "上期（环比）：合计与比率；上期缺报时数字为 null"})


class PeriodSchema(Schema):
    code = fields.String()
    label = fields.String()
    kind = fields.String()
    start = fields.Date()
    end = fields.Date()


class RollupSchema(Schema):
    unit_id = Int()
    unit_name = fields.String()
    period = fields.Nested(PeriodSchema)
    previous_period = fields.Nested(PeriodSchema)
    types = fields.List(fields.String())
    rows = fields.List(fields.Nested(RollupRowSchema))
    total = fields.Nested(RollupRowSchema, metadata={"description": "合计"})


class DisputeRowSchema(Schema):
    id = Int()
    report_id = Int()
    report_url = fields.String()
    unit_id = Int()
    unit_name = fields.String()
    period_code = fields.String()
    seq = Int()
    origin_key = fields.String()
    carried = fields.Boolean()
    found_on = fields.Date()
    dispute_type = fields.String()
    parties = fields.String()
    people_count = Int()
    scale_band = fields.String()
    place = fields.String()
    summary = fields.String()
    risk_level = fields.String()
    is_major = fields.Boolean()
    status = fields.String(validate=validate.OneOf(list(DISPUTE_STATUSES)))
    status_label = fields.String()
    responsible_unit = fields.String()
    responsible_leader = fields.String()
    target_date = fields.Date(allow_none=True)
    petition_id = Int(allow_none=True)


class DisputePageSchema(Schema):
    items = fields.List(fields.Nested(DisputeRowSchema))
    meta = fields.Nested(PageMetaSchema)


class HistoryItemSchema(Schema):
    report_id = Int()
    report_url = fields.String()
    period_code = fields.String()
    period_label = fields.String()
    period_kind = fields.String()
    revision = Int()
    counted = fields.Boolean(metadata={"description": "汇总所用的版本"})
    state = fields.String(validate=validate.OneOf(list(STATES)))
    state_label = fields.String()
    is_nil = fields.Boolean()
    late = fields.Boolean(metadata={"description": "过期录入"})
    due_on = fields.Date()
    filed_at = LocalDateTime(allow_none=True)
    lines = Int(metadata={"description": "排查"})
    mediated = Int(metadata={"description": "调处"})
    resolved = Int(metadata={"description": "成功"})


class HistorySchema(Schema):
    unit_id = Int()
    unit_name = fields.String()
    items = fields.List(fields.Nested(HistoryItemSchema))


class CompareSideSchema(Schema):
    period = fields.Nested(PeriodSchema)
    reports = fields.List(fields.Nested(HistoryItemSchema))
    total = fields.Nested(MeasuresSchema)
    figures = fields.Nested(FiguresSchema)
    disputes = fields.List(fields.Nested(DisputeRowSchema))


class CompareSchema(Schema):
    unit_id = Int()
    unit_name = fields.String()
    a = fields.Nested(CompareSideSchema)
    b = fields.Nested(CompareSideSchema)
    in_both = fields.List(fields.String(), metadata={"description": "两期都有的纠纷（origin_key）"})
