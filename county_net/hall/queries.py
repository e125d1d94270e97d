"""Read-only: a visit presented with what the desk may do next, a window's queue, the hall's morning at a
glance. Every read goes through the scoped session: only the county center that runs the hall sees its rows."""
from __future__ import annotations

import json
from datetime import date
from types import SimpleNamespace

from flask import g, has_request_context
from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import lazyload

from county_net.core.jsonrows import json_rows
from county_net.core.timeutil import local_today, to_local
from county_net.extensions import db
from county_net.hall.labels import visit_ticket
from county_net.hall.models import (COMPLEXITIES, EVENT_LABELS, OUTCOMES, PRIORITY_REASONS, PURPOSES, ROUTES,
                                    VISIT_STATES,
                                    HallRoom, Visit, VisitEvent, VisitPerson)
from county_net.hall.settings import hall_settings
from county_net.petitions.models import Category, Petition, Petitioner
from county_net.units.directory import unit_info
from county_net.units.models import Window

# action slug -> (label, the states it applies to), in the order the buttons show.
ACTIONS = {
    "arrive": ("到达取号", ("registered",)),
    "prioritise": ("优先接待", ("waiting",)),
    "recall": ("重新叫号", ("called",)),
    "start": ("开始接谈", ("called",)),
    "no_show": ("过号未到", ("called",)),
    "interview": ("保存接谈记录", ("interviewing",)),
    "finish": ("结束接谈", ("called", "interviewing")),
    "requeue": ("重新排队", ("no_show",)),
    "leave": ("登记离开", ("done",)),
    "cancel": ("取消预约", ("registered",)),
}


def get_visit(visit_id: int) -> Visit:
    return db.one_or_404(select(Visit).where(Visit.id == visit_id))


def get_window(window_id: int) -> Window:
    """Loaded once per request (the API's id preloader and the view both ask), without its stations, which a
    window's desk never reads (they load when touched)."""
    cache = g.setdefault("_hall_windows", {}) if has_request_context() else {}
    if window_id not in cache:
        cache[window_id] = db.one_or_404(select(Window).where(Window.id == window_id)
                                         .options(lazyload(Window.stations)))
    return cache[window_id]


def preload_windows(window_id: int, county_id: int) -> None:
    """For a window's page: the window and the hall's windows (which the page offers to move a ticket to) in one
    statement, under the same criteria as `get_window` and `window_names`; an unseen window is asked for again by
    `get_window`, which answers 404."""
    if not has_request_context():
        return
    found = list(db.session.scalars(select(Window).where(or_(Window.id == window_id, Window.unit_id == county_id))
                                    .options(lazyload(Window.stations)).order_by(Window.number)))
    g.setdefault("_hall_windows", {}).update({w.id: w for w in found if w.id == window_id})
    g.setdefault("_hall_window_names", {})[county_id] = {w.id: w for w in found if w.unit_id == county_id}


def _minutes(a, b) -> int | None:
    if a is None or b is None:
        return None
    return max(0, round((b - a).total_seconds() / 60))


def people(visit_ids) -> dict[int, list[dict]]:
    """The people of each visit: names, and ID and phone masked (the hall never shows them whole)."""
    out: dict[int, list[dict]] = {}
    rows = db.session.execute(
        select(VisitPerson.visit_id, VisitPerson.is_representative, VisitPerson.petitioner_id, VisitPerson.name,
               VisitPerson.id_number_masked, VisitPerson.phone_masked)
        .where(VisitPerson.visit_id.in_(list(visit_ids) or [-1])).order_by(VisitPerson.visit_id, VisitPerson.position))
    for visit_id, rep, pid, name, id_masked, phone_masked in rows:
        out.setdefault(visit_id, []).append({"petitioner_id": pid, "name": name, "id_number": id_masked,
                                             "phone": phone_masked, "is_representative": rep})
    return out


def earlier_matters(viewer, visit_people: list[dict]) -> list[dict]:
    """What each visitor raised before and what was answered (口径一致: the same matter gets the same answer),
    read through the petition package's own rule of who may know whom."""
    from county_net.core.errors import NotVisible
    from county_net.petitions.queries import LOOKUP_MATTERS, petitioner_file_view

    out = []
    for person in visit_people:
        petitioner = db.session.get(Petitioner, person["petitioner_id"])
        if petitioner is None:
            continue
        try:
            view = petitioner_file_view(viewer, petitioner, limit=LOOKUP_MATTERS)
        except NotVisible:
            continue
        if view["matters"]:
            out.append({"name": view["name"], "petitioner_id": view["id"], "matters": view["matters"][:5],
                        "replies": view["replies"][:2]})
    return out


def queue_position(visit: Visit) -> tuple[int | None, int | None]:
    """(position in the window's queue, estimated wait in minutes) for a waiting ticket."""
    if visit.state != "waiting" or visit.window_id is None:
        return None, None
    ahead = db.session.scalar(select(func.count()).select_from(Visit).where(
        Visit.unit_id == visit.unit_id, Visit.day == visit.day, Visit.window_id == visit.window_id,
        Visit.state == "waiting",
        or_(Visit.queue_rank < visit.queue_rank,
            and_(Visit.queue_rank == visit.queue_rank, Visit.checked_in_at < visit.checked_in_at),
            and_(Visit.queue_rank == visit.queue_rank, Visit.checked_in_at == visit.checked_in_at,
                 Visit.id < visit.id))))
    busy = db.session.scalar(select(func.count()).select_from(Visit).where(
        Visit.unit_id == visit.unit_id, Visit.day == visit.day, Visit.window_id == visit.window_id,
        Visit.state.in_(("called", "interviewing"))))
    settings, _ = hall_settings(visit.unit_id)
    return ahead + 1, (ahead + (1 if busy else 0)) * settings["interview_minutes"]


def actions_for(viewer, visit: Visit) -> list[dict]:
    if not viewer.has_role("receptionist", "head") or unit_info(viewer.unit_id).kind != "county_center":
        return []
    today = local_today()
    out = []
    for slug, (label, states) in ACTIONS.items():
        if visit.state not in states:
            continue
        if slug in ("arrive",) and visit.day != today:
            continue
        out.append({"action": slug, "label": label})
    return out


def present(viewer, visit: Visit, *, with_events: bool = True) -> dict:
    window = db.session.get(Window, visit.window_id) if visit.window_id else None
    room = db.session.get(HallRoom, visit.room_id) if visit.room_id else None
    category = db.session.get(Category, visit.category_id) if visit.category_id else None
    locality = unit_info(visit.locality_unit_id) if visit.locality_unit_id else None
    position, wait = queue_position(visit)
    petition_number = None
    if visit.petition_id:
        petition_number = db.session.scalar(select(Petition.number).where(Petition.id == visit.petition_id))
    detail = json.loads(visit.outcome_detail or "{}")
    body = {
        "id": visit.id, "version": visit.version, "day": visit.day, "ticket": visit_ticket(visit),
        "ticket_no": visit.ticket_no, "state": visit.state, "state_label": VISIT_STATES[visit.state],
        "booked": visit.booked, "booked_time": visit.booked_time, "booking_note": visit.booking_note,
        "queue_rank": visit.queue_rank, "priority_reason": visit.priority_reason,
        "priority_label": PRIORITY_REASONS.get(visit.priority_reason or "", ""), "priority_note": visit.priority_note,
        "head_count": visit.head_count, "is_collective": visit.is_collective,
        "purpose_kind": visit.purpose_kind, "purpose_label": PURPOSES.get(visit.purpose_kind, ""),
        "purpose": visit.purpose, "demands": visit.demands,
        "category": {"id": category.id, "name": category.name} if category else None,
        "locality": {"id": locality.id, "name": locality.name} if locality else None,
        "complexity": visit.complexity, "complexity_label": COMPLEXITIES.get(visit.complexity or "", ""),
        "route_to": visit.route_to, "route_label": ROUTES.get(visit.route_to or "", ""), "is_joint": visit.is_joint,
        "id_checked": visit.id_checked,
        "window": {"id": window.id, "number": window.number, "name": window.name} if window else None,
        "room": {"id": room.id, "name": room.name} if room else None,
        "reception_day_id": visit.reception_day_id,
        "queue_position": position, "estimated_wait_minutes": wait,
        "checked_in_at": visit.checked_in_at, "called_at": visit.called_at, "call_count": visit.call_count,
        "interview_started_at": visit.interview_started_at, "interview_ended_at": visit.interview_ended_at,
        "left_at": visit.left_at, "wait_minutes": _minutes(visit.checked_in_at, visit.called_at),
        "interview_minutes": _minutes(visit.interview_started_at, visit.interview_ended_at),
        "interviewer_name": visit.interviewer_name,
        "interview_who": visit.interview_who, "interview_said": visit.interview_said,
        "interview_agreed": visit.interview_agreed,
        "outcome": visit.outcome, "outcome_label": OUTCOMES.get(visit.outcome or "", ""), "outcome_detail": detail,
        "petition": {"id": visit.petition_id, "number": petition_number} if visit.petition_id else None,
        "flagged_digest": visit.flagged_digest,
        "people": people([visit.id]).get(visit.id, []),
        "registered_by_name": visit.registered_by_name,
        "actions": actions_for(viewer, visit),
    }
    if with_events:
        body["events"] = [{"kind": e.kind, "kind_label": EVENT_LABELS.get(e.kind, e.kind),
                           "from_state": e.from_state, "to_state": e.to_state,
                           "actor_name": e.actor_name, "occurred_at": e.occurred_at, "note": e.note,
                           "payload": json.loads(e.payload or "{}")}
                          for e in db.session.scalars(select(VisitEvent).where(VisitEvent.visit_id == visit.id)
                                                      .order_by(VisitEvent.id))]
    return body


def _row(visit: Visit, names: dict, windows: dict) -> dict:
    window = windows.get(visit.window_id)
    return {"id": visit.id, "version": visit.version, "ticket": visit_ticket(visit), "state": visit.state,
            "state_label": VISIT_STATES[visit.state], "booked": visit.booked, "booked_time": visit.booked_time,
            "priority_label": PRIORITY_REASONS.get(visit.priority_reason or "", ""),
            "head_count": visit.head_count, "is_collective": visit.is_collective,
            "purpose": visit.purpose[:80], "route_label": ROUTES.get(visit.route_to or "", ""),
            "window": {"id": window.id, "number": window.number, "name": window.name} if window else None,
            "checked_in_at": visit.checked_in_at, "called_at": visit.called_at,
            "checked_in_local": to_local(visit.checked_in_at).strftime("%H:%M") if visit.checked_in_at else "",
            "outcome_label": OUTCOMES.get(visit.outcome or "", ""), "day": visit.day,
            "people": [p["name"] for p in names.get(visit.id, [])]}


def window_map(county_id: int) -> dict[int, Window]:
    return {w.id: w for w in db.session.scalars(select(Window).where(Window.unit_id == county_id)
                                                .order_by(Window.number))}


_ROW_COLUMNS = ("id", "version", "day", "ticket_no", "state", "booked", "booked_time", "priority_reason",
                "head_count", "is_collective", "purpose", "route_to", "window_id", "checked_in_at", "called_at",
                "outcome")
_VISIT_ORDER = (Visit.queue_rank, Visit.checked_in_at, Visit.booked_time, Visit.id)


def _visit_query(county_id: int, day: date, states=None, window_id: int | None = None, booked: bool | None = None):
    """Visits of a day as `_row` shows them, with their people's names as one JSON array (read through the same
    tenant criteria): a column select, one statement however many rows."""
    names, decode = json_rows({"name": VisitPerson.name, "position": VisitPerson.position},
                              VisitPerson.visit_id == Visit.id)
    query = (select(*(getattr(Visit, c) for c in _ROW_COLUMNS), names.label("people"))
             .where(Visit.unit_id == county_id, Visit.day == day))
    if states:
        query = query.where(Visit.state.in_(list(states)))
    if window_id is not None:
        query = query.where(Visit.window_id == window_id)
    if booked is not None:
        query = query.where(Visit.booked.is_(booked))
    return query.order_by(*_VISIT_ORDER), decode


def _visits_as_rows(found, decode) -> tuple[list, dict]:
    visits, names = [], {}
    for row in found:
        visits.append(SimpleNamespace(**{c: getattr(row, c) for c in _ROW_COLUMNS}))
        names[row.id] = [{"name": p["name"]} for p in sorted(decode(row.people), key=lambda p: p["position"])]
    return visits, names


def window_names(county_id: int) -> dict[int, SimpleNamespace]:
    """The hall's windows as the lists name them (id, number, name, active), once per request, as columns."""
    cache = g.setdefault("_hall_window_names", {}) if has_request_context() else {}
    if county_id not in cache:
        cache[county_id] = {r.id: r for r in db.session.execute(
            select(Window.id, Window.number, Window.name, Window.is_active).where(Window.unit_id == county_id)
            .order_by(Window.number))}
    return cache[county_id]


def visit_rows(county_id: int, *, day: date, states=None, window_id: int | None = None,
               booked: bool | None = None) -> list[dict]:
    query, decode = _visit_query(county_id, day, states, window_id, booked)
    visits, names = _visits_as_rows(db.session.execute(query.limit(1000)), decode)
    windows = window_names(county_id)
    return [_row(v, names, windows) for v in visits]


def window_desk(viewer, window: Window, day: date | None = None) -> dict:
    """A window clerk's screen: the ticket at the window now, the queue in calling order, today's done. One read
    of the window's visits of the day with their people's names (a clerk's screen polls, so it stays cheap)."""
    day = day or local_today()
    listed, decode = json_rows({"name": VisitPerson.name, "position": VisitPerson.position},
                               VisitPerson.visit_id == Visit.id)
    found = db.session.execute(select(Visit, listed.label("people")).where(
        Visit.unit_id == window.unit_id, Visit.day == day, Visit.window_id == window.id)
        .order_by(Visit.queue_rank, Visit.checked_in_at, Visit.id)).all()
    visits = [row[0] for row in found]
    # The people's names with the visits, in the same statement (ordered here: SQLite's aggregate keeps no order).
    names = {row[0].id: [{"name": p["name"]} for p in sorted(decode(row.people), key=lambda p: p["position"])]
             for row in found}
    windows = {window.id: window}
    serving = sorted((v for v in visits if v.state in ("called", "interviewing")), key=lambda v: v.called_at)
    # A window may have several clerks: each sees the ticket they called; the others are listed.
    current = next((v for v in serving if v.interviewer_id == viewer.id), None)
    settings, _ = hall_settings(window.unit_id)
    queue = []
    for position, visit in enumerate((v for v in visits if v.state == "waiting"), start=1):
        row = _row(visit, names, windows)
        row["position"] = position
        row["estimated_wait_minutes"] = (position - 1 + (1 if current else 0)) * settings["interview_minutes"]
        queue.append(row)
    done = [_row(v, names, windows) for v in visits if v.state in ("done", "left", "no_show")]
    return {"window": {"id": window.id, "number": window.number, "name": window.name},
            "day": day, "current": present(viewer, current) if current else None, "queue": queue, "done": done,
            "others": [_row(v, names, windows) | {"interviewer_name": v.interviewer_name}
                       for v in serving if v is not current]}


def hall_today(county_id: int, day: date | None = None) -> dict:
    """The registration desk's overview: each window's queue length and ticket at the window, today's bookings
    still to arrive, and the tickets still open. Two statements: the windows with their counts, and the day's
    bookings and open tickets together (split here; the ticket at each window is among the open ones)."""
    day = day or local_today()

    def counted(states):
        return (select(func.count(Visit.id)).where(Visit.window_id == Window.id, Visit.unit_id == county_id,
                                                    Visit.day == day, Visit.state.in_(states)).scalar_subquery())

    windows = db.session.execute(
        select(Window.id, Window.number, Window.name, Window.is_active, counted(("waiting",)).label("waiting"),
               counted(("done", "left")).label("done"))
        .where(Window.unit_id == county_id).order_by(Window.number)).all()
    if has_request_context():
        g.setdefault("_hall_window_names", {})[county_id] = {w.id: w for w in windows}
    open_states = ("waiting", "called", "interviewing")
    query, decode = _visit_query(county_id, day, ("registered", *open_states))
    visits, names = _visits_as_rows(db.session.execute(query.limit(2000)), decode)
    names_of = {w.id: w for w in windows}
    serving = {}
    for visit in sorted((v for v in visits if v.state in ("called", "interviewing")), key=lambda v: v.id):
        serving[visit.window_id] = visit_ticket(visit)
    return {
        "day": day,
        "windows": [{"id": w.id, "number": w.number, "name": w.name, "waiting": w.waiting or 0,
                     "serving": serving.get(w.id), "done": w.done or 0} for w in windows if w.is_active],
        "bookings": [_row(v, names, names_of) for v in visits if v.state == "registered" and v.booked][:1000],
        "open": [_row(v, names, names_of) for v in visits if v.state in open_states][:1000],
    }


def bookings(county_id: int, *, since: date) -> list[dict]:
    """Bookings not yet kept, from a day on."""
    query = select(Visit).where(Visit.unit_id == county_id, Visit.booked.is_(True), Visit.state == "registered",
                                Visit.day >= since).order_by(Visit.day, Visit.booked_time, Visit.id).limit(500)
    visits = list(db.session.scalars(query))
    names = people([v.id for v in visits])
    windows = window_map(county_id)
    return [_row(v, names, windows) for v in visits]
