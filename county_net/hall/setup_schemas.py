"""Input and output schemas of the hall's set-up (shared by the web forms and the JSON API)."""
from marshmallow import Schema, fields, validate

from county_net.core.schemas import Date, Id, Int, Line, Name
from county_net.hall.models import ROOM_KINDS, STATION_MODES

_MODES = "、".join(f"{k}（{v}）" for k, v in STATION_MODES.items())


class StationPatchSchema(Schema):
    mode = fields.String(required=True, validate=validate.OneOf(list(STATION_MODES)),
                         metadata={"description": f"入驻方式：{_MODES}"})
    contact_person = Name(30, load_default=None, allow_none=True, metadata={"description": "联系人"})
    contact_phone = Line(40, load_default=None, allow_none=True,
                         metadata={"description": "联系电话：数字、空格、括号、+、- 和“转”（随叫随驻必填）"})
    response_minutes = Int(load_default=None, allow_none=True, validate=validate.Range(1, 1440),
                           metadata={"description": "随叫随驻的到达时限（分钟，1–1440；随叫随驻必填）"})


class RotaInSchema(Schema):
    starts_on = Date(required=True, metadata={"description": "起始日期"})
    ends_on = Date(required=True, metadata={"description": "结束日期（含当日）"})
    staff = Line(60, load_default="", metadata={"description": "在厅人员"})


class WindowRoutingSchema(Schema):
    category_ids = fields.List(Id(), required=True, validate=validate.Length(max=200),
                               metadata={"description": "本窗口受理的事项类别 id；空列表：不限"})
    township_ids = fields.List(Id(), required=True, validate=validate.Length(max=500),
                               metadata={"description": "本窗口受理的属地（本县乡镇、街道）单位 id；空列表：不限"})


class RoomSchema(Schema):
    id = Int()
    number = Int()
    kind = fields.String(metadata={"description": "、".join(f"{k}（{v}）" for k, v in ROOM_KINDS.items())})
    kind_label = fields.String()
    name = fields.String()


class NamedSchema(Schema):
    id = Int()
    name = fields.String()


class CodedSchema(NamedSchema):
    code = fields.String()


class WindowSchema(Schema):
    id = Int()
    number = Int()
    name = fields.String()
    room_number = Int(allow_none=True)
    subject_ids = fields.List(Int(), metadata={"description": "受理的事项类别 id；空：不限"})
    subject_names = fields.List(fields.String())
    locality_ids = fields.List(Int(), metadata={"description": "受理的属地（乡镇、街道）单位 id；空：不限"})
    locality_names = fields.List(fields.String())
    stationed = fields.List(fields.Nested(NamedSchema), metadata={"description": "入驻单位"})


class RotaSchema(Schema):
    id = Int()
    starts_on = fields.Date()
    ends_on = fields.Date()
    staff = fields.String()
    when = fields.String(metadata={"description": "current 当前 / upcoming 将来 / past 已过"})


class StationSchema(Schema):
    id = Int()
    unit_id = Int()
    unit_name = fields.String()
    mode = fields.String()
    mode_label = fields.String()
    contact_person = fields.String(allow_none=True)
    contact_phone = fields.String(allow_none=True)
    response_minutes = Int(allow_none=True)
    windows = fields.List(Int(), metadata={"description": "所在窗口号"})
    rota = fields.List(fields.Nested(RotaSchema))
    in_hall_today = fields.Boolean(metadata={"description": "今天在厅（阶段轮驻：今天在轮驻时段内；随叫随驻：否）"})
    today_staff = fields.String(allow_none=True)


class HallSetupSchema(Schema):
    today = fields.Date(metadata={"description": "北京时间的今天"})
    may_edit = fields.Boolean()
    rooms = fields.List(fields.Nested(RoomSchema))
    windows = fields.List(fields.Nested(WindowSchema))
    stations = fields.List(fields.Nested(StationSchema))
    categories = fields.List(fields.Nested(CodedSchema), metadata={"description": "可选的事项类别"})
    townships = fields.List(fields.Nested(CodedSchema), metadata={"description": "本县乡镇（街道）"})
