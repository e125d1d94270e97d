"""The hall's public display board (显示屏) and the public rota: read-only queries.

The board is polled by every TV in the hall every couple of seconds, so one poll is two statements: the
active windows of the hall with the tickets being served and a correlated count of those waiting (both on
ix_hall_visits_queue), and the published leaders' sessions from today on. The county is found by its code in
a per-process map of county centers, so the lookup costs nothing on a poll. What leaves here is public by
design: ticket labels, window numbers and names, counts, and the published rota. Never a person, a phone, an
ID or what a visit is about."""
from __future__ import annotations

import json
import threading
import time
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import lru_cache

from flask import current_app
from sqlalchemy import and_, bindparam, func, select
from sqlalchemy.orm import aliased

from county_net.core.models import utcnow
from county_net.core.timeutil import cn_date, local_today, to_local
from county_net.extensions import db
from county_net.hall.labels import ticket_label
from county_net.hall.models import RECEPTION_FORMS, ReceptionDay, Visit
from county_net.hall.settings import HallSettings
from county_net.tenancy import system_scope
from county_net.units.models import Unit, Window

SERVING_STATES = ("called", "interviewing")
CALLING_SECONDS = 30  # a ticket called this recently is shown as "now calling"
ROTA_DAYS = 14  # the board shows the published rota this far ahead
# The map of county centers is read again after this long (a renamed hall, a changed poll interval), and at
# most this often when an unknown code is asked for (a county added since; a stranger's guesses cost little).
COUNTIES_TTL, COUNTIES_MISS_SECONDS = 300.0, 10.0
_EXTENSION = "hall_board_counties"
_lock = threading.Lock()
WEEKDAYS = ("星期一", "星期二", "星期三", "星期四", "星期五", "星期六", "星期日")


@dataclass(frozen=True)
class BoardCounty:
    id: int
    code: str
    name: str
    settings: HallSettings

    @property
    def hall_name(self) -> str:
        return self.settings["hall_name"] or self.name

    @property
    def poll_seconds(self) -> int:
        return self.settings["board_poll_seconds"]


def _load_counties() -> dict[str, BoardCounty]:
    with system_scope("hall board: county centers"):
        rows = db.session.execute(select(Unit.id, Unit.code, Unit.name, Unit.settings)
                                  .where(Unit.kind == "county_center", Unit.is_active.is_(True))).all()
    out = {}
    for unit_id, code, name, raw in rows:
        try:
            hall = (json.loads(raw or "{}") or {}).get("hall") or {}
        except ValueError:
            hall = {}
        out[code] = BoardCounty(unit_id, code, name, HallSettings(hall if isinstance(hall, dict) else {}))
    return out


def county_by_code(code: str) -> BoardCounty | None:
    """The county center whose code this is, from the per-process map (read again when stale or on a miss,
    the latter at most every COUNTIES_MISS_SECONDS)."""
    store = current_app.extensions.setdefault(_EXTENSION, {"counties": {}, "loaded": float("-inf")})
    now = time.monotonic()
    found, loaded = store["counties"].get(code), store["loaded"]
    if (found is None and now - loaded >= COUNTIES_MISS_SECONDS) or now - loaded >= COUNTIES_TTL:
        with _lock:
            if store["loaded"] == loaded:  # nobody reloaded while we waited
                store["counties"] = _load_counties()
                store["loaded"] = time.monotonic()
        found = store["counties"].get(code)
    return found


def forget_counties(app) -> None:
    """Drop the map (tests that rebuild the network; a network file applied in this process)."""
    app.extensions.pop(_EXTENSION, None)


@lru_cache(maxsize=1)
def _windows_statement():
    """Statement 1, built once (a poll only binds its values): every active window of the hall, its serving
    tickets (outer join, newest call first) and how many wait (a correlated count), both on ix_hall_visits_queue."""
    serving = aliased(Visit, name="serving")
    queued = aliased(Visit, name="queued")
    county, day = bindparam("county"), bindparam("day")
    waiting = (select(func.count(queued.id))
               .where(queued.unit_id == county, queued.day == day, queued.window_id == Window.id,
                      queued.state == "waiting")
               .correlate(Window).scalar_subquery())
    return (select(Window.id, Window.number, Window.name, serving.ticket_no, serving.booked, serving.state,
                   serving.called_at, waiting.label("waiting"))
            .outerjoin(serving, and_(serving.unit_id == county, serving.day == day,
                                     serving.window_id == Window.id, serving.state.in_(SERVING_STATES)))
            .where(Window.unit_id == county, Window.is_active.is_(True))
            .order_by(Window.number, serving.called_at.desc(), serving.id.desc()))


_SESSION_COLUMNS = (ReceptionDay.day, ReceptionDay.starts, ReceptionDay.ends, ReceptionDay.form, ReceptionDay.place,
                    ReceptionDay.topic, ReceptionDay.leader_name, ReceptionDay.leader_post,
                    ReceptionDay.leader_portfolio, ReceptionDay.state)


@lru_cache(maxsize=1)
def _sessions_statement():
    """Statement 2, built once: the county center's published sessions from `first` (today) to `last`; held ones
    only today, so the board still shows who received this morning."""
    first = bindparam("first")
    return (select(*_SESSION_COLUMNS)
            .where(ReceptionDay.unit_id == bindparam("county"), ReceptionDay.published_at.is_not(None),
                   ReceptionDay.day >= first, ReceptionDay.day <= bindparam("last"),
                   (ReceptionDay.state == "published") | ((ReceptionDay.state == "held") & (ReceptionDay.day == first)))
            .order_by(ReceptionDay.day, ReceptionDay.starts, ReceptionDay.id))


def _session(row) -> dict:
    return {"day": row.day.isoformat(), "starts": row.starts, "ends": row.ends, "form": row.form,
            "form_label": RECEPTION_FORMS.get(row.form, row.form), "place": row.place, "topic": row.topic,
            "leader_name": row.leader_name, "leader_post": row.leader_post,
            "leader_portfolio": row.leader_portfolio, "held": row.state == "held"}


def board_state(county: BoardCounty, now: datetime | None = None) -> dict:
    """Everything the board shows, as plain values (the page and its JSON poll share it). Two statements."""
    now = now or utcnow()
    day = to_local(now).date()
    with system_scope("hall board"):
        rows = db.session.execute(_windows_statement(), {"county": county.id, "day": day}).all()
        sessions = db.session.execute(_sessions_statement(), {"county": county.id, "first": day,
                                                              "last": day + timedelta(days=ROTA_DAYS)}).all()
        db.session.rollback()  # read only: end the transaction (and on PostgreSQL the published scope) here
    windows, by_id, calling = [], {}, []
    for row in rows:
        window = by_id.get(row.id)
        if window is None:
            window = by_id[row.id] = {"number": row.number, "name": row.name, "serving": [], "waiting": row.waiting}
            windows.append(window)
        if row.ticket_no is None and row.state is None:
            continue
        label = ticket_label(day, row.ticket_no, row.booked)
        is_calling = (row.state == "called" and row.called_at is not None
                      and (now - row.called_at).total_seconds() <= CALLING_SECONDS)
        window["serving"].append({"ticket": label, "state": row.state, "calling": is_calling})
        if is_calling:
            calling.append({"ticket": label, "window": row.number, "window_name": row.name})
    today = [_session(r) for r in sessions if r.day == day]
    upcoming = [_session(r) for r in sessions if r.day > day]
    local = to_local(now)
    return {"county": county.code, "hall": county.hall_name, "day": day.isoformat(),
            "day_label": f"{cn_date(day)} {WEEKDAYS[day.weekday()]}",
            "now": local.isoformat(timespec="seconds"), "poll_seconds": county.poll_seconds,
            "windows": windows, "waiting_total": sum(w["waiting"] for w in windows), "calling": calling,
            "leaders_today": today, "rota": upcoming}


def public_rota(county: BoardCounty, today: date | None = None) -> list[dict]:
    """The published leaders' sessions of the county center from today on (the public rota page)."""
    today = today or local_today()
    with system_scope("public rota"):
        rows = db.session.execute(
            select(*_SESSION_COLUMNS)
            .where(ReceptionDay.unit_id == county.id, ReceptionDay.state == "published",
                   ReceptionDay.published_at.is_not(None), ReceptionDay.day >= today)
            .order_by(ReceptionDay.day, ReceptionDay.starts, ReceptionDay.id)).all()
        db.session.rollback()
    return [_session(r) for r in rows]


def window_queue(county_unit_id: int, window_id: int, day: date):
    """The visits waiting at a window in the order they are called: put first, booked, walk-ins (queue_rank),
    then by arrival. Runs under the caller's scope (the desk's user); one statement on ix_hall_visits_queue."""
    return db.session.scalars(
        select(Visit).where(Visit.unit_id == county_unit_id, Visit.day == day, Visit.window_id == window_id,
                            Visit.state == "waiting")
        .order_by(Visit.queue_rank, Visit.checked_in_at, Visit.id)).all()
