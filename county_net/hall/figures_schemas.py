"""The day in figures over the API: the query and the answer."""
from marshmallow import Schema, fields

from county_net.core.schemas import Date, LocalDateTime
from county_net.hall.models import OUTCOMES, ROUTES


class DayArgsSchema(Schema):
    day = Date(load_default=None, metadata={"description": "哪一天（北京时间），不填为今天"})


class BlockSchema(Schema):
    batches = fields.Integer(metadata={"description": "批次：当日取号到厅的来访批次"})
    people = fields.Integer(metadata={"description": "人次：这些批次的人数之和"})
    booked_batches = fields.Integer()
    booked_people = fields.Integer()
    walk_in_batches = fields.Integer()
    walk_in_people = fields.Integer()
    collective_batches = fields.Integer()
    collective_people = fields.Integer()
    outcomes = fields.Dict(keys=fields.String(), values=fields.Integer(),
                           metadata={"description": "处理方式的批次：" + "、".join(f"{k} {v}" for k, v in OUTCOMES.items())})
    routes = fields.Dict(keys=fields.String(), values=fields.Integer(),
                         metadata={"description": "分流去向的批次：" + "、".join(f"{k} {v}" for k, v in ROUTES.items())})
    joint = fields.Integer(metadata={"description": "联合处置的批次"})
    wait_avg = fields.Float(allow_none=True, metadata={"description": "平均候谈分钟（叫号时间 − 取号时间）"})
    wait_max = fields.Float(allow_none=True)
    interview_avg = fields.Float(allow_none=True, metadata={"description": "平均接谈分钟"})
    interview_max = fields.Float(allow_none=True)
    no_shows = fields.Integer(metadata={"description": "未到（叫号未到、预约未到）"})
    bookings_not_kept = fields.Integer(metadata={"description": "预约而未取号的批次"})
    open_at_closing = fields.Integer(metadata={"description": "仍在候谈、已叫号或接谈中的批次"})


class WindowBlockSchema(BlockSchema):
    id = fields.Integer(allow_none=True, metadata={"description": "窗口；空：未分到窗口"})
    number = fields.Integer(allow_none=True)
    name = fields.String()
    label = fields.String()


class UnitBlockSchema(BlockSchema):
    unit_id = fields.Integer()
    name = fields.String()


class OpenTicketSchema(Schema):
    ticket_no = fields.Integer(allow_none=True)
    ticket = fields.String(metadata={"description": "候谈号（如 A012，预约为 Y 开头）"})
    window_id = fields.Integer(allow_none=True)
    window = fields.String()
    state = fields.String()
    state_label = fields.String()
    checked_in_at = LocalDateTime(allow_none=True)


class DayFiguresSchema(Schema):
    day = fields.Date()
    hall_name = fields.String()
    closing_time = fields.String(allow_none=True, metadata={"description": "当日闭厅时间；不开放的日子为空"})
    hall = fields.Nested(BlockSchema)
    windows = fields.List(fields.Nested(WindowBlockSchema))
    units = fields.List(fields.Nested(UnitBlockSchema), metadata={"description": "按入驻单位：在其入驻窗口接待的"})
    open_tickets = fields.List(fields.Nested(OpenTicketSchema))
