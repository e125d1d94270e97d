"""The only writers of leaders' reception days (领导接访日) and their records. Each public function is one step:
role (403), the holding unit itself (403), state (409), version (409), the change, its audit record and
notices, one commit. The dates (the day rule, published by, the leader's notice, the briefing) come from
county_net/deadlines/hall.py. A 交办 item registers and assigns its matter through the petition services; no
petition row is written here."""
from __future__ import annotations

import json
import re
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import date, datetime, time, timezone

from sqlalchemy import select

from county_net.audit import services as audit
from county_net.core import timeutil
from county_net.core.errors import IllegalTransition, InvalidInput, RoleRequired, StaleVersion
from county_net.core.schemas import valid_id
from county_net.deadlines import hall as rules
from county_net.extensions import db
from county_net.hall.models import RECEPTION_FORMS, RECEPTION_STATES, ReceptionDay, ReceptionItem, Visit
from county_net.hall.settings import hall_settings
from county_net.units.directory import unit_info

KEEPERS = ("head", "admin")  # keep the holding unit's rota
RECORDERS = ("head", "receptionist")  # record what was met (and register its matters)
EDITABLE = ("planned", "published")
BOOKED_STATES = ("registered", "waiting")  # a booking still to be met: what the briefing lists
_HM = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$")
SUGGEST_MONTHS_MAX = 12


# The demo county's rota is drawn up "last week" (demo/hall.py), so that this week's sessions are published
# in time like a real county's; nothing else sets it.
_drawn_up_on: ContextVar[date | None] = ContextVar("county_net_rota_drawn_up_on", default=None)


@contextmanager
def drawn_up_on(day: date):
    token = _drawn_up_on.set(day)
    try:
        yield
    finally:
        _drawn_up_on.reset(token)


def _now():
    day = _drawn_up_on.get()
    if day is not None:
        return datetime.combine(day, time(9), timeutil.COUNTY_TZ).astimezone(timezone.utc)
    return timeutil.utcnow()


def _today() -> date:
    return _drawn_up_on.get() or timeutil.local_today()


# ---- dates ------------------------------------------------------------------------------------------

def is_center(unit_id: int) -> bool:
    info = unit_info(unit_id)
    return info is not None and info.kind == "county_center"


def settings_for(unit_id: int):
    """(hall settings, county settings with the calendar) of the county the unit belongs to."""
    return hall_settings(unit_info(unit_id).county_id)


def day_rule(unit_id: int) -> int:
    """The county leaders' day for the county center; a township's or bureau's own day otherwise."""
    hall, _ = settings_for(unit_id)
    return hall["reception_day"] if is_center(unit_id) else hall["unit_reception_day"]


def key_dates(unit_id: int, day: date) -> dict:
    hall, _ = settings_for(unit_id)
    return {"publish_by": rules.publish_by(day, hall["reception_publish_days"]),
            "notice_on": rules.leader_notice_on(day, hall["reception_notice_days"]),
            "briefing_on": rules.briefing_on(day, hall["reception_briefing_days"])}


def suggest_days(actor, months: int = 3) -> list[dict]:
    """The unit's next reception days by its day rule, this month's first if it is still ahead."""
    months = max(1, min(int(months or 3), SUGGEST_MONTHS_MAX))
    _, county = settings_for(actor.unit_id)
    calendar = county.calendar()
    rule = day_rule(actor.unit_id)
    today = _today()
    year, month = today.year, today.month
    out = []
    while len(out) < months:
        day = rules.reception_day(year, month, rule, calendar)
        if day >= today:
            out.append({"day": day, "moved": day.day != rule, **key_dates(actor.unit_id, day)})
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return out


# ---- checks -----------------------------------------------------------------------------------------

def _require_keeper(actor, unit_id: int, what: str) -> None:
    if not actor.has_role(*KEEPERS):
        raise RoleRequired(f"“{what}”需要一把手或系统管理员角色")
    if actor.unit_id != unit_id:
        raise RoleRequired(f"只有举办接访日的单位可以{what}")


def _require_state(row: ReceptionDay, states, what: str) -> None:
    if row.state not in states:
        raise IllegalTransition(f"接访日处于“{RECEPTION_STATES[row.state]}”状态，不能{what}")


def _require_version(row, version) -> None:
    if version is None or version != row.version:
        raise StaleVersion()


def _sitting_units(actor, ids) -> list[int]:
    """Units of the county the actor can see (scoped), each once, in the order given."""
    from county_net.units.models import Unit

    ids = list(dict.fromkeys(ids or []))
    if not all(valid_id(i) for i in ids):
        raise InvalidInput(fields={"sitting_unit_ids": ["单位不存在"]})
    if not ids:
        return []
    seen = set(db.session.scalars(select(Unit.id).where(Unit.id.in_(ids), Unit.is_active.is_(True))))
    county = unit_info(actor.unit_id).county_id
    if any(i not in seen or unit_info(i).county_id != county for i in ids):
        raise InvalidInput(fields={"sitting_unit_ids": ["单位不存在"]})
    return ids


def _leader_user(actor, user_id) -> int | None:
    """A head of a unit of the actor's county (the directory of users is read in system scope: a township's
    head may name a county leader it cannot otherwise see)."""
    if user_id is None:
        return None
    from county_net.accounts.models import User
    from county_net.tenancy import system_scope

    if valid_id(user_id):
        with system_scope("reception leader"):
            user = db.session.get(User, user_id)
            ok = (user is not None and user.is_enabled and user.has_role("head")
                  and unit_info(user.unit_id) is not None
                  and unit_info(user.unit_id).county_id == unit_info(actor.unit_id).county_id)
        if ok:
            return user_id
    raise InvalidInput(fields={"leader_user_id": ["须为本县单位的一把手账号"]})


def _clean(actor, data: dict, current: ReceptionDay | None = None) -> dict:
    """Every field's check at once; 400 names each field that fails, before anything is written."""
    errors: dict[str, list[str]] = {}
    day = data.get("day")
    if not isinstance(day, date):
        errors["day"] = ["请填写接访日期"]
    elif day < _today() and (current is None or day != current.day):
        errors["day"] = ["接访日期不能早于今天"]
    starts, ends = data.get("starts") or "09:00", data.get("ends") or "11:30"
    if not _HM.match(starts):
        errors["starts"] = ["开始时间格式应为 09:00"]
    if not _HM.match(ends):
        errors["ends"] = ["结束时间格式应为 11:30"]
    if "starts" not in errors and "ends" not in errors and starts >= ends:
        errors["ends"] = ["结束时间须晚于开始时间"]
    form = data.get("form") or "fixed"
    if form not in RECEPTION_FORMS:
        errors["form"] = ["接访形式应为定点接访、约访、带案下访或专题接访"]
    topic = (data.get("topic") or "").strip()
    if form == "themed" and not topic:
        errors["topic"] = ["专题接访须填写专题"]
    leader = (data.get("leader_name") or "").strip()
    if not leader:
        errors["leader_name"] = ["请填写接访领导姓名"]
    try:
        leader_user_id = _leader_user(actor, data.get("leader_user_id"))
    except InvalidInput as exc:
        errors.update(exc.fields)
        leader_user_id = None
    try:
        sitting = _sitting_units(actor, data.get("sitting_unit_ids"))
    except InvalidInput as exc:
        errors.update(exc.fields)
        sitting = []
    if errors:
        raise InvalidInput(fields=errors)
    return {"day": day, "starts": starts, "ends": ends, "form": form, "place": (data.get("place") or "").strip(),
            "topic": topic, "leader_name": leader, "leader_post": (data.get("leader_post") or "").strip(),
            "leader_portfolio": (data.get("leader_portfolio") or "").strip(), "leader_user_id": leader_user_id,
            "sitting_unit_ids": json.dumps(sitting)}


def sitting_ids(row: ReceptionDay) -> list[int]:
    try:
        return [int(i) for i in json.loads(row.sitting_unit_ids or "[]")]
    except (TypeError, ValueError):
        return []


def _about(row: ReceptionDay, **detail) -> dict:
    return {"target_type": "reception_day", "target_id": row.id,
            "detail": {"day": row.day.isoformat(), "leader": row.leader_name, **detail}}


def _link(row: ReceptionDay) -> str:
    from county_net.core.links import relative_url

    return relative_url("hall_rota.detail", reception_day_id=row.id)


def _label(row: ReceptionDay) -> str:
    return (f"{row.day.month}月{row.day.day}日{row.starts}–{row.ends} {row.leader_name}"
            f"{RECEPTION_FORMS[row.form]}")


# ---- the rota -----------------------------------------------------------------------------------------

def create_day(actor, data: dict) -> ReceptionDay:
    _require_keeper(actor, actor.unit_id, "安排领导接访日")
    values = _clean(actor, data)
    row = ReceptionDay(unit_id=actor.unit_id, state="planned", version=1, created_by_name=actor.name or "",
                       created_at=_now(), **values)
    db.session.add(row)
    db.session.flush()
    audit.record("reception_day.created", actor=actor, **_about(row))
    db.session.commit()
    return row


def update_day(actor, row: ReceptionDay, version: int | None, data: dict) -> ReceptionDay:
    """Edit a planned or published session. A moved day is told again (the notices name the day)."""
    _require_keeper(actor, row.unit_id, "修改接访安排")
    _require_state(row, EDITABLE, "修改")
    _require_version(row, version)
    values = _clean(actor, data, current=row)
    if row.state == "published" and values["day"] != row.day:
        dates = key_dates(row.unit_id, values["day"])
        if _today() > dates["publish_by"]:
            raise InvalidInput(fields={"day": [_too_late(row.unit_id)]})
    moved = values["day"] != row.day
    for name, value in values.items():
        setattr(row, name, value)
    if moved:
        row.notice_sent_at = row.briefing_sent_at = None
    row.version += 1
    audit.record("reception_day.updated", actor=actor, **_about(row, moved=moved))
    if row.state == "published":
        _tell_sitting(row, "reception_published", f"接访安排有变更：{_label(row)}")
    db.session.commit()
    return row


def _too_late(unit_id: int) -> str:
    hall, _ = settings_for(unit_id)
    return f"接访安排须至少提前 {hall['reception_publish_days']} 天公布"


def publish_day(actor, row: ReceptionDay, version: int | None) -> ReceptionDay:
    """公布: no later than publish_by (the county's lead days before the session)."""
    _require_keeper(actor, row.unit_id, "公布接访安排")
    _require_state(row, ("planned",), "公布")
    _require_version(row, version)
    if _today() > key_dates(row.unit_id, row.day)["publish_by"]:
        message = _too_late(row.unit_id)
        raise InvalidInput(message, fields={"day": [message]})
    row.state = "published"
    row.published_at = _now()
    row.version += 1
    audit.record("reception_day.published", actor=actor, **_about(row))
    _tell_sitting(row, "reception_published", f"领导接访日已公布：{_label(row)}，请一把手陪同接访")
    db.session.commit()
    return row


def cancel_day(actor, row: ReceptionDay, version: int | None, reason: str) -> ReceptionDay:
    _require_keeper(actor, row.unit_id, "取消接访安排")
    _require_state(row, EDITABLE, "取消")
    _require_version(row, version)
    reason = (reason or "").strip()
    if not reason:
        raise InvalidInput(fields={"reason": ["请填写取消原因"]})
    was_published = row.state == "published"
    row.state = "cancelled"
    row.summary = reason
    row.version += 1
    audit.record("reception_day.cancelled", actor=actor, **_about(row, reason=reason))
    if was_published:
        _tell_sitting(row, "reception_cancelled", f"领导接访日已取消：{_label(row)}", body=reason)
    if row.notice_sent_at is not None:
        _tell_leader(row, "reception_cancelled", f"接访安排已取消：{_label(row)}", "cancel", body=reason)
    db.session.commit()
    return row


def mark_held(actor, row: ReceptionDay, version: int | None, summary: str) -> ReceptionDay:
    """已接访: on or after the day, with a summary of the session."""
    if not actor.has_role(*KEEPERS, *RECORDERS):
        raise RoleRequired("“记录接访情况”需要举办单位的一把手、接访员或系统管理员角色")
    if actor.unit_id != row.unit_id:
        raise RoleRequired("只有举办接访日的单位可以记录接访情况")
    _require_state(row, ("published",), "标记为已接访")
    _require_version(row, version)
    if _today() < row.day:
        raise IllegalTransition("接访日尚未到来，不能标记为已接访")
    summary = (summary or "").strip()
    if not summary:
        raise InvalidInput(fields={"summary": ["请填写接访情况小结"]})
    row.state = "held"
    row.summary = summary
    row.version += 1
    audit.record("reception_day.held", actor=actor, **_about(row))
    db.session.commit()
    return row


# ---- the session's record -----------------------------------------------------------------------------

def _require_recorder(actor, row: ReceptionDay, what: str) -> None:
    if not actor.has_role(*RECORDERS):
        raise RoleRequired(f"“{what}”需要举办单位的接访员或一把手角色")
    if actor.unit_id != row.unit_id:
        raise RoleRequired(f"只有举办接访日的单位可以{what}")


def record_item(actor, row: ReceptionDay, version: int | None, data: dict) -> ReceptionItem:
    """One person or group met, with the leader's 批示. With `assign` the item registers a matter and 交办s
    it to the responsible unit through the petition services (the 批示 in the assign note); the matter then
    runs its course. One transaction: a refused matter leaves no item behind."""
    from county_net.petitions import services as petitions

    _require_recorder(actor, row, "记录接访事项")
    _require_state(row, ("published", "held"), "记录接访事项")
    _require_version(row, version)
    if _today() < row.day:
        raise IllegalTransition("接访日尚未到来，不能记录接访事项")
    errors: dict[str, list[str]] = {}
    whom = (data.get("whom") or "").strip()
    if not whom:
        errors["whom"] = ["请填写来访人（群体）"]
    problem = (data.get("problem") or "").strip()
    if not problem:
        errors["problem"] = ["请填写反映的问题"]
    head_count = data.get("head_count") or 1
    if not isinstance(head_count, int) or isinstance(head_count, bool) or not 1 <= head_count <= 10000:
        errors["head_count"] = ["人数须为 1–10000 的整数"]
    instruction = (data.get("instruction") or "").strip()
    responsible = data.get("responsible_unit_id")
    if responsible is not None:
        info = unit_info(responsible) if valid_id(responsible) else None
        if info is None or not info.is_active or info.county_id != unit_info(row.unit_id).county_id:
            errors["responsible_unit_id"] = ["单位不存在"]
    visit_id = data.get("visit_id")
    if visit_id is not None:
        visit = db.session.scalar(select(Visit).where(Visit.id == visit_id)) if valid_id(visit_id) else None
        if visit is None or visit.reception_day_id != row.id:
            errors["visit_id"] = ["不是本次接访的预约"]
    assign = bool(data.get("assign"))
    if assign:
        if responsible is None:
            errors.setdefault("responsible_unit_id", ["交办须选择责任单位"])
        elif responsible == actor.unit_id:
            errors.setdefault("responsible_unit_id", ["不能交办给本单位"])
        if not instruction:
            errors["instruction"] = ["交办须填写领导批示"]
        if data.get("report_due_on") is None:
            errors["report_due_on"] = ["交办须设定报送办结报告日期"]
    if errors:
        raise InvalidInput(fields=errors)
    item = ReceptionItem(reception_day_id=row.id, unit_id=row.unit_id, visit_id=visit_id, whom=whom,
                         head_count=head_count, problem=problem, instruction=instruction,
                         responsible_unit_id=responsible, actor_name=actor.name or "", created_at=_now())
    db.session.add(item)
    row.version += 1
    try:
        petition = None
        if assign:
            matter = dict(data.get("matter") or {})
            matter.setdefault("channel", "visit")
            matter.setdefault("nature", "demand")
            matter["summary"] = (matter.get("summary") or "").strip() or problem[:4000]
            matter["head_count"] = matter.get("head_count") or head_count
            matter["petitioners"] = matter.get("petitioners") or [{"name": whom[:60]}]
            petition = petitions.register_petition(actor, matter, commit=False)  # 400 before any write
            item.petition_id = petition.id
        db.session.flush()
        audit.record("reception_item.recorded", actor=actor, **_about(
            row, whom=whom, petition=petition.number if petition else None))
        if petition is None:
            db.session.commit()
        else:
            # The one commit: the petition service's 交办 carries the item, the matter and its notices.
            petitions.assign_petition(actor, petition, version=petition.version, to_unit_id=responsible,
                                      report_due_on=data["report_due_on"], note=f"领导批示：{instruction}")
    except Exception:
        db.session.rollback()
        raise
    return item


# ---- notices ------------------------------------------------------------------------------------------

def _notify(row: ReceptionDay, kind: str, step: str, title: str, body: str = "", unit_id=None,
            audience: str = "heads", user_ids=None) -> int:
    from county_net.notifications.services import notify

    return notify(kind=kind, event_key=f"reception:{row.id}:{row.day.isoformat()}:{step}", unit_id=unit_id,
                  title=title, body=body, link=_link(row), object_type="reception_day", object_id=row.id,
                  audience=audience, user_ids=user_ids)


def _tell_sitting(row: ReceptionDay, kind: str, title: str, body: str = "") -> None:
    """The heads of the units that sit in (and, on a change, again: the step names the version)."""
    step = f"{kind}:{row.version}"
    for unit_id in sitting_ids(row):
        _notify(row, kind, f"{step}:{unit_id}", title, body=body or _details(row), unit_id=unit_id)


def _tell_leader(row: ReceptionDay, kind: str, title: str, step: str, body: str = "") -> int:
    """The leader's own account when named; else the heads of the holding unit."""
    if row.leader_user_id:
        return _notify(row, kind, step, title, body=body, user_ids=[row.leader_user_id])
    return _notify(row, kind, step, title, body=body, unit_id=row.unit_id)


def _details(row: ReceptionDay) -> str:
    parts = [f"时间：{row.day.isoformat()} {row.starts}–{row.ends}", f"形式：{RECEPTION_FORMS[row.form]}",
             f"接访领导：{row.leader_name}{(' ' + row.leader_post) if row.leader_post else ''}"]
    if row.place:
        parts.append(f"地点：{row.place}")
    if row.topic:
        parts.append(f"专题：{row.topic}")
    return "\n".join(parts)


def bookings(row: ReceptionDay) -> list[Visit]:
    """The session's bookings still to be met (约访 with this session)."""
    return list(db.session.scalars(select(Visit).where(Visit.reception_day_id == row.id,
                                                       Visit.state.in_(BOOKED_STATES))
                                   .order_by(Visit.booked_time, Visit.id)))


def briefing_text(row: ReceptionDay) -> str:
    """The briefing list: each booking with its slot, purpose, head count and any matter linked."""
    from county_net.petitions.models import Petition

    lines = [_details(row), ""]
    booked = bookings(row)
    numbers = {}
    ids = [v.petition_id for v in booked if v.petition_id]
    if ids:
        numbers = dict(db.session.execute(select(Petition.id, Petition.number).where(Petition.id.in_(ids))).all())
    if not booked:
        lines.append("暂无预约来访。")
    for index, visit in enumerate(booked, 1):
        matter = f"，关联事项 {numbers[visit.petition_id]}" if visit.petition_id in numbers else ""
        slot = f"{visit.booked_time} " if visit.booked_time else ""
        lines.append(f"{index}. {slot}{visit.head_count} 人：{(visit.purpose or visit.booking_note or '未填写来访事由')[:200]}"
                     f"{matter}")
    return "\n".join(lines)


def sweep(today: date | None = None) -> dict:
    """The leader's notice (notice_days ahead) and the briefing list (briefing_days ahead) of every planned or
    published session still ahead, each once (the sent time on the row and the notice's event key). Runs in
    system scope; the caller commits."""
    today = today or _today()
    sent = {"notice": 0, "briefing": 0}
    rows = db.session.scalars(select(ReceptionDay).where(ReceptionDay.state.in_(EDITABLE),
                                                         ReceptionDay.day >= today)
                              .order_by(ReceptionDay.day, ReceptionDay.id)).all()
    for row in rows:
        dates = key_dates(row.unit_id, row.day)
        if row.notice_sent_at is None and today >= dates["notice_on"]:
            _tell_leader(row, "reception_notice", f"接访提醒：{_label(row)}", "notice", body=_details(row))
            row.notice_sent_at = _now()
            sent["notice"] += 1
        if row.briefing_sent_at is None and today >= dates["briefing_on"]:
            _tell_leader(row, "reception_briefing", f"接访预约名单：{_label(row)}", "briefing",
                         body=briefing_text(row))
            row.briefing_sent_at = _now()
            sent["briefing"] += 1
    return sent
