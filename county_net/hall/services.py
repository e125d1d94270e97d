"""The only writers of visits: booking, check-in and triage (a ticket routed to a window), the window's call,
the interview and its outcome, leaving. Each function checks the role, the hall, the state and the version,
writes the visit's event and commits once. An outcome that needs a matter calls the petition services, which
finish the same transaction: the visit and its matter are written together or not at all."""
from __future__ import annotations

import json
from datetime import date, datetime, timedelta

from sqlalchemy import func, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from county_net.core.errors import Conflict, IllegalTransition, InvalidInput, NotVisible, RoleRequired, StaleVersion
from county_net.core.models import utcnow
from county_net.core.schemas import valid_id
from county_net.core.timeutil import cn_date, local_today
from county_net.deadlines import hall as hall_dates
from county_net.extensions import db
from county_net.hall.labels import visit_ticket
from county_net.hall.models import (COMPLEXITIES, OUTCOMES, PRIORITY_REASONS, PURPOSES, RANK_BOOKED,
                                    RANK_PRIORITY, RANK_WALK_IN, ROUTES, HallRoom, TicketCounter, Visit, VisitEvent,
                                    VisitPerson)
from county_net.hall.settings import hall_settings
from county_net.petitions import services as petitions
from county_net.petitions.models import NATURES, Category
from county_net.units.directory import unit_info
from county_net.units.models import Window

# Input sanity bound, not a legal window: a booking further off than this is a typing slip.
BOOKING_MAX_DAYS = 60


def _text(value, field: str, label: str, max_len: int, *, required: bool = False, errors: dict) -> str:
    text = (value or "").strip() if isinstance(value, str) else ""
    if required and not text:
        errors[field] = [f"请填写{label}"]
    elif len(text) > max_len:
        errors[field] = [f"{label}不能超过 {max_len} 字"]
    return text[:max_len]


def hall_of(actor) -> int:
    """The county center whose hall the actor works in: only the center's receptionists and heads run it. A
    unit that runs no hall has none to see (404); at the center, another role is refused (403)."""
    # The signed-in user comes with their unit (one join at login); only other actors need the directory.
    unit = actor.__dict__.get("unit") or unit_info(actor.unit_id)
    if unit is None or unit.kind != "county_center":
        raise NotVisible()
    if not actor.has_role("receptionist", "head"):
        raise RoleRequired("接待大厅的操作需要接访员或一把手角色")
    return unit.id


def _event(visit: Visit, actor, kind: str, from_state: str | None, *, note: str = "", payload: dict | None = None,
           window_id: int | None = None) -> None:
    db.session.add(VisitEvent(unit_id=visit.unit_id, visit_id=visit.id, kind=kind, from_state=from_state,
                              to_state=visit.state, window_id=window_id or visit.window_id, actor_id=actor.id,
                              actor_name=getattr(actor, "name", "") or "", occurred_at=utcnow(), note=note or "",
                              payload=json.dumps(payload or {}, ensure_ascii=False, default=str)))


def _begin(actor, visit: Visit, version: int | None, states, what: str) -> None:
    hall_of(actor)
    if visit.state not in states:
        from county_net.hall.models import VISIT_STATES

        raise IllegalTransition(f"该号处于“{VISIT_STATES[visit.state]}”状态，不能{what}")
    if version is None or version != visit.version:
        raise StaleVersion()


def _bump(visit: Visit) -> None:
    visit.version = visit.version + 1
    visit.updated_at = utcnow()


def _require_open(county_id: int, at: datetime | None = None) -> None:
    settings, county = hall_settings(county_id)
    if not hall_dates.is_open(at or utcnow(), settings["hours"], county.calendar(), settings.every_day):
        hours = "、".join(f"{a}–{b}" for a, b in settings["hours"])
        days = "每天" if settings.every_day else "工作日"
        raise Conflict(f"接待中心现在不在接待时间（{days} {hours}），不能取号", fields={
            "hall": ["接待中心现在不在接待时间，不能取号"]})


def _next_ticket(county_id: int, day: date) -> int:
    """One upsert per ticket: the counter row stays locked until this transaction commits, so two desks never
    hand out the same number."""
    insert = pg_insert if db.session.get_bind().dialect.name == "postgresql" else sqlite_insert
    db.session.execute(insert(TicketCounter).values(unit_id=county_id, day=day, last_no=0)
                       .on_conflict_do_nothing(index_elements=["unit_id", "day"]))
    return db.session.execute(
        update(TicketCounter).where(TicketCounter.unit_id == county_id, TicketCounter.day == day)
        .values(last_no=TicketCounter.last_no + 1).returning(TicketCounter.last_no)).scalar_one()


# ---- triage -------------------------------------------------------------------------------------------------

def _windows(county_id: int) -> list[Window]:
    return list(db.session.scalars(select(Window).where(Window.unit_id == county_id, Window.is_active.is_(True))
                                   .order_by(Window.number)))


def _waiting_counts(county_id: int, day: date) -> dict[int, int]:
    rows = db.session.execute(select(Visit.window_id, func.count()).where(
        Visit.unit_id == county_id, Visit.day == day, Visit.state == "waiting").group_by(Visit.window_id))
    return {window_id: count for window_id, count in rows}


def route_window(county_id: int, day: date, category_code: str | None, locality_code: str | None) -> Window | None:
    """The window for a subject and a township: one that names both beats one that names the subject, then
    one that names the township, then a window that takes anything; ties go to the shortest queue."""
    waiting = _waiting_counts(county_id, day)
    best, best_key = None, None
    for window in _windows(county_id):
        subjects, localities = json.loads(window.subjects or "[]"), json.loads(window.localities or "[]")
        if subjects and category_code not in subjects:
            continue
        if localities and locality_code not in localities:
            continue
        fit = (2 if subjects else 0) + (1 if localities else 0)
        key = (-fit, waiting.get(window.id, 0), window.number)
        if best_key is None or key < best_key:
            best, best_key = window, key
    return best


def _triage_fields(county_id: int, data: dict, errors: dict) -> dict:
    """The triage part shared by a booking and a check-in: what it is about, where it goes."""
    out = {}
    purpose_kind = data.get("purpose_kind") or "other"
    if purpose_kind not in PURPOSES:
        errors["purpose_kind"] = ["请选择来访目的"]
    out["purpose_kind"] = purpose_kind
    out["purpose"] = _text(data.get("purpose"), "purpose", "反映的问题", 2000, required=True, errors=errors)
    out["demands"] = _text(data.get("demands"), "demands", "诉求", 2000, errors=errors)
    out["category"] = None
    if data.get("category_id") is not None:
        category = db.session.get(Category, data["category_id"]) if valid_id(data["category_id"]) else None
        if category is None or not category.is_active:
            errors["category_id"] = ["请选择事项类别"]
        out["category"] = category
    out["locality"] = None
    if data.get("locality_unit_id") is not None:
        locality = unit_info(data["locality_unit_id"])
        if locality is None or locality.kind != "township" or locality.county_id != county_id:
            errors["locality_unit_id"] = ["问题属地须为本县的乡镇（街道）"]
        out["locality"] = locality
    complexity = data.get("complexity") or "simple"
    if complexity not in COMPLEXITIES:
        errors["complexity"] = ["请选择复杂程度（简单、复杂、疑难）"]
    out["complexity"] = complexity
    route_to = data.get("route_to") or "petition"
    if route_to not in ROUTES:
        errors["route_to"] = ["请选择分流去向"]
    out["route_to"] = route_to
    out["is_joint"] = bool(data.get("is_joint"))
    head_count = data.get("head_count") or 1
    if not isinstance(head_count, int) or isinstance(head_count, bool) or not 1 <= head_count <= 10000:
        errors["head_count"] = ["来访人数须为 1–10000 的整数"]
        head_count = 1
    out["head_count"] = head_count
    out["window"] = _pick_window(county_id, data.get("window_id"), errors)
    return out


def _pick_window(county_id: int, window_id, errors: dict) -> Window | None:
    if window_id is None:
        return None
    window = db.session.scalar(select(Window).where(Window.id == window_id, Window.unit_id == county_id,
                                                    Window.is_active.is_(True))) if valid_id(window_id) else None
    if window is None:
        errors["window_id"] = ["请选择本中心启用的窗口"]
    return window


def _people(actor, data: dict, county, errors: dict) -> list:
    people = data.get("people") or []
    limit = county["max_representatives"]
    if len(people) > limit:
        # 《信访工作条例》第二十条: a group names at most five representatives (a county may ask for fewer).
        errors["people"] = [f"多人走访反映同一事项的，应推选不超过 {limit} 名代表；请只登记代表"]
        return []
    if not people:
        errors["people"] = ["请至少登记一名来访人"]
        return []
    if errors:
        return []
    try:
        return petitions.open_petitioner_files(actor, people)
    except InvalidInput as exc:
        fields = dict(exc.fields)
        problems = fields.pop("petitioners", None)
        if isinstance(problems, dict):  # per person: say which person and what
            fields["people"] = [f"第 {int(index) + 1} 位来访人：{message}" for index, person in problems.items()
                                for messages in person.values() for message in messages]
        elif problems:
            fields["people"] = problems
        errors.update(fields)
        return []


def _add_people(visit: Visit, files, collective: bool) -> None:
    for position, petitioner in enumerate(files):
        db.session.add(VisitPerson(unit_id=visit.unit_id, visit_id=visit.id, petitioner_id=petitioner.id,
                                   position=position, is_representative=collective, name=petitioner.name,
                                   id_number_masked=petitioner.id_number_masked,
                                   phone_masked=petitioner.phone_masked))


def _rank(booked: bool, priority_reason: str | None) -> int:
    if priority_reason:
        return RANK_PRIORITY
    return RANK_BOOKED if booked else RANK_WALK_IN


def _priority(data: dict, errors: dict) -> tuple[str | None, str]:
    reason = data.get("priority_reason") or None
    note = _text(data.get("priority_note"), "priority_note", "优先说明", 200, errors=errors)
    if reason is not None and reason not in PRIORITY_REASONS:
        errors["priority_reason"] = ["请选择优先接待的原因（老年人、残疾人、孕妇或携婴幼儿、紧急情况）"]
    if reason == "urgent" and not note:
        errors["priority_note"] = ["紧急情况优先接待，请说明原因"]
    return reason, note


def _collective_room(county_id: int) -> HallRoom | None:
    """A group is sent to the hearing and coordination room (综合听证协调处置室), else the leaders' room."""
    rooms = {room.kind: room for room in db.session.scalars(
        select(HallRoom).where(HallRoom.unit_id == county_id, HallRoom.is_active.is_(True),
                               HallRoom.kind.in_(("hearing", "leaders"))).order_by(HallRoom.number))}
    return rooms.get("hearing") or rooms.get("leaders")


def _alert_collective(visit: Visit, county_id: int, concerned_unit_ids) -> None:
    """集体访: the county center's heads and the heads of the units concerned, at once, and no one else."""
    from county_net.notifications.services import notify

    units = [county_id] + [u for u in dict.fromkeys(concerned_unit_ids) if u != county_id]
    title = f"集体访：{visit.head_count} 人到联合接待中心（{visit_ticket(visit)}号）"
    for unit_id in units:
        notify(kind="hall_collective", event_key=f"hall_visit:{visit.id}:collective", unit_id=unit_id,
               title=title, link=f"/hall/visits/{visit.id}" if unit_id == county_id else "/notifications",
               object_type="hall_visit", object_id=visit.id, audience="heads",
               body=(visit.purpose or "")[:200] if unit_id == county_id else "请本单位负责同志即到联合接待中心协同接待。")


def _concerned(county_id: int, data: dict, triage: dict, errors: dict) -> list[int]:
    ids = []
    for unit_id in data.get("concerned_unit_ids") or []:
        unit = unit_info(unit_id)
        if unit is None or unit.county_id != county_id:
            errors["concerned_unit_ids"] = ["相关单位须为本县单位"]
            return []
        ids.append(unit.id)
    if triage["locality"] is not None:
        ids.append(triage["locality"].id)
    return ids


def check_in(actor, data: dict) -> Visit:
    """登记分流: the visitors' files, what they come about, where it goes, and a ticket routed to a window."""
    county_id = hall_of(actor)
    settings, county = hall_settings(county_id)
    errors: dict = {}
    triage = _triage_fields(county_id, data, errors)
    reason, note = _priority(data, errors)
    concerned = _concerned(county_id, data, triage, errors)
    if not errors:
        _require_open(county_id)
    files = _people(actor, data, county, errors)
    if errors:
        raise InvalidInput(fields=errors)
    day = local_today()
    visit = Visit(unit_id=county_id, day=day, booked=False, registered_by_id=actor.id,
                  registered_by_name=actor.name or "", id_checked=bool(data.get("id_checked")), version=1)
    _apply_triage(visit, triage, county)
    db.session.add(visit)
    db.session.flush()
    _add_people(visit, files, visit.is_collective)
    _issue_ticket(visit, actor, county_id, triage, reason, note)
    if visit.is_collective:
        room = _collective_room(county_id)
        visit.room_id = room.id if room is not None else None
        _alert_collective(visit, county_id, concerned)
    db.session.commit()
    return visit


def _apply_triage(visit: Visit, triage: dict, county) -> None:
    visit.purpose_kind, visit.purpose, visit.demands = triage["purpose_kind"], triage["purpose"], triage["demands"]
    visit.category_id = triage["category"].id if triage["category"] else None
    visit.locality_unit_id = triage["locality"].id if triage["locality"] else None
    visit.complexity, visit.route_to, visit.is_joint = triage["complexity"], triage["route_to"], triage["is_joint"]
    visit.head_count = triage["head_count"]
    visit.is_collective = visit.head_count >= county["collective_threshold"]


def _issue_ticket(visit: Visit, actor, county_id: int, triage: dict, reason: str | None, note: str) -> None:
    window = triage.get("window") or route_window(
        county_id, visit.day, triage["category"].code if triage.get("category") else None,
        triage["locality"].code if triage.get("locality") else None)
    if window is None:
        raise Conflict("没有可接待该事项的窗口，请在分流时指定窗口", fields={"window_id": ["请指定接待窗口"]})
    from_state = visit.state
    visit.window_id = window.id
    visit.ticket_no = _next_ticket(county_id, visit.day)
    visit.priority_reason, visit.priority_note = reason, note
    visit.queue_rank = _rank(visit.booked, reason)
    visit.checked_in_at = utcnow()
    visit.state = "waiting"
    _event(visit, actor, "check_in", from_state, payload={
        "ticket": visit_ticket(visit), "window": window.number, "route_to": visit.route_to,
        "priority": PRIORITY_REASONS.get(reason or "", "")}, note=note)


def book(actor, data: dict) -> Visit:
    """预约: a visit for a later (or this) working day; it queues before walk-ins once it arrives."""
    county_id = hall_of(actor)
    settings, county = hall_settings(county_id)
    errors: dict = {}
    triage = _triage_fields(county_id, data, errors)
    day = data.get("day")
    calendar = county.calendar()
    today = local_today()
    if not isinstance(day, date) or day < today or day > today + timedelta(days=BOOKING_MAX_DAYS):
        errors["day"] = [f"预约日期须为今天起 {BOOKING_MAX_DAYS} 日内"]
    elif not hall_dates.open_spans(day, settings["hours"], calendar, settings.every_day):
        errors["day"] = [f"{cn_date(day)}不是工作日，接待中心不接待"]
    booked_time = (data.get("booked_time") or "").strip()
    if booked_time and not _valid_slot(booked_time, settings["hours"]):
        errors["booked_time"] = ["预约时段须在接待时间内（如 09:30）"]
    booking_note = _text(data.get("booking_note"), "booking_note", "预约说明", 200, errors=errors)
    files = _people(actor, data, county, errors)
    if errors:
        raise InvalidInput(fields=errors)
    visit = Visit(unit_id=county_id, day=day, booked=True, booked_time=booked_time or None, booking_note=booking_note,
                  queue_rank=RANK_BOOKED, state="registered", registered_by_id=actor.id,
                  registered_by_name=actor.name or "", version=1)
    _apply_triage(visit, triage, county)
    visit.window_id = triage["window"].id if triage["window"] else None
    db.session.add(visit)
    db.session.flush()
    _add_people(visit, files, visit.is_collective)
    _event(visit, actor, "book", None, payload={"day": day.isoformat(), "time": booked_time})
    db.session.commit()
    return visit


def _valid_slot(text: str, hours) -> bool:
    if len(text) != 5 or text[2] != ":" or not (text[:2] + text[3:]).isdigit():
        return False
    return any(a <= text < b for a, b in hours)


def arrive(actor, visit: Visit, *, version: int, id_checked: bool = False, priority_reason: str | None = None,
           priority_note: str = "", window_id: int | None = None) -> Visit:
    """A booked visitor arrives on the day: a ticket ahead of the walk-ins."""
    _begin(actor, visit, version, ("registered",), "取号")
    if visit.day != local_today():
        raise IllegalTransition(f"该预约是{cn_date(visit.day)}的，今天不能取号")
    errors: dict = {}
    reason, note = _priority({"priority_reason": priority_reason, "priority_note": priority_note}, errors)
    window = _pick_window(visit.unit_id, window_id, errors)
    if errors:
        raise InvalidInput(fields=errors)
    _require_open(visit.unit_id)
    if window is None and visit.window_id is not None:
        window = db.session.get(Window, visit.window_id)
    triage = {"window": window,
              "category": db.session.get(Category, visit.category_id) if visit.category_id else None,
              "locality": unit_info(visit.locality_unit_id) if visit.locality_unit_id else None}
    visit.id_checked = visit.id_checked or bool(id_checked)
    _issue_ticket(visit, actor, visit.unit_id, triage, reason, note)
    _bump(visit)
    if visit.is_collective:
        room = _collective_room(visit.unit_id)
        visit.room_id = room.id if room is not None else None
        _alert_collective(visit, visit.unit_id, [visit.locality_unit_id] if visit.locality_unit_id else [])
    db.session.commit()
    return visit


def prioritise(actor, visit: Visit, *, version: int, priority_reason: str, priority_note: str = "") -> Visit:
    """Put a waiting ticket first (the elderly, the disabled, the urgent), with the reason kept."""
    _begin(actor, visit, version, ("waiting",), "优先")
    errors: dict = {}
    reason, note = _priority({"priority_reason": priority_reason or "", "priority_note": priority_note}, errors)
    if reason is None and not errors:
        errors["priority_reason"] = ["请选择优先接待的原因"]
    if errors:
        raise InvalidInput(fields=errors)
    visit.priority_reason, visit.priority_note, visit.queue_rank = reason, note, RANK_PRIORITY
    _bump(visit)
    _event(visit, actor, "prioritise", "waiting", note=note, payload={"reason": PRIORITY_REASONS[reason]})
    db.session.commit()
    return visit


def cancel_booking(actor, visit: Visit, *, version: int, note: str = "") -> Visit:
    """A booking that will not be kept (or was not kept): no_show."""
    _begin(actor, visit, version, ("registered",), "取消预约")
    visit.state = "no_show"
    _bump(visit)
    _event(visit, actor, "cancel_booking", "registered", note=(note or "")[:200])
    db.session.commit()
    return visit


# ---- the window ---------------------------------------------------------------------------------------------

def _window(actor, window_id: int) -> Window:
    county_id = hall_of(actor)
    window = db.session.scalar(select(Window).where(Window.id == window_id)) if valid_id(window_id) else None
    if window is None or window.unit_id != county_id:
        raise NotVisible()
    if not window.is_active:
        raise IllegalTransition("该窗口已停用")
    return window


def queue_order():
    return (Visit.queue_rank, Visit.checked_in_at, Visit.id)


def call_next(actor, window_id: int) -> Visit:
    """叫号: the first waiting ticket of the window (put-first, then booked, then walk-ins, each by arrival).
    A window may have several clerks, each calling for themself. The claim is an UPDATE guarded by
    state = 'waiting': of two clerks calling at once, one wins the row and the other moves on to the next
    ticket, so no ticket is handed out twice."""
    window = _window(actor, window_id)
    day = local_today()
    for _ in range(50):
        candidate = db.session.scalar(select(Visit.id).where(
            Visit.unit_id == window.unit_id, Visit.day == day, Visit.window_id == window.id,
            Visit.state == "waiting").order_by(*queue_order()).limit(1))
        if candidate is None:
            raise IllegalTransition("本窗口没有候谈的号")
        now = utcnow()
        claimed = db.session.execute(
            update(Visit).where(Visit.id == candidate, Visit.state == "waiting")
            .values(state="called", called_at=now, call_count=Visit.call_count + 1, version=Visit.version + 1,
                    interviewer_id=actor.id, interviewer_name=actor.name or "", updated_at=now)
            .returning(Visit.id)).scalar_one_or_none()
        if claimed is not None:
            visit = db.session.get(Visit, claimed, populate_existing=True)
            _event(visit, actor, "call", "waiting", window_id=window.id, payload={"ticket": visit_ticket(visit)})
            db.session.commit()
            return visit
    raise Conflict("叫号繁忙，请重试")


def _at_window(visit: Visit, window_id: int | None) -> None:
    if window_id is not None and visit.window_id != window_id:
        raise IllegalTransition("该号不属于本窗口，不能在本窗口办理")


def recall(actor, visit: Visit, *, version: int, window_id: int | None = None) -> Visit:
    """Call the same ticket again (the visitor did not come up)."""
    _begin(actor, visit, version, ("called",), "重新叫号")
    _at_window(visit, window_id)
    visit.call_count += 1
    visit.called_at = utcnow()
    _bump(visit)
    _event(visit, actor, "recall", "called", payload={"calls": visit.call_count})
    db.session.commit()
    return visit


def mark_no_show(actor, visit: Visit, *, version: int, window_id: int | None = None) -> Visit:
    """过号: the called visitor did not come; the window may call the next."""
    _begin(actor, visit, version, ("called",), "标记未到")
    _at_window(visit, window_id)
    visit.state = "no_show"
    _bump(visit)
    _event(visit, actor, "no_show", "called")
    db.session.commit()
    return visit


def requeue(actor, visit: Visit, *, version: int, window_id: int | None = None) -> Visit:
    """A visitor marked absent comes back the same day: back into the queue with the same ticket."""
    _begin(actor, visit, version, ("no_show",), "重新排队")
    if visit.day != local_today() or visit.ticket_no is None:
        raise IllegalTransition("只有今天取过号的才能重新排队")
    visit.state = "waiting"
    _bump(visit)
    _event(visit, actor, "requeue", "no_show")
    db.session.commit()
    return visit


def start_interview(actor, visit: Visit, *, version: int, window_id: int | None = None) -> Visit:
    _begin(actor, visit, version, ("called",), "开始接谈")
    _at_window(visit, window_id)
    visit.state = "interviewing"
    visit.interview_started_at = utcnow()
    visit.interviewer_id, visit.interviewer_name = actor.id, actor.name or ""
    _bump(visit)
    _event(visit, actor, "start_interview", "called")
    db.session.commit()
    return visit


def _interview_fields(visit: Visit, data: dict, errors: dict) -> None:
    for field, label in (("interview_who", "接谈对象"), ("interview_said", "反映内容"), ("interview_agreed", "答复和约定")):
        if field in data and data[field] is not None:
            setattr(visit, field, _text(data[field], field, label, 4000, errors=errors))


def record_interview(actor, visit: Visit, *, version: int, window_id: int | None = None, **data) -> Visit:
    """接谈记录: who took part, what was said, what was agreed; saved as the talk goes on."""
    _begin(actor, visit, version, ("interviewing",), "记录接谈")
    _at_window(visit, window_id)
    errors: dict = {}
    _interview_fields(visit, data, errors)
    if errors:
        raise InvalidInput(fields=errors)
    _bump(visit)
    _event(visit, actor, "interview", "interviewing")
    db.session.commit()
    return visit


def _outcome_detail(visit: Visit, outcome: str, data: dict, errors: dict) -> dict:
    detail: dict = {}
    if outcome == "oral":
        detail["answer"] = _text(data.get("answer"), "answer", "当场答复的内容", 2000, required=True, errors=errors)
    elif outcome == "phone":
        unit = unit_info(data.get("contact_unit_id")) if data.get("contact_unit_id") is not None else None
        if unit is None or unit.county_id != visit.unit_id:
            errors["contact_unit_id"] = ["请选择联系的责任单位"]
        detail["contact_unit_id"] = unit.id if unit else None
        detail["contact_unit"] = unit.name if unit else ""
        detail["contact_person"] = _text(data.get("contact_person"), "contact_person", "联系人", 60, required=True,
                                         errors=errors)
        detail["agreed"] = _text(data.get("agreed"), "agreed", "电话约定的内容", 2000, required=True, errors=errors)
    elif outcome == "notice":
        detail["organ"] = _text(data.get("organ"), "organ", "应向其反映的机关或途径", 120, required=True, errors=errors)
        detail["organ_contact"] = _text(data.get("organ_contact"), "organ_contact", "地址或联系方式", 200, errors=errors)
        detail["reason"] = _text(data.get("reason"), "reason", "告知理由", 1000, required=True, errors=errors)
    else:
        nature = data.get("nature") or "demand"
        if nature not in NATURES:
            errors["nature"] = ["请选择事项性质"]
        detail["nature"] = nature
        if visit.category_id is None and data.get("category_id") is None:
            errors["category_id"] = ["登记信访事项需要事项类别"]
        if outcome in ("transfer", "assign"):
            unit = unit_info(data.get("to_unit_id")) if data.get("to_unit_id") is not None else None
            if unit is None or unit.county_id != visit.unit_id or unit.id == visit.unit_id:
                errors["to_unit_id"] = ["请选择本县的责任单位"]
            detail["to_unit_id"] = unit.id if unit else None
            detail["to_unit"] = unit.name if unit else ""
        if outcome == "assign":
            detail["report_due_on"] = data.get("report_due_on")
            if not isinstance(detail["report_due_on"], date):
                errors["report_due_on"] = ["请设定报送办结报告的日期"]
        detail["note"] = _text(data.get("note"), "note", "意见", 1000, errors=errors)
    return detail


def finish(actor, visit: Visit, *, version: int, outcome: str, window_id: int | None = None, **data) -> Visit:
    """End the interview with one of the six in-hall outcomes. 转送单, 立案交办 and 摘报 register a matter
    through the petition services (转送 and 交办 then route it) and link it to the visit, in one commit."""
    _begin(actor, visit, version, ("interviewing", "called"), "结束接谈")
    _at_window(visit, window_id)
    errors: dict = {}
    if outcome not in OUTCOMES:
        errors["outcome"] = ["请选择处理方式"]
    _interview_fields(visit, data, errors)
    detail = _outcome_detail(visit, outcome, data, errors) if outcome in OUTCOMES else {}
    if errors:
        raise InvalidInput(fields=errors)
    from_state = visit.state
    now = utcnow()
    if visit.interview_started_at is None:
        visit.interview_started_at = now
    visit.interview_ended_at = now
    visit.interviewer_id, visit.interviewer_name = actor.id, actor.name or ""
    visit.state = "done"
    visit.outcome = outcome
    _bump(visit)
    if outcome in ("transfer", "assign", "digest"):
        petition = _register_matter(actor, visit, detail, data)
        visit.petition_id = petition.id
        detail["petition_number"] = petition.number
        visit.flagged_digest = outcome == "digest"
        visit.outcome_detail = json.dumps(detail, ensure_ascii=False, default=str)
        _event(visit, actor, "finish", from_state, payload={"outcome": OUTCOMES[outcome], **detail})
        if outcome == "digest":
            db.session.commit()
        elif outcome == "transfer":
            petitions.transfer_petition(actor, petition, version=petition.version, to_unit_id=detail["to_unit_id"],
                                        note=detail["note"])  # commits the visit with the matter
        else:
            petitions.assign_petition(actor, petition, version=petition.version, to_unit_id=detail["to_unit_id"],
                                      report_due_on=detail["report_due_on"], note=detail["note"])
        return visit
    visit.outcome_detail = json.dumps(detail, ensure_ascii=False, default=str)
    _event(visit, actor, "finish", from_state, payload={"outcome": OUTCOMES[outcome], **detail})
    db.session.commit()
    return visit


def _register_matter(actor, visit: Visit, detail: dict, data: dict):
    ids = list(db.session.scalars(select(VisitPerson.petitioner_id).where(VisitPerson.visit_id == visit.id)
                                  .order_by(VisitPerson.position)))
    summary = visit.interview_said.strip() or visit.purpose
    if len(summary) < 5:
        summary = (visit.purpose + "（来访接谈）").strip()
    body = {"channel": "visit", "received_at": visit.checked_in_at or utcnow(),
            "petitioners": petitions.people_of_files(ids), "head_count": visit.head_count,
            "locality_unit_id": visit.locality_unit_id,
            "category_id": data.get("category_id") or visit.category_id, "nature": detail["nature"],
            "summary": summary[:4000], "demands": (visit.demands or "")[:4000],
            "accused_unit_id": data.get("accused_unit_id"), "accused_description": data.get("accused_description"),
            "is_major": visit.outcome == "digest"}
    return petitions.register_petition(actor, body, commit=False)


def leave(actor, visit: Visit, *, version: int, note: str = "") -> Visit:
    """The visitor has left the hall (the exit is recorded apart from the interview's end)."""
    _begin(actor, visit, version, ("done",), "登记离开")
    visit.state = "left"
    visit.left_at = utcnow()
    _bump(visit)
    _event(visit, actor, "leave", "done", note=(note or "")[:200])
    db.session.commit()
    return visit

