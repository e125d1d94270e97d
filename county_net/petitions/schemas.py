"""Input schemas (shared by the web forms and the JSON API) and output schemas (masked by default)."""
from flask_smorest.fields import Upload
from marshmallow import EXCLUDE, Schema, fields, validate

from county_net.api import PageMetaSchema

from county_net.core.schemas import (Date, DayWithin, Id, Int, Line, LocalDateTime, Name, ReceivedAt, Text,
                                     Version)
from county_net.petitions.models import (CHANNELS, DELIVERY_METHODS, NATURES, REPLY_OUTCOMES, REVIEW_RESULTS,
                                         SATISFACTION)
from county_net.petitions.services import (DECLINE_GROUNDS, OPINION_LABELS, PAUSE_MAX_DAYS, PAUSE_REASONS,
                                           REDIRECT_CHANNELS, REPORT_DUE_MAX_DAYS)

# Every limit the service enforces is stated here, so the document tells a client what will be refused: lengths
# count the text as sent (the service strips surrounding spaces, hence "须有非空白字符" patterns), ids are
# positive and strict integers, dates lie in a span the service can count with. What only the database can
# answer (does the unit exist, is it a township, is the ID number's check digit right) is a 400 with the
# field named, and says so in the field's description.
ID_NUMBER = r"^([0-9]{17}[0-9Xx])?$"
PHONE = r"^(1[3-9][0-9]{9}|0[0-9]{2,3}-?[0-9]{7,8})?$"
MAX_REPRESENTATIVES = 5  # 《信访工作条例》: 多人走访同一事项，推选代表不超过 5 人; a county may set fewer


def _required_text(max_len: int = 4000, **kwargs):
    """Free text that must say something: not empty, not only spaces."""
    return Text(max_len, min_len=1, required=True, **kwargs)


def _id_number(**kwargs):
    return fields.String(validate=validate.Regexp(ID_NUMBER, error="身份证号须为 18 位（最后一位可为 X）"),
                         metadata={"description": "18 位公民身份号码；出生日期和校验位（GB 11643）不符的也拒绝"},
                         **kwargs)


def _phone(**kwargs):
    return fields.String(validate=validate.Regexp(PHONE, error="电话须为 11 位手机号或带区号的固定电话"),
                         metadata={"description": "11 位手机号或带区号的固定电话（可有一个连字符）"}, **kwargs)


def _unit_id(description: str, **kwargs):
    return Id(metadata={"description": description}, **kwargs)


class PersonInSchema(Schema):
    name = Name(60, required=True)
    id_number = _id_number(load_default=None, allow_none=True)
    phone = _phone(load_default=None, allow_none=True)
    address = Line(200, load_default=None, allow_none=True)


class PetitionCreateSchema(Schema):
    received_at = ReceivedAt(load_default=None, allow_none=True, metadata={"description": "收件时间；缺省为现在"})
    channel = fields.String(required=True, validate=validate.OneOf(list(CHANNELS)))
    petitioners = fields.List(fields.Nested(PersonInSchema), required=True,
                              validate=validate.Length(min=1, max=MAX_REPRESENTATIVES, error=(
                                  f"请登记 1–{MAX_REPRESENTATIVES} 名信访人：多人反映同一事项的，应推选不超过 "
                                  f"{MAX_REPRESENTATIVES} 名代表，请只登记代表")),
                              metadata={"description": "信访人；多人反映同一事项的只登记推选的代表（最多 5 名，"
                                                       "本县设置更少时以本县为准）；同一身份证号不能重复"})
    head_count = Int(load_default=1, validate=validate.Range(1, 10000))
    locality_unit_id = _unit_id("属地：本县的乡镇（街道）", load_default=None, allow_none=True)
    category_id = _unit_id("事项类别（须为启用的类别）", required=True)
    nature = fields.String(required=True, validate=validate.OneOf(list(NATURES)))
    summary = Text(4000, min_len=5, required=True, metadata={"description": "去掉首尾空白后 5–4000 字"})
    demands = Text(4000, load_default="")
    accused_unit_id = _unit_id("被反映单位（本县单位；仅检举控告）", load_default=None, allow_none=True)
    accused_description = Line(200, load_default=None, allow_none=True,
                               metadata={"description": "被反映的单位和人（仅检举控告）"})
    is_major = fields.Boolean(load_default=False)


class VersionSchema(Schema):
    version = Version(required=True)


class LinkDecisionSchema(VersionSchema):
    note = fields.String(load_default="", validate=validate.Length(max=200),
                         metadata={"description": "确认或否定的理由（可空，留存于关联和时间线）"})


class ContactInSchema(VersionSchema):
    """更正信访人联系方式：空着的一项不变（至少填一项）。"""
    phone = _phone(load_default=None, allow_none=True)
    address = Line(200, load_default=None, allow_none=True)


class RouteSchema(VersionSchema):
    to_unit_id = _unit_id("本县的其他单位（检举控告不得转交被反映单位及其下级）", required=True)
    co_unit_ids = fields.List(_unit_id("协办单位"), load_default=list, validate=validate.Length(max=10))
    note = Text(2000, load_default="")


def _report_due(description: str, **kwargs):
    return DayWithin(past_days=-1, future_days=REPORT_DUE_MAX_DAYS, metadata={"description": description}, **kwargs)


class AssignSchema(RouteSchema):
    report_due_on = _report_due(f"报送办结报告的日期：明天起 {REPORT_DUE_MAX_DAYS} 日内", required=True)


class SubAssignSchema(VersionSchema):
    """交办下级: one village or enterprise of the handling unit's own, no co-units."""
    to_unit_id = _unit_id("本单位所属的村（社区）或企业", required=True)
    report_due_on = _report_due(f"明天起 {REPORT_DUE_MAX_DAYS} 日内，且不得晚于本单位的办理期限", required=True)
    note = Text(2000, load_default="")


class RedirectSchema(VersionSchema):
    channel = fields.String(required=True, validate=validate.OneOf(list(REDIRECT_CHANNELS)))
    organ = Line(120, min_len=1, required=True)
    organ_contact = Line(200, load_default="")
    reason = _required_text()


class NoteSchema(VersionSchema):
    note = Text(4000, load_default="")


class RequiredNoteSchema(VersionSchema):
    note = _required_text()


class SendBackSchema(VersionSchema):
    reason = _required_text()
    competent_unit_id = _unit_id("有权处理的单位（本县）", load_default=None, allow_none=True)


class AcceptSchema(NoteSchema):
    simple = fields.Boolean(load_default=False)


class DeclineSchema(VersionSchema):
    reason = _required_text()
    channel = Line(200, min_len=1, required=True)
    ground = fields.String(load_default=None, allow_none=True, validate=validate.OneOf(list(DECLINE_GROUNDS)))


class ExtendSchema(VersionSchema):
    days = Int(required=True, validate=validate.Range(1, 365),
               metadata={"description": "合计不得超过办理期限规则允许的延长日数（默认 30 日）"})
    reason = _required_text()
    petitioner_told = fields.Boolean(load_default=False, metadata={"description": "须为 true：延期须告知信访人"})


class PauseSchema(NoteSchema):
    reason = fields.String(required=True, validate=validate.OneOf(list(PAUSE_REASONS)))
    until = DayWithin(past_days=0, future_days=PAUSE_MAX_DAYS, load_default=None, allow_none=True,
                      metadata={"description": f"到期自动恢复计时：今天起 {PAUSE_MAX_DAYS} 日内"})


class OpinionSchema(VersionSchema):
    opinion = _required_text()


class MediationSchema(VersionSchema):
    kind = fields.String(required=True, validate=validate.OneOf(["mediation", "settlement"]))
    terms = _required_text()


# 送达 given when an opinion is issued (optional: in person that day); 登记送达 records or corrects it later.
def _delivery_method(required=False):
    optional = {} if required else {"load_default": None, "allow_none": True}
    return fields.String(required=required, validate=validate.OneOf(list(DELIVERY_METHODS)), **optional,
                         metadata={"description": "送达方式：in_person 当面送达（缺省）/ post 邮寄 / electronic 电子"})


def _delivered_on():
    return DayWithin(past_days=None, future_days=0, load_default=None, allow_none=True,
                     metadata={"description": "送达日期：不早于出具日期、不晚于今天；当面送达缺省为出具当日，"
                                              "邮寄可待回执后登记"})


class ReplySchema(VersionSchema):
    outcome = fields.String(required=True, validate=validate.OneOf(list(REPLY_OUTCOMES)))
    request = _required_text()
    facts = _required_text()
    basis = _required_text()
    delivery_method = _delivery_method()
    delivered_on = _delivered_on()


class DeliverySchema(VersionSchema):
    opinion = fields.String(required=True, validate=validate.OneOf(list(OPINION_LABELS)),
                            metadata={"description": "reply 处理意见书 / reexamination 复查意见书 / final_review 复核意见书"})
    delivery_method = _delivery_method(required=True)
    delivered_on = _delivered_on()
    note = Text(4000, load_default="")


class ReportSchema(VersionSchema):
    report = _required_text()


class ReasonSchema(VersionSchema):
    reason = _required_text()


class CloseSchema(NoteSchema):
    satisfaction = fields.String(load_default=None, allow_none=True, validate=validate.OneOf(list(SATISFACTION)))


class ReviewRequestSchema(NoteSchema):
    requested_on = Date(load_default=None, allow_none=True,
                        metadata={"description": "信访人提出请求的日期；缺省为今天；晚于请求期限最后一日的拒绝（409）"})


class ReexaminationDecisionSchema(VersionSchema):
    result = fields.String(required=True, validate=validate.OneOf(list(REVIEW_RESULTS)))
    opinion = _required_text()
    delivery_method = _delivery_method()
    delivered_on = _delivered_on()


class FinalReviewDecisionSchema(ReexaminationDecisionSchema):
    hearing_held = fields.Boolean(load_default=False)


class LookupSchema(Schema):
    """Lookups travel in a POST body: an ID number never appears in a URL."""

    class Meta:
        unknown = EXCLUDE

    id_number = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=20))
    name = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=60))
    phone = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=20))


class CandidatesSchema(Schema):
    summary = fields.String(required=True, validate=validate.Length(min=1, max=4000))
    received_at = ReceivedAt(load_default=None, allow_none=True,
                             metadata={"description": "收件时间（缺省为现在）：窗口期从此起算"})
    demands = fields.String(load_default="", validate=validate.Length(max=4000))
    locality_unit_id = Id(load_default=None, allow_none=True)
    category_id = Id(load_default=None, allow_none=True)
    petitioners = fields.List(fields.Nested(LookupSchema), load_default=list, validate=validate.Length(max=20))


class PetitionListArgsSchema(Schema):
    page = Int(strict=False, load_default=1, validate=validate.Range(1, 100_000))
    page_size = Int(strict=False, load_default=20, validate=validate.Range(1, 100))
    number = fields.String(validate=validate.Length(max=40))
    petitioner = fields.String(validate=validate.Length(max=60), metadata={"description": "信访人姓名（可只填一部分）或 18 位身份证号（精确）"})
    locality_unit_id = Id(strict=False)
    category_id = Id(strict=False)
    state = fields.String(validate=validate.Length(max=20))
    unit_id = Id(strict=False, metadata={"description": "当前办理单位"})
    received_from = Date()
    received_to = Date()
    overdue = fields.Boolean()
    open = fields.Boolean(metadata={"description": "只列在办事项"})
    due = fields.String(validate=validate.OneOf(["soon", "overdue"]),
                        metadata={"description": "soon：本县预警期内到期；overdue：已超期（均为在办事项）"})
    collective = fields.Boolean(metadata={"description": "只列集体访"})
    box = fields.String(validate=validate.OneOf(["to_sign", "handling", "due_soon", "overdue", "returned", "review",
                                                 "all_open"]),
                        metadata={"description": "收件箱分栏（本单位待办）"})


# ---- output ---------------------------------------------------------------------------------------

class UnitNameSchema(Schema):
    id = Int()
    name = fields.String()


class AccusedSchema(Schema):
    unit = fields.String(allow_none=True)
    description = fields.String(allow_none=True)


class DeadlineSchema(Schema):
    step = fields.String()
    label = fields.String()
    due_on = fields.Date()
    days_left = Int()
    overdue = fields.Boolean()
    due_soon = fields.Boolean()
    paused = fields.Boolean()
    article = fields.String()
    status_label = fields.String()
    provisional = fields.Boolean(metadata={"description": "暂定：计算涉及尚未公布节假日安排的年份"})


class ReviewWindowSchema(Schema):
    step = fields.String()
    what = fields.String(metadata={"description": "复查 / 复核"})
    label = fields.String()
    article = fields.String()
    days = Int()
    opinion = fields.String()
    opinion_label = fields.String()
    delivery_method = fields.String(allow_none=True)
    delivery_label = fields.String()
    counted_from = fields.Date(allow_none=True, metadata={"description": "送达日期（次日起算）"})
    last_day = fields.Date(allow_none=True, metadata={"description": "请求的最后一日；送达日期未登记时为空"})
    provisional = fields.Boolean()


class DeliveryOutSchema(Schema):
    document = fields.String()
    delivery_method = fields.String(allow_none=True)
    delivery_label = fields.String(allow_none=True)
    delivered_on = fields.Date(allow_none=True)


class PartySchema(Schema):
    petitioner_id = Int(allow_none=True, metadata={"description": "检举控告对不可见检举人身份者为空"})
    name = fields.String()
    id_number = fields.String(metadata={"description": "默认打码"})
    phone = fields.String(metadata={"description": "默认打码"})
    address = fields.String(allow_none=True)
    is_representative = fields.Boolean()


class SignalSchema(Schema):
    code = fields.String()
    label = fields.String(metadata={"description": "依据（中文）"})
    weight = fields.Float(metadata={"description": "该依据的权重（对数几率；负数为反证）"})


class LinkSchema(Schema):
    id = Int()
    earlier_id = Int()
    earlier_number = fields.String()
    score = Int(metadata={"description": "可能性（0–100）"})
    reason = fields.String()
    reason_label = fields.String()
    signals = fields.List(fields.Nested(SignalSchema))
    status = fields.String()
    decision_note = fields.String(allow_none=True)


class OwnMatterSchema(Schema):
    id = Int()
    number = fields.String()
    received_on = fields.Date()
    category = fields.String()
    state = fields.String()
    state_label = fields.String()
    summary = fields.String()


class AttachmentRefSchema(Schema):
    id = Int()
    filename = fields.String()
    content_type = fields.String()
    size = Int()
    sha256 = fields.String()
    uploaded_by_name = fields.String()
    created_at = LocalDateTime()


class PetitionSchema(Schema):
    id = Int()
    number = fields.String()
    query_code = fields.String(allow_none=True)
    version = Int()
    state = fields.String()
    state_label = fields.String()
    channel = fields.String()
    nature = fields.String()
    category = fields.String()
    head_count = Int()
    is_collective = fields.Boolean()
    is_repeat = fields.Boolean()
    is_no_longer_accepted = fields.Boolean()
    is_confidential = fields.Boolean()
    is_major = fields.Boolean()
    is_simple = fields.Boolean()
    is_archived = fields.Boolean()
    received_at = LocalDateTime()
    accepted_at = LocalDateTime(allow_none=True)
    replied_at = LocalDateTime(allow_none=True)
    closed_at = LocalDateTime(allow_none=True)
    summary = fields.String()
    demands = fields.String()
    registering_unit = fields.Nested(UnitNameSchema)
    holder_unit = fields.Nested(UnitNameSchema, allow_none=True)
    handling_unit = fields.Nested(UnitNameSchema, allow_none=True)
    locality = fields.Nested(UnitNameSchema, allow_none=True)
    report_due_on = fields.Date(allow_none=True)
    sub_unit = fields.Nested(UnitNameSchema, allow_none=True, metadata={"description": "交办下级的村（社区）或企业"})
    sub_report_due_on = fields.Date(allow_none=True)
    extension_days = Int()
    satisfaction = fields.String(allow_none=True)
    deadline = fields.Nested(DeadlineSchema, allow_none=True)
    due_provisional = fields.Boolean(metadata={"description": "期限为暂定（涉及尚未公布节假日安排的年份）"})
    review_window = fields.Nested(ReviewWindowSchema, allow_none=True,
                                  metadata={"description": "当前可请求复查或复核的期限"})
    deliveries = fields.Dict(keys=fields.String(), values=fields.Nested(DeliveryOutSchema),
                             metadata={"description": "各意见书的送达方式和日期"})
    accused = fields.Nested(AccusedSchema, allow_none=True,
                            metadata={"description": "被反映单位和人（检举控告，仅对可见检举人身份者）"})
    parties = fields.List(fields.Nested(PartySchema))
    links = fields.List(fields.Nested(LinkSchema), metadata={"description": "可能重复（建议或已确认的以往事项）"})
    own_matters = fields.List(fields.Nested(OwnMatterSchema),
                              metadata={"description": "本人其他事项（同一信访人的其他事项，不等于重复信访）"})
    attachments = fields.List(fields.Nested(AttachmentRefSchema))
    actions = fields.List(fields.String(), metadata={"description": "当前用户可执行的操作"})
    can_query_online = fields.Boolean(metadata={"description": "信访人能否凭查询码和电话在网上查询"})
    warnings = fields.List(fields.String(), metadata={"description": "登记时的提示（如未登记联系电话）"})


class PetitionRowSchema(Schema):
    id = Int()
    number = fields.String()
    state = fields.String()
    state_label = fields.String()
    category = fields.String()
    received_at = LocalDateTime()
    summary = fields.String()
    petitioners = fields.String()
    holder_unit = fields.String(allow_none=True)
    due_on = fields.Date(allow_none=True)
    due_provisional = fields.Boolean()
    days_left = Int(allow_none=True)
    overdue = fields.Boolean()
    due_soon = fields.Boolean()
    version = Int()


class EventSchema(Schema):
    id = Int()
    kind = fields.String()
    label = fields.String()
    from_state = fields.String(allow_none=True)
    to_state = fields.String(allow_none=True)
    actor_name = fields.String()
    actor_unit = fields.String(allow_none=True)
    target_unit = fields.String(allow_none=True)
    occurred_at = LocalDateTime()
    note = fields.String()
    payload = fields.Dict()


# ---- API envelopes and small reads --------------------------------------------------------------

class PetitionPageSchema(Schema):
    items = fields.List(fields.Nested(PetitionRowSchema))
    meta = fields.Nested(PageMetaSchema)


class RevealSchema(Schema):
    id_number = fields.String(allow_none=True)
    phone = fields.String(allow_none=True)


class ContactChangeSchema(Schema):
    changed_at = fields.DateTime()
    source = fields.String(metadata={"description": "registration（登记时）| correction（更正）"})
    actor_name = fields.String()
    old_phone = fields.String(allow_none=True)
    new_phone = fields.String(allow_none=True)
    old_address = fields.String(allow_none=True)
    new_address = fields.String(allow_none=True)


class PetitionerFileSchema(Schema):
    id = Int()
    name = fields.String()
    id_number = fields.String(allow_none=True)
    phone = fields.String(allow_none=True)
    address = fields.String(allow_none=True)
    matters = fields.List(fields.Nested(PetitionRowSchema))
    replies = fields.List(fields.Dict(), metadata={"description": "以往处理意见（口径一致）"})
    matters_shown_latest = fields.Boolean(metadata={"description": "为真时只列出最近 20 件，完整档案见信访人页"})
    version = Int(metadata={"description": "乐观锁：更正联系方式时回传"})
    contact_history = fields.List(fields.Nested(ContactChangeSchema), metadata={"description": "联系方式变更记录"})


class LookupResultSchema(Schema):
    found = fields.Boolean()
    petitioner = fields.Nested(PetitionerFileSchema, allow_none=True)


class CandidateSchema(Schema):
    earlier_id = Int()
    number = fields.String()
    score = Int(metadata={"description": "可能性（0–100）"})
    reason = fields.String()
    reason_label = fields.String()
    reason_text = fields.String(metadata={"description": "触发的依据（中文）"})
    signals = fields.List(fields.Nested(SignalSchema))
    received_on = fields.Date()
    category = fields.String()
    summary = fields.String()
    state_label = fields.String()


class RepeatPreviewSchema(Schema):
    own_matters = fields.List(fields.Nested(OwnMatterSchema), metadata={"description": "本人其他事项"})
    suggestions = fields.List(fields.Nested(CandidateSchema), metadata={"description": "可能重复"})


class CategorySchema(Schema):
    id = Int()
    code = fields.String()
    name = fields.String()


class ArchiveArgsSchema(Schema):
    year = Int(strict=False, required=True, validate=validate.Range(2000, 2100))


class ArchiveItemSchema(Schema):
    seq = Int()
    id = Int()
    number = fields.String()
    received_at = LocalDateTime()
    archived_at = LocalDateTime(allow_none=True)
    summary = fields.String()
    state_label = fields.String()


class ArchiveVolumeSchema(Schema):
    volume = fields.String()
    petitioner = fields.String()
    petitioner_id = Int(allow_none=True)
    matters = fields.List(fields.Nested(ArchiveItemSchema))


CATEGORY_CODE = r"^[A-Za-z0-9-]{1,32}$"


class CategoryInSchema(Schema):
    code = fields.String(required=True, validate=validate.Regexp(CATEGORY_CODE, error="编码为 1–32 位字母、数字或连字符"),
                         metadata={"description": "1–32 位字母、数字或连字符，不能与已有编码重复"})
    name = Name(60, required=True, metadata={"description": "不能与已有名称重复"})
    sort_order = Int(load_default=None, allow_none=True)


class CategoryPatchSchema(Schema):
    name = Name(60, metadata={"description": "不能与已有名称重复"})
    sort_order = Int()
    is_active = fields.Boolean()


class CategoryOutSchema(CategorySchema):
    sort_order = Int()
    is_active = fields.Boolean()


class UploadSchema(Schema):
    files = fields.List(Upload(), required=True, metadata={"description": "PDF、JPEG、PNG 或 TIFF，每个不超过 10 MB"})
