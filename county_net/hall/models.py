"""联合接待中心: the hall of a county center — its rooms, the units stationed in it and their rotas, the day's
visits (one row per 批) with their people, tickets and timeline, incidents, and the leaders' reception days.
Every row is owned by the unit that runs it (the county center for its hall; a township or bureau for its own
reception days), so it is tenant data like any other."""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Boolean, CheckConstraint, Date, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from county_net.core.models import UTCDateTime, utcnow
from county_net.extensions import db
from county_net.tenancy.criteria import UnitOwned

ROOM_KINDS = {"waiting": "群众候访室", "registration": "来访登记接待室", "leaders": "县领导接待室",
              "department": "县级部门接待室", "legal": "法律咨询室", "hearing": "综合听证协调处置室",
              "police": "警务室"}
STATION_MODES = {"whole": "整体入驻", "resident": "专人常驻", "rotating": "阶段轮驻", "on_call": "随叫随驻",
                 "shared": "共驻"}

# registered (booked, not yet arrived) → waiting (ticket issued) → called → interviewing → done → left;
# no_show when a called ticket does not come (or a booking is never kept).
VISIT_STATES = {"registered": "已登记", "waiting": "候谈", "called": "已叫号", "interviewing": "接谈中",
                "done": "接谈结束", "left": "已离开", "no_show": "未到"}
OPEN_VISIT_STATES = frozenset({"registered", "waiting", "called", "interviewing"})
COMPLEXITIES = {"simple": "简单", "complex": "复杂", "hard": "疑难"}
ROUTES = {"petition": "信访", "police": "公安", "court": "法院", "legal_service": "公共法律服务",
          "mediation": "调解组织", "department": "部门窗口", "other": "其他"}
# domain.md §11.5: sort visitors by purpose.
PURPOSES = {"difficulty": "反映个人困难", "suggestion": "意见建议", "accusation": "检举控告", "heard": "倾诉",
            "distress": "情绪疏导", "not_ours": "非本中心事项", "other": "其他"}
OUTCOMES = {"oral": "口头告知", "phone": "电话联系", "notice": "告知单", "transfer": "转送单",
            "assign": "立案交办", "digest": "摘报"}
MATTER_OUTCOMES = frozenset({"transfer", "assign", "digest"})  # these register a matter
PRIORITY_REASONS = {"elderly": "老年人", "disabled": "残疾人", "pregnant": "孕妇或携婴幼儿", "urgent": "紧急情况"}
# Queue order: put first (with a reason), then booked, then walk-ins; within a rank, by arrival.
RANK_PRIORITY, RANK_BOOKED, RANK_WALK_IN = 0, 1, 2

INCIDENT_KINDS = {"blocking": "围堵、拦截办公场所或车辆", "dangerous_goods": "携带危险物品、管制器具",
                  "violence": "殴打、威胁、辱骂工作人员或他人", "dependants": "滞留大厅或遗弃被监护人",
                  "inciting": "煽动、串联、胁迫或雇佣他人信访", "disorder": "其他扰乱公共秩序",
                  "medical": "突发疾病"}
INCIDENT_RESPONDERS = {"police": "警务室民警", "medical": "医护人员", "hospital": "送医院", "health": "卫生健康部门",
                       "staff": "工作人员劝导"}
# The visit's timeline as the desk reads it.
EVENT_LABELS = {"book": "登记预约", "check_in": "登记取号", "prioritise": "优先接待", "cancel_booking": "取消预约",
                "call": "叫号", "recall": "重新叫号", "no_show": "过号未到", "requeue": "重新排队",
                "start_interview": "开始接谈", "interview": "保存接谈记录", "finish": "结束接谈", "leave": "离开"}
RECEPTION_FORMS = {"fixed": "定点接访", "appointment": "约访", "down": "带案下访", "themed": "专题接访"}
RECEPTION_STATES = {"planned": "拟定", "published": "已公布", "held": "已接访", "cancelled": "已取消"}


def _check(column: str, values) -> str:
    return f"{column} IN (" + ", ".join(f"'{v}'" for v in values) + ")"


class HallRoom(UnitOwned, db.Model):
    """A room of the hall, from the network file."""

    __tablename__ = "hall_rooms"
    __table_args__ = (UniqueConstraint("unit_id", "number", name="uq_hall_rooms_unit_number"),
                      CheckConstraint(_check("kind", ROOM_KINDS), name="kind"))

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    number: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(20))
    name: Mapped[str] = mapped_column(String(60))
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)


class HallStation(UnitOwned, db.Model):
    """How a unit is stationed in the hall (入驻方式); on-call units have a contact and a response time."""

    __tablename__ = "hall_stations"
    __table_args__ = (UniqueConstraint("unit_id", "stationed_unit_id", name="uq_hall_stations_unit_stationed"),
                      CheckConstraint(_check("mode", STATION_MODES), name="mode"))

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    stationed_unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"), index=True)
    mode: Mapped[str] = mapped_column(String(12))
    contact_person: Mapped[str | None] = mapped_column(String(30))
    contact_phone: Mapped[str | None] = mapped_column(String(40))
    response_minutes: Mapped[int | None] = mapped_column(Integer)
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)


class HallStationRota(UnitOwned, db.Model):
    """A span during which a stationed unit is in the hall (阶段轮驻) and who sits there."""

    __tablename__ = "hall_station_rotas"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    station_id: Mapped[int] = mapped_column(ForeignKey("hall_stations.id", ondelete="CASCADE"), index=True)
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date] = mapped_column(Date)
    staff: Mapped[str] = mapped_column(String(60), default="")


class TicketCounter(UnitOwned, db.Model):
    """The last 候谈号 given in a hall on a day: one upsert hands out the next number."""

    __tablename__ = "hall_ticket_counters"
    __table_args__ = (UniqueConstraint("unit_id", "day", name="uq_hall_ticket_counters_unit_day"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    day: Mapped[date] = mapped_column(Date)
    last_no: Mapped[int] = mapped_column(Integer, default=0)


class Visit(UnitOwned, db.Model):
    """One 批 of visitors: booked or walked in, triaged, queued at a window, interviewed, ended with one of
    the six outcomes. The hall never writes matters: an outcome that needs one calls the petition services
    and keeps the matter's id here."""

    __tablename__ = "hall_visits"
    __table_args__ = (
        UniqueConstraint("unit_id", "day", "ticket_no", name="uq_hall_visits_unit_day_ticket"),
        CheckConstraint(_check("state", VISIT_STATES), name="state"),
        CheckConstraint("complexity IS NULL OR " + _check("complexity", COMPLEXITIES), name="complexity"),
        CheckConstraint("route_to IS NULL OR " + _check("route_to", ROUTES), name="route_to"),
        CheckConstraint("outcome IS NULL OR " + _check("outcome", OUTCOMES), name="outcome"),
        CheckConstraint("head_count >= 1", name="head_count"),
        # The queue of a window: the board and the call read it by this index.
        Index("ix_hall_visits_queue", "unit_id", "day", "window_id", "state", "queue_rank", "checked_in_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    day: Mapped[date] = mapped_column(Date)  # the hall's day (Asia/Shanghai) the visit is for
    ticket_no: Mapped[int | None] = mapped_column(Integer)
    state: Mapped[str] = mapped_column(String(12), default="registered")
    version: Mapped[int] = mapped_column(Integer, default=1)
    booked: Mapped[bool] = mapped_column(Boolean, default=False)
    booked_time: Mapped[str | None] = mapped_column(String(5))  # "09:30", the booked slot
    booking_note: Mapped[str] = mapped_column(String(200), default="")
    queue_rank: Mapped[int] = mapped_column(Integer, default=RANK_WALK_IN)
    priority_reason: Mapped[str | None] = mapped_column(String(12))
    priority_note: Mapped[str] = mapped_column(String(200), default="")
    head_count: Mapped[int] = mapped_column(Integer, default=1)
    is_collective: Mapped[bool] = mapped_column(Boolean, default=False)
    purpose_kind: Mapped[str] = mapped_column(String(12), default="other")
    purpose: Mapped[str] = mapped_column(Text, default="")
    demands: Mapped[str] = mapped_column(Text, default="")
    category_id: Mapped[int | None] = mapped_column(ForeignKey("categories.id"))
    locality_unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"))
    complexity: Mapped[str | None] = mapped_column(String(8))
    route_to: Mapped[str | None] = mapped_column(String(16))
    is_joint: Mapped[bool] = mapped_column(Boolean, default=False)
    id_checked: Mapped[bool] = mapped_column(Boolean, default=False)  # ID card seen at the triage window
    window_id: Mapped[int | None] = mapped_column(ForeignKey("windows.id"), index=True)
    room_id: Mapped[int | None] = mapped_column(ForeignKey("hall_rooms.id"))
    # A booking with a leader's reception session (约访): the visitor is met there, not at a window.
    reception_day_id: Mapped[int | None] = mapped_column(ForeignKey("hall_reception_days.id"), index=True)
    checked_in_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    called_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    call_count: Mapped[int] = mapped_column(Integer, default=0)
    interview_started_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    interview_ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    left_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    interviewer_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    interviewer_name: Mapped[str] = mapped_column(String(60), default="")
    # 接谈记录: who took part, what was said, what was agreed.
    interview_who: Mapped[str] = mapped_column(Text, default="")
    interview_said: Mapped[str] = mapped_column(Text, default="")
    interview_agreed: Mapped[str] = mapped_column(Text, default="")
    outcome: Mapped[str | None] = mapped_column(String(10))
    outcome_detail: Mapped[str] = mapped_column(Text, default="{}")  # JSON: whom phoned, where told to go …
    petition_id: Mapped[int | None] = mapped_column(ForeignKey("petitions.id"), index=True)
    flagged_digest: Mapped[bool] = mapped_column(Boolean, default=False)
    registered_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    registered_by_name: Mapped[str] = mapped_column(String(60), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class VisitPerson(UnitOwned, db.Model):
    """A person of the 批 with a petitioner file: the visitor, or one of a group's representatives."""

    __tablename__ = "hall_visit_people"
    __table_args__ = (UniqueConstraint("visit_id", "petitioner_id", name="uq_hall_visit_people_visit_petitioner"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    visit_id: Mapped[int] = mapped_column(ForeignKey("hall_visits.id", ondelete="CASCADE"), index=True)
    petitioner_id: Mapped[int] = mapped_column(ForeignKey("petitioners.id"), index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    is_representative: Mapped[bool] = mapped_column(Boolean, default=False)
    # As the desk registered them (masked): the queue and the window read these, never the petitioner files,
    # whose visibility rule is a costly probe over matters; a later change to the file leaves the visit as it was.
    name: Mapped[str] = mapped_column(String(60), default="", server_default="")
    id_number_masked: Mapped[str | None] = mapped_column(String(24))
    phone_masked: Mapped[str | None] = mapped_column(String(24))


class VisitEvent(UnitOwned, db.Model):
    """The visit's timeline; append-only (no UPDATE or DELETE for the application role)."""

    __tablename__ = "hall_visit_events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    visit_id: Mapped[int] = mapped_column(ForeignKey("hall_visits.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(24))
    from_state: Mapped[str | None] = mapped_column(String(12))
    to_state: Mapped[str | None] = mapped_column(String(12))
    window_id: Mapped[int | None] = mapped_column(ForeignKey("windows.id"))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    actor_name: Mapped[str] = mapped_column(String(60), default="")
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    note: Mapped[str] = mapped_column(Text, default="")
    payload: Mapped[str] = mapped_column(Text, default="{}")


class Incident(UnitOwned, db.Model):
    """Behaviour named in the hall's rules, or a medical emergency, recorded against the visit."""

    __tablename__ = "hall_incidents"
    __table_args__ = (CheckConstraint(_check("kind", INCIDENT_KINDS), name="kind"),
                      Index("ix_hall_incidents_day", "unit_id", "day"))

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    day: Mapped[date] = mapped_column(Date)
    visit_id: Mapped[int | None] = mapped_column(ForeignKey("hall_visits.id"), index=True)
    kind: Mapped[str] = mapped_column(String(16))
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime)
    who: Mapped[str] = mapped_column(String(200))
    what: Mapped[str] = mapped_column(Text)
    responders: Mapped[str] = mapped_column(String(120), default="")  # comma list of INCIDENT_RESPONDERS
    outcome: Mapped[str] = mapped_column(Text, default="")
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    recorded_by_name: Mapped[str] = mapped_column(String(60), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    version: Mapped[int] = mapped_column(Integer, default=1)


class ReceptionDay(UnitOwned, db.Model):
    """领导接访日: a leader's reception session held by the unit that owns the row."""

    __tablename__ = "hall_reception_days"
    __table_args__ = (CheckConstraint(_check("form", RECEPTION_FORMS), name="form"),
                      CheckConstraint(_check("state", RECEPTION_STATES), name="state"),
                      Index("ix_hall_reception_days_unit_day", "unit_id", "day"))

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    day: Mapped[date] = mapped_column(Date)
    starts: Mapped[str] = mapped_column(String(5), default="09:00")
    ends: Mapped[str] = mapped_column(String(5), default="11:30")
    form: Mapped[str] = mapped_column(String(12), default="fixed")
    place: Mapped[str] = mapped_column(String(120), default="")
    topic: Mapped[str] = mapped_column(String(200), default="")
    leader_name: Mapped[str] = mapped_column(String(60))
    leader_post: Mapped[str] = mapped_column(String(60), default="")
    leader_portfolio: Mapped[str] = mapped_column(String(120), default="")
    leader_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    sitting_unit_ids: Mapped[str] = mapped_column(Text, default="[]")  # JSON: heads of these units sit in
    state: Mapped[str] = mapped_column(String(10), default="planned")
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    notice_sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    briefing_sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    summary: Mapped[str] = mapped_column(Text, default="")
    created_by_name: Mapped[str] = mapped_column(String(60), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    version: Mapped[int] = mapped_column(Integer, default=1)


class ReceptionItem(UnitOwned, db.Model):
    """One person or group a leader met at a session: the problem, the leader's 批示, and the matter it was
    assigned as (交办), which then runs its course like any other."""

    __tablename__ = "hall_reception_items"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    reception_day_id: Mapped[int] = mapped_column(ForeignKey("hall_reception_days.id", ondelete="CASCADE"),
                                                  index=True)
    visit_id: Mapped[int | None] = mapped_column(ForeignKey("hall_visits.id"))
    whom: Mapped[str] = mapped_column(String(200))
    head_count: Mapped[int] = mapped_column(Integer, default=1)
    problem: Mapped[str] = mapped_column(Text)
    instruction: Mapped[str] = mapped_column(Text, default="")  # 批示
    responsible_unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"))
    petition_id: Mapped[int | None] = mapped_column(ForeignKey("petitions.id"))
    actor_name: Mapped[str] = mapped_column(String(60), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
