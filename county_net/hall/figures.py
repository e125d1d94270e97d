"""The hall's day in figures (domain-practice §3.4), read with a few grouped queries.

What counts:
* 批次 — visits of the day that arrived: a ticket was issued (`checked_in_at` set), whatever came after,
  a called ticket that never came to the window included. 人次 — the sum of their `head_count`.
* booked / walk-in and collective — the same, split by `booked` and `is_collective`.
* outcomes (the six OUTCOMES) and routing (ROUTES, plus visits routed jointly) — 批次 of arrived visits.
* wait — `called_at − checked_in_at`; interview — `interview_ended_at − interview_started_at`, in minutes,
  averaged and the longest, over the visits that have both times.
* per window — by the window the visit was queued at; per stationed unit — visits at the windows where the
  unit is stationed (a window shared by two units counts for each).
* no-shows — visits of the day in state `no_show` (a called ticket that did not come, a booking not kept);
  bookings not kept — booked visits without a ticket.
* open at closing — tickets still waiting, called or interviewing, listed one by one."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time

from sqlalchemy import and_, case, extract, func, select

from county_net.extensions import db
from county_net.hall.labels import ticket_label
from county_net.hall.models import OUTCOMES, ROUTES, VISIT_STATES, Visit
from county_net.units.directory import unit_info
from county_net.units.models import Window, WindowStation

OPEN_AT_CLOSING = ("waiting", "called", "interviewing")


@dataclass
class Block:
    """The figures of one group of visits (the hall, a window, a stationed unit)."""

    batches: int = 0
    people: int = 0
    booked_batches: int = 0
    booked_people: int = 0
    walk_in_batches: int = 0
    walk_in_people: int = 0
    collective_batches: int = 0
    collective_people: int = 0
    outcomes: dict = field(default_factory=lambda: {k: 0 for k in OUTCOMES})
    routes: dict = field(default_factory=lambda: {k: 0 for k in ROUTES})
    joint: int = 0
    wait_avg: float | None = None
    wait_max: float | None = None
    interview_avg: float | None = None
    interview_max: float | None = None
    no_shows: int = 0
    bookings_not_kept: int = 0
    open_at_closing: int = 0

    def as_dict(self) -> dict:
        return {name: getattr(self, name) for name in self.__dataclass_fields__}


@dataclass
class OpenTicket:
    ticket_no: int | None
    ticket: str
    window_id: int | None
    window_label: str
    state: str
    state_label: str
    checked_in_at: datetime | None


@dataclass
class DayFigures:
    county_unit_id: int
    hall_name: str
    day: date
    closing: time | None
    hall: Block
    windows: list[tuple[dict, Block]]  # ({id, number, name, label}, figures); id None: not queued at a window
    units: list[tuple[dict, Block]]  # ({id, name}, figures)
    open_tickets: list[OpenTicket]


def _minutes(later, earlier):
    """Minutes between two stored times, in the database (no row comes back to Python to be subtracted)."""
    if db.session.get_bind().dialect.name == "postgresql":
        return extract("epoch", later - earlier) / 60.0
    return (func.julianday(later) - func.julianday(earlier)) * 1440.0  # SQLite stores naive UTC text


def _count(condition):
    return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)


def _people(condition):
    return func.coalesce(func.sum(case((condition, Visit.head_count), else_=0)), 0)


def _columns() -> list:
    arrived = Visit.checked_in_at.is_not(None)
    wait = case((and_(arrived, Visit.called_at.is_not(None)), _minutes(Visit.called_at, Visit.checked_in_at)))
    talk = case((and_(Visit.interview_started_at.is_not(None), Visit.interview_ended_at.is_not(None)),
                 _minutes(Visit.interview_ended_at, Visit.interview_started_at)))
    columns = [
        _count(arrived).label("batches"), _people(arrived).label("people"),
        _count(and_(arrived, Visit.booked.is_(True))).label("booked_batches"),
        _people(and_(arrived, Visit.booked.is_(True))).label("booked_people"),
        _count(and_(arrived, Visit.booked.is_(False))).label("walk_in_batches"),
        _people(and_(arrived, Visit.booked.is_(False))).label("walk_in_people"),
        _count(and_(arrived, Visit.is_collective.is_(True))).label("collective_batches"),
        _people(and_(arrived, Visit.is_collective.is_(True))).label("collective_people"),
        _count(and_(arrived, Visit.is_joint.is_(True))).label("joint"),
        func.avg(wait).label("wait_avg"), func.max(wait).label("wait_max"),
        func.avg(talk).label("interview_avg"), func.max(talk).label("interview_max"),
        _count(Visit.state == "no_show").label("no_shows"),
        _count(and_(Visit.booked.is_(True), Visit.checked_in_at.is_(None))).label("bookings_not_kept"),
        _count(Visit.state.in_(OPEN_AT_CLOSING)).label("open_at_closing"),
    ]
    columns += [_count(and_(arrived, Visit.outcome == code)).label(f"outcome_{code}") for code in OUTCOMES]
    columns += [_count(and_(arrived, Visit.route_to == code)).label(f"route_{code}") for code in ROUTES]
    return columns


def _round(value) -> float | None:
    return None if value is None else round(float(value), 1)


def _block(row) -> Block:
    block = Block()
    if row is None:
        return block
    data = row._mapping
    for name in ("batches", "people", "booked_batches", "booked_people", "walk_in_batches", "walk_in_people",
                 "collective_batches", "collective_people", "joint", "no_shows", "bookings_not_kept",
                 "open_at_closing"):
        setattr(block, name, int(data[name] or 0))
    for name in ("wait_avg", "wait_max", "interview_avg", "interview_max"):
        setattr(block, name, _round(data[name]))
    block.outcomes = {code: int(data[f"outcome_{code}"] or 0) for code in OUTCOMES}
    block.routes = {code: int(data[f"route_{code}"] or 0) for code in ROUTES}
    return block


def _of_day(statement, county_unit_id: int, day: date):
    return statement.where(Visit.unit_id == county_unit_id, Visit.day == day)


def window_label(number: int | None, name: str | None) -> str:
    return f"{number}号窗口（{name}）" if number is not None else "未分到窗口"


def day_figures(county_unit_id: int, day: date) -> DayFigures:
    """The hall's figures for one day. Reads under the caller's scope: visits are the county center's rows."""
    from county_net.deadlines.hall import closing_time
    from county_net.hall.settings import hall_settings

    columns = _columns()
    hall = _block(db.session.execute(_of_day(select(*columns), county_unit_id, day)).first())
    by_window = {row.window_id: _block(row) for row in db.session.execute(
        _of_day(select(Visit.window_id, *columns), county_unit_id, day).group_by(Visit.window_id))}
    by_unit = {row.stationed_unit_id: _block(row) for row in db.session.execute(
        _of_day(select(WindowStation.stationed_unit_id, *columns)
                .join(WindowStation, WindowStation.window_id == Visit.window_id), county_unit_id, day)
        .group_by(WindowStation.stationed_unit_id))}

    windows = {w.id: w for w in db.session.execute(
        select(Window.id, Window.number, Window.name, Window.is_active).where(Window.unit_id == county_unit_id))}
    window_rows = []
    for w in sorted(windows.values(), key=lambda w: w.number):
        if w.is_active or w.id in by_window:
            window_rows.append(({"id": w.id, "number": w.number, "name": w.name,
                                 "label": window_label(w.number, w.name)}, by_window.get(w.id, Block())))
    if None in by_window:
        window_rows.append(({"id": None, "number": None, "name": "", "label": window_label(None, None)},
                            by_window[None]))

    stationed = {row.stationed_unit_id for row in db.session.execute(
        select(WindowStation.stationed_unit_id).join(Window, Window.id == WindowStation.window_id)
        .where(Window.unit_id == county_unit_id, Window.is_active.is_(True)))} | set(by_unit)
    unit_rows = []
    for unit_id in stationed:
        info = unit_info(unit_id)
        unit_rows.append(({"id": unit_id, "name": info.name if info else str(unit_id),
                           "path": info.path if info else ""}, by_unit.get(unit_id, Block())))
    unit_rows.sort(key=lambda item: item[0]["path"])

    open_rows = db.session.execute(_of_day(
        select(Visit.ticket_no, Visit.booked, Visit.window_id, Visit.state, Visit.checked_in_at)
        .where(Visit.state.in_(OPEN_AT_CLOSING)), county_unit_id, day)
        .order_by(Visit.ticket_no, Visit.id)).all()
    open_tickets = [OpenTicket(row.ticket_no, ticket_label(day, row.ticket_no, row.booked) or "—", row.window_id,
                               window_label(windows[row.window_id].number, windows[row.window_id].name)
                               if row.window_id in windows else window_label(None, None),
                               row.state, VISIT_STATES[row.state], row.checked_in_at) for row in open_rows]

    settings, county = hall_settings(county_unit_id)
    center = unit_info(county_unit_id)
    hall_name = settings["hall_name"] or f"{center.name if center else ''}联合接待中心"
    return DayFigures(county_unit_id=county_unit_id, hall_name=hall_name,
                      day=day, hall=hall,
                      closing=closing_time(day, settings["hours"], county.calendar(), settings.every_day),
                      windows=window_rows, units=unit_rows, open_tickets=open_tickets)


def as_json(figures: DayFigures) -> dict:
    return {
        "day": figures.day, "hall_name": figures.hall_name,
        "closing_time": figures.closing.strftime("%H:%M") if figures.closing else None,
        "hall": figures.hall.as_dict(),
        "windows": [{**meta, **block.as_dict()} for meta, block in figures.windows],
        "units": [{"unit_id": meta["id"], "name": meta["name"], **block.as_dict()} for meta, block in figures.units],
        "open_tickets": [{"ticket_no": t.ticket_no, "ticket": t.ticket, "window_id": t.window_id,
                          "window": t.window_label,
                          "state": t.state, "state_label": t.state_label, "checked_in_at": t.checked_in_at}
                         for t in figures.open_tickets],
    }
