from marshmallow import Schema, fields, validate

from county_net.api import PageMetaSchema
from county_net.core.schemas import Id, Int, LocalDateTime
from county_net.notifications.kinds import KINDS

OBJECT_TYPES = ("petition", "supervision", "meeting", "task", "follow_up", "digest", "screening_report")


class NotificationSchema(Schema):
    id = fields.Integer()
    kind = fields.String()
    kind_label = fields.Function(lambda n: KINDS.get(n.kind, n.kind))
    title = fields.String()
    body = fields.String()
    object_type = fields.String()
    object_id = fields.Integer(allow_none=True)
    link = fields.String()
    created_at = LocalDateTime()
    read_at = LocalDateTime(allow_none=True)
    is_read = fields.Function(lambda n: n.read_at is not None)


class NotificationPageSchema(Schema):
    items = fields.List(fields.Nested(NotificationSchema))
    meta = fields.Nested(PageMetaSchema)
    unread = fields.Integer(metadata={"description": "未读条数（最多计到 100）"})


class NotificationArgsSchema(Schema):
    kind = fields.String(validate=validate.OneOf(list(KINDS)))
    unread = fields.Boolean(metadata={"description": "true 只看未读，false 只看已读"})
    object_type = fields.String(validate=validate.OneOf(OBJECT_TYPES))
    page = Int(strict=False, load_default=1, validate=validate.Range(1, 100_000))
    page_size = Int(strict=False, load_default=20, validate=validate.Range(1, 100))


class MarkReadSchema(Schema):
    ids = fields.List(Id(), required=True, validate=validate.Length(min=1, max=500))


class MarkAllReadSchema(Schema):
    kind = fields.String(validate=validate.OneOf(list(KINDS)))


class CountSchema(Schema):
    unread = fields.Integer()
    changed = fields.Integer()
