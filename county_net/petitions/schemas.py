"""Input schemas (shared by the web forms and the JSON API) and output schemas (masked by default)."""
from flask_smorest.fields import Upload
from marshmallow import EXCLUDE, Schema, fields, validate

from county_net.api import PageMetaSchema

from county_net.core.schemas import Int, LocalDateTime
from county_net.petitions.models import (CHANNELS, DELIVERY_METHODS, NATURES, REPLY_OUTCOMES, REVIEW_RESULTS,
                                         SATISFACTION)
from county_net.petitions.services import DECLINE_GROUNDS, OPINION_LABELS, PAUSE_REASONS, REDIRECT_CHANNELS

_TEXT = validate.Length(min=1, max=4000)


class PersonInSchema(Schema):
    name = fields.String(required=True, validate=validate.Length(min=1, max=60))
    id_number = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=20))
    phone = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=20))
    address = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=200))


class PetitionCreateSchema(Schema):
    received_at = fields.AwareDateTime(load_default=None, allow_none=True, default_timezone=None,
                                       metadata={"description": "收件时间（带时区）；缺省为现在"})
    channel = fields.String(required=True, validate=validate.OneOf(list(CHANNELS)))
    petitioners = fields.List(fields.Nested(PersonInSchema), required=True, validate=validate.Length(min=1, max=20))
    head_count = Int(load_default=1, strict=False, validate=validate.Range(1, 10000))
    locality_unit_id = Int(load_default=None, allow_none=True)
    category_id = Int(required=True)
    nature = fields.String(required=True, validate=validate.OneOf(list(NATURES)))
    summary = fields.String(required=True, validate=validate.Length(min=5, max=4000))
    demands = fields.String(load_default="", validate=validate.Length(max=4000))
    accused_unit_id = Int(load_default=None, allow_none=True)
    accused_description = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=200))
    is_major = fields.Boolean(load_default=False)


class VersionSchema(Schema):
    version = Int(required=True, metadata={"description": "乐观锁：客户端看到的版本"})


class ContactInSchema(VersionSchema):
    """更正信访人联系方式：空着的一项不变。"""
    phone = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=20))
    address = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=200))


class RouteSchema(VersionSchema):
    to_unit_id = Int(required=True)
    co_unit_ids = fields.List(Int(), load_default=list, validate=validate.Length(max=10))
    note = fields.String(load_default="", validate=validate.Length(max=2000))


class AssignSchema(RouteSchema):
    report_due_on = fields.Date(required=True)


class SubAssignSchema(VersionSchema):
    """交办下级: one village or enterprise of the handling unit's own, no co-units."""
    to_unit_id = Int(required=True)
    report_due_on = fields.Date(required=True, metadata={"description": "不得晚于本单位的办理期限"})
    note = fields.String(load_default="", validate=validate.Length(max=2000))


class RedirectSchema(VersionSchema):
    channel = fields.String(required=True, validate=validate.OneOf(list(REDIRECT_CHANNELS)))
    organ = fields.String(required=True, validate=validate.Length(min=1, max=120))
    organ_contact = fields.String(load_default="", validate=validate.Length(max=200))
    reason = fields.String(required=True, validate=_TEXT)


class NoteSchema(VersionSchema):
    note = fields.String(load_default="", validate=validate.Length(max=4000))


class RequiredNoteSchema(VersionSchema):
    note = fields.String(required=True, validate=_TEXT)


class SendBackSchema(VersionSchema):
    reason = fields.String(required=True, validate=_TEXT)
    competent_unit_id = Int(load_default=None, allow_none=True)


class AcceptSchema(NoteSchema):
    simple = fields.Boolean(load_default=False)


class DeclineSchema(VersionSchema):
    reason = fields.String(required=True, validate=_TEXT)
    channel = fields.String(required=True, validate=validate.Length(min=1, max=200))
    ground = fields.String(load_default=None, validate=validate.OneOf(list(DECLINE_GROUNDS)))


class ExtendSchema(VersionSchema):
    days = Int(required=True, validate=validate.Range(1, 365))
    reason = fields.String(required=True, validate=_TEXT)
    petitioner_told = fields.Boolean(load_default=False)


class PauseSchema(NoteSchema):
    reason = fields.String(required=True, validate=validate.OneOf(list(PAUSE_REASONS)))
    until = fields.Date(load_default=None, allow_none=True, metadata={"description": "到期自动恢复计时"})


class OpinionSchema(VersionSchema):
    opinion = fields.String(required=True, validate=_TEXT)


class MediationSchema(VersionSchema):
    kind = fields.String(required=True, validate=validate.OneOf(["mediation", "settlement"]))
    terms = fields.String(required=True, validate=_TEXT)


# 送达 given when an opinion is issued (optional: in person that day); 登记送达 records or corrects it later.
def _delivery_method(required=False):
    optional = {} if required else {"load_default": None, "allow_none": True}
    return fields.String(required=required, validate=validate.OneOf(list(DELIVERY_METHODS)), **optional,
                         metadata={"description": "送达方式：in_person 当面送达（缺省）/ post 邮寄 / electronic 电子"})


def _delivered_on():
    return fields.Date(load_default=None, allow_none=True,
                       metadata={"description": "送达日期；当面送达缺省为出具当日，邮寄可待回执后登记"})


class ReplySchema(VersionSchema):
    outcome = fields.String(required=True, validate=validate.OneOf(list(REPLY_OUTCOMES)))
    request = fields.String(required=True, validate=_TEXT)
    facts = fields.String(required=True, validate=_TEXT)
    basis = fields.String(required=True, validate=_TEXT)
    delivery_method = _delivery_method()
    delivered_on = _delivered_on()


class DeliverySchema(VersionSchema):
    opinion = fields.String(required=True, validate=validate.OneOf(list(OPINION_LABELS)),
                            metadata={"description": "reply 处理意见书 / reexamination 复查意见书 / final_review 复核意见书"})
    delivery_method = _delivery_method(required=True)
    delivered_on = _delivered_on()
    note = fields.String(load_default="", validate=validate.Length(max=4000))


class ReportSchema(VersionSchema):
    report = fields.String(required=True, validate=_TEXT)


class ReasonSchema(VersionSchema):
    reason = fields.String(required=True, validate=_TEXT)


class CloseSchema(NoteSchema):
    satisfaction = fields.String(load_default=None, allow_none=True, validate=validate.OneOf(list(SATISFACTION)))


class ReviewRequestSchema(NoteSchema):
    requested_on = fields.Date(load_default=None, allow_none=True)


class ReexaminationDecisionSchema(VersionSchema):
    result = fields.String(required=True, validate=validate.OneOf(list(REVIEW_RESULTS)))
    opinion = fields.String(required=True, validate=_TEXT)
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
    demands = fields.String(load_default="", validate=validate.Length(max=4000))
    locality_unit_id = Int(load_default=None, allow_none=True)
    category_id = Int(load_default=None, allow_none=True)
    petitioners = fields.List(fields.Nested(LookupSchema), load_default=list, validate=validate.Length(max=20))


class PetitionListArgsSchema(Schema):
    page = Int(load_default=1, validate=validate.Range(1, 100_000))
    page_size = Int(load_default=20, validate=validate.Range(1, 100))
    number = fields.String(validate=validate.Length(max=40))
    petitioner = fields.String(validate=validate.Length(max=60), metadata={"description": "信访人姓名（可只填一部分）或 18 位身份证号（精确）"})
    locality_unit_id = Int()
    category_id = Int()
    state = fields.String(validate=validate.Length(max=20))
    unit_id = Int(metadata={"description": "当前办理单位"})
    received_from = fields.Date()
    received_to = fields.Date()
    overdue = fields.Boolean()
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
    petitioner_id = Int()
    name = fields.String()
    id_number = fields.String(metadata={"description": "默认打码"})
    phone = fields.String(metadata={"description": "默认打码"})
    address = fields.String(allow_none=True)
    is_representative = fields.Boolean()


class LinkSchema(Schema):
    id = Int()
    earlier_id = Int()
    earlier_number = fields.String()
    score = Int()
    reason = fields.String()
    status = fields.String()


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
    links = fields.List(fields.Nested(LinkSchema))
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
    score = Int()
    reason = fields.String()
    summary = fields.String()
    state_label = fields.String()


class CategorySchema(Schema):
    id = Int()
    code = fields.String()
    name = fields.String()


class ArchiveArgsSchema(Schema):
    year = Int(required=True, validate=lambda y: 2000 <= y <= 2100)


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


class CategoryInSchema(Schema):
    code = fields.String(required=True)
    name = fields.String(required=True)
    sort_order = Int(load_default=None)


class CategoryPatchSchema(Schema):
    name = fields.String()
    sort_order = Int()
    is_active = fields.Boolean()


class CategoryOutSchema(CategorySchema):
    sort_order = Int()
    is_active = fields.Boolean()


class UploadSchema(Schema):
    files = fields.List(Upload(), required=True, metadata={"description": "PDF、JPEG、PNG 或 TIFF，每个不超过 10 MB"})
