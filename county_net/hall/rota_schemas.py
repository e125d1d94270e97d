"""Input and output of leaders' reception days (shared by the web forms and the JSON API). What depends on the
county or the day (the past, the publish lead, the leader's account, the units) is checked by the service."""
from marshmallow import Schema, fields, validate

from county_net.api import PageMetaSchema
from county_net.core.schemas import Date, Id, Int, Line, LocalDateTime, Name, Text, Version
from county_net.hall.models import RECEPTION_FORMS, RECEPTION_STATES
from county_net.petitions.schemas import PetitionCreateSchema, PersonInSchema

HM = r"^([01]\d|2[0-3]):[0-5]\d$"


class ReceptionDayInSchema(Schema):
    day = Date(required=True, metadata={"description": "接访日期（不能早于今天）"})
    starts = fields.String(load_default="09:00", validate=validate.Regexp(HM, error="时间格式应为 09:00"),
                           metadata={"description": "开始时间 HH:MM"})
    ends = fields.String(load_default="11:30", validate=validate.Regexp(HM, error="时间格式应为 11:30"),
                         metadata={"description": "结束时间 HH:MM（须晚于开始时间）"})
    form = fields.String(load_default="fixed", validate=validate.OneOf(list(RECEPTION_FORMS)),
                         metadata={"description": "fixed 定点接访 / appointment 约访 / down 带案下访 / themed 专题接访"})
    place = Line(120, load_default="", metadata={"description": "地点"})
    topic = Line(200, load_default="", metadata={"description": "专题（专题接访必填）"})
    leader_name = Name(60, required=True, metadata={"description": "接访领导"})
    leader_post = Line(60, load_default="", metadata={"description": "职务"})
    leader_portfolio = Line(120, load_default="", metadata={"description": "分管工作"})
    leader_user_id = Id(load_default=None, allow_none=True,
                        metadata={"description": "接访领导的账号（本县单位的一把手）；不填时提醒发给本单位一把手"})
    sitting_unit_ids = fields.List(Id(), load_default=list, validate=validate.Length(max=50),
                                   metadata={"description": "陪同接访的单位（其一把手陪同；本单位可见的本县单位）"})


class ReceptionDayEditSchema(ReceptionDayInSchema):
    version = Version(required=True)


class ReceptionVersionSchema(Schema):
    version = Version(required=True)


class ReceptionCancelSchema(ReceptionVersionSchema):
    reason = Text(500, min_len=1, required=True, metadata={"description": "取消原因"})


class ReceptionHeldSchema(ReceptionVersionSchema):
    summary = Text(4000, min_len=1, required=True, metadata={"description": "接访情况小结"})


class ItemMatterSchema(PetitionCreateSchema):
    """The matter a 交办 item registers (as POST /api/v1/petitions); what is left out comes from the item."""

    channel = fields.String(load_default="visit", validate=validate.OneOf(["visit", "letter", "phone", "online",
                                                                           "other"]))
    nature = fields.String(load_default="demand", validate=validate.OneOf(
        ["demand", "suggestion", "inquiry", "appeal"]), metadata={"description": "事项性质（检举控告不经接访日交办）"})
    petitioners = fields.List(fields.Nested(PersonInSchema), load_default=None,
                              validate=validate.Length(min=1, max=5),
                              metadata={"description": "信访人（代表）；不填时以来访人登记"})
    summary = Text(4000, min_len=5, load_default=None, metadata={"description": "不填时取反映的问题"})
    head_count = Int(load_default=None, allow_none=True, validate=validate.Range(1, 10000))


class ReceptionItemInSchema(ReceptionVersionSchema):
    whom = Line(200, min_len=1, required=True, metadata={"description": "来访人（群体）"})
    head_count = Int(load_default=1, validate=validate.Range(1, 10000), metadata={"description": "人数"})
    problem = Text(4000, min_len=1, required=True, metadata={"description": "反映的问题"})
    instruction = Text(4000, load_default="", metadata={"description": "领导批示（交办时必填，写入交办意见）"})
    responsible_unit_id = Id(load_default=None, allow_none=True, metadata={"description": "责任单位"})
    visit_id = Id(load_default=None, allow_none=True, metadata={"description": "本次接访的预约（来访）"})
    assign = fields.Boolean(load_default=False,
                            metadata={"description": "交办：登记为信访事项并交办责任单位（须有批示、责任单位和报告日期）"})
    report_due_on = Date(load_default=None, allow_none=True,
                         metadata={"description": "交办：报送办结报告日期（今天之后 90 日内）"})
    matter = fields.Nested(ItemMatterSchema, load_default=None, allow_none=True,
                           metadata={"description": "交办：登记的事项（类别必填）"})


class ReceptionListArgsSchema(Schema):
    when = fields.String(load_default="upcoming", validate=validate.OneOf(["upcoming", "past", "all"]),
                         metadata={"description": "upcoming 今天及以后 / past 已过 / all 全部"})
    unit_id = Id(strict=False, load_default=None, metadata={"description": "只看某单位的"})
    page = Int(strict=False, load_default=1, validate=validate.Range(1, 100_000))
    page_size = Int(strict=False, load_default=20, validate=validate.Range(1, 100))


class SuggestArgsSchema(Schema):
    months = Int(strict=False, load_default=3, validate=validate.Range(1, 12), metadata={"description": "月数"})


class SuggestedDaySchema(Schema):
    day = fields.Date()
    moved = fields.Boolean(metadata={"description": "接访日遇节假日或周末顺延"})
    publish_by = fields.Date(metadata={"description": "最迟公布日"})
    notice_on = fields.Date(metadata={"description": "提醒接访领导之日"})
    briefing_on = fields.Date(metadata={"description": "送预约名单之日"})


class SuggestListSchema(Schema):
    items = fields.List(fields.Nested(SuggestedDaySchema))


class ReceptionItemSchema(Schema):
    id = Int()
    visit_id = Int(allow_none=True)
    whom = fields.String()
    head_count = Int()
    problem = fields.String()
    instruction = fields.String()
    responsible_unit_id = Int(allow_none=True)
    responsible_unit_name = fields.String()
    petition_id = Int(allow_none=True)
    petition_number = fields.String(allow_none=True)
    actor_name = fields.String()
    created_at = LocalDateTime()


class SessionBookingSchema(Schema):
    id = Int()
    booked_time = fields.String(allow_none=True)
    head_count = Int()
    purpose = fields.String()
    booking_note = fields.String()
    state = fields.String()
    state_label = fields.String()
    petition_id = Int(allow_none=True)


class ReceptionDaySummarySchema(Schema):
    id = Int()
    unit_id = Int()
    unit_name = fields.String()
    day = fields.Date()
    starts = fields.String()
    ends = fields.String()
    form = fields.String(metadata={"enum": list(RECEPTION_FORMS)})
    form_label = fields.String()
    place = fields.String()
    topic = fields.String()
    leader_name = fields.String()
    leader_post = fields.String()
    leader_portfolio = fields.String()
    leader_user_id = Int(allow_none=True)
    sitting_unit_ids = fields.List(Int())
    sitting_units = fields.List(fields.String())
    state = fields.String(metadata={"enum": list(RECEPTION_STATES)})
    state_label = fields.String()
    published_at = LocalDateTime(allow_none=True)
    notice_sent_at = LocalDateTime(allow_none=True)
    briefing_sent_at = LocalDateTime(allow_none=True)
    summary = fields.String()
    created_by_name = fields.String()
    version = Int()
    publish_by = fields.Date()
    notice_on = fields.Date()
    briefing_on = fields.Date()
    actions = fields.List(fields.String(), metadata={"description": "当前用户可执行的操作"})


class ReceptionDaySchema(ReceptionDaySummarySchema):
    items = fields.List(fields.Nested(ReceptionItemSchema), metadata={"description": "接访记录"})
    bookings = fields.List(fields.Nested(SessionBookingSchema), metadata={"description": "预约来访（约访）"})


class ReceptionDayPageSchema(Schema):
    items = fields.List(fields.Nested(ReceptionDaySummarySchema))
    meta = fields.Nested(PageMetaSchema)
