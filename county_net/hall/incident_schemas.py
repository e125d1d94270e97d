"""Input and output schemas of hall incidents (shared by the web form and the JSON API)."""
from marshmallow import Schema, fields, validate

from county_net.core.schemas import Date, Id, LocalDateTime, Text, Line, Version
from county_net.hall.models import INCIDENT_KINDS, INCIDENT_RESPONDERS

_KIND_NOTE = "；".join(f"{k} {v}" for k, v in INCIDENT_KINDS.items())
_RESPONDER_NOTE = "；".join(f"{k} {v}" for k, v in INCIDENT_RESPONDERS.items())


class IncidentCreateSchema(Schema):
    visit_id = Id(load_default=None, allow_none=True,
                  metadata={"description": "相关来访批次（本大厅的）；看不到的批次答 404"})
    kind = fields.String(required=True, validate=validate.OneOf(list(INCIDENT_KINDS)),
                         metadata={"description": _KIND_NOTE})
    occurred_at = fields.AwareDateTime(required=True, default_timezone=None,
                                       metadata={"description": "发生时间，须带时区；不晚于现在"})
    who = Line(200, min_len=1, required=True, metadata={"description": "当事人"})
    what = Text(4000, min_len=1, required=True, metadata={"description": "经过"})
    responders = fields.List(fields.String(validate=validate.OneOf(list(INCIDENT_RESPONDERS))), load_default=list,
                             validate=validate.Length(max=len(INCIDENT_RESPONDERS)),
                             metadata={"description": "已通知的处置力量：" + _RESPONDER_NOTE})
    outcome = Text(4000, load_default="", metadata={"description": "处置结果（可稍后填写）"})


class IncidentOutcomeSchema(Schema):
    version = Version(required=True)
    outcome = Text(4000, min_len=1, required=True, metadata={"description": "处置结果"})


class IncidentDayArgsSchema(Schema):
    day = Date(load_default=None, metadata={"description": "哪一天（北京时间），不填为今天"})


class IncidentSchema(Schema):
    id = fields.Integer()
    day = fields.Date()
    visit_id = fields.Integer(allow_none=True)
    ticket_no = fields.Integer(allow_none=True, metadata={"description": "相关来访批次的候谈号"})
    ticket = fields.String(metadata={"description": "候谈号（如 A012，预约为 Y 开头）；无则为 —"})
    kind = fields.String()
    kind_label = fields.String()
    occurred_at = LocalDateTime()
    who = fields.String()
    what = fields.String()
    responders = fields.List(fields.String())
    responder_labels = fields.List(fields.String())
    outcome = fields.String()
    recorded_by_name = fields.String()
    created_at = LocalDateTime()
    version = fields.Integer()


class IncidentListSchema(Schema):
    day = fields.Date()
    items = fields.List(fields.Nested(IncidentSchema))
