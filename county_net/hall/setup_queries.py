"""Read-only: the hall as data — its rooms, windows with what they take, the stationed units and their rotas
(who is in the hall today). Windows store category and township codes, as the network file writes them;
these functions turn them into ids and names. Scoped reads: the caller's scope (or a system scope) decides."""
from __future__ import annotations

import json
from datetime import date

from sqlalchemy import select

from county_net.core.errors import RoleRequired
from county_net.core.timeutil import local_today
from county_net.extensions import db
from county_net.hall.models import ROOM_KINDS, STATION_MODES, HallRoom, HallStation, HallStationRota
from county_net.units.directory import county_directory, unit_info
from county_net.units.models import Window


def may_view(user) -> bool:
    """The county center's users and the administrator see the set-up."""
    return user.has_role("admin") or unit_info(user.unit_id).kind == "county_center"


def require_viewer(user) -> None:
    if not may_view(user):
        raise RoleRequired("大厅设置仅供县信访局和系统管理员查看")


def county_of(user) -> int:
    return unit_info(user.unit_id).county_id


def get_station(station_id: int) -> HallStation:
    return db.one_or_404(select(HallStation).where(HallStation.id == station_id))


def get_rota(rota_id: int) -> HallStationRota:
    return db.one_or_404(select(HallStationRota).where(HallStationRota.id == rota_id))


def get_window(window_id: int) -> Window:
    return db.one_or_404(select(Window).where(Window.id == window_id, Window.is_active.is_(True)))


def _codes(raw: str | None) -> list[str]:
    try:
        values = json.loads(raw or "[]")
    except ValueError:
        return []
    return [v for v in values if isinstance(v, str)] if isinstance(values, list) else []


def active_categories():
    from county_net.petitions.queries import categories

    return categories()


def _categories() -> dict[str, tuple[int, str]]:
    from county_net.petitions.models import Category

    return {c.code: (c.id, c.name) for c in db.session.scalars(select(Category))}


def _townships(county_unit_id: int) -> dict[str, tuple[int, str]]:
    return {u.code: (u.id, u.short_name) for u in county_directory(county_unit_id)
            if u.kind == "township" and u.parent_id == county_unit_id}


def _windows(county_unit_id: int, categories: dict, townships: dict) -> list[dict]:
    rows = db.session.scalars(select(Window).where(Window.unit_id == county_unit_id, Window.is_active.is_(True))
                              .order_by(Window.number))
    windows = []
    for w in rows:
        subjects = [categories[c] for c in _codes(w.subjects) if c in categories]
        localities = [townships[c] for c in _codes(w.localities) if c in townships]
        windows.append({"id": w.id, "number": w.number, "name": w.name, "room_number": w.room_number,
                        "subjects": {i for i, _ in subjects}, "localities": {i for i, _ in localities},
                        "subject_names": [n for _, n in subjects], "locality_names": [n for _, n in localities],
                        "stationed_unit_ids": [s.stationed_unit_id for s in w.stations]})
    return windows


def windows_for(county_unit_id: int) -> list[dict]:
    """The county's open windows for triage: id, number, name, subjects (category ids), localities (township
    unit ids), stationed_unit_ids, room_number. Empty subjects or localities mean the window takes any."""
    keep = ("id", "number", "name", "subjects", "localities", "stationed_unit_ids", "room_number")
    return [{k: w[k] for k in keep} for w in _windows(county_unit_id, _categories(), _townships(county_unit_id))]


def _span(row: HallStationRota, today: date) -> dict:
    when = "current" if row.starts_on <= today <= row.ends_on else ("upcoming" if row.starts_on > today else "past")
    return {"id": row.id, "starts_on": row.starts_on, "ends_on": row.ends_on, "staff": row.staff, "when": when}


def _in_hall_today(station: HallStation, spans: list[dict]) -> bool:
    """A rotating unit is in the hall on its spans' days; an on-call one only when called; the rest always."""
    if station.mode == "rotating":
        return any(s["when"] == "current" for s in spans)
    return station.mode != "on_call"


def hall_layout(county_unit_id: int, today: date | None = None) -> dict:
    """Everything the set-up page and GET /api/v1/hall/setup show, in plain values."""
    today = today or local_today()
    categories, townships = _categories(), _townships(county_unit_id)
    rooms = [{"id": r.id, "number": r.number, "kind": r.kind, "kind_label": ROOM_KINDS.get(r.kind, r.kind),
              "name": r.name}
             for r in db.session.scalars(select(HallRoom).where(HallRoom.unit_id == county_unit_id,
                                                                HallRoom.is_active.is_(True))
                                         .order_by(HallRoom.number))]
    windows = _windows(county_unit_id, categories, townships)
    window_of: dict[int, list[int]] = {}
    for w in windows:
        for unit_id in w["stationed_unit_ids"]:
            window_of.setdefault(unit_id, []).append(w["number"])
        w["stationed"] = [{"id": i, "name": _name(i)} for i in w["stationed_unit_ids"]]
        w["subject_ids"], w["locality_ids"] = sorted(w["subjects"]), sorted(w["localities"])
    stations = list(db.session.scalars(select(HallStation).where(HallStation.unit_id == county_unit_id,
                                                                 HallStation.is_active.is_(True))
                                       .order_by(HallStation.id)))
    spans: dict[int, list[dict]] = {}
    if stations:
        for row in db.session.scalars(select(HallStationRota)
                                      .where(HallStationRota.station_id.in_([s.id for s in stations]))
                                      .order_by(HallStationRota.starts_on, HallStationRota.id)):
            spans.setdefault(row.station_id, []).append(_span(row, today))
    presented = []
    for s in sorted(stations, key=lambda s: (min(window_of.get(s.stationed_unit_id, [1000])), s.id)):
        rota = spans.get(s.id, [])
        presented.append({
            "id": s.id, "unit_id": s.stationed_unit_id, "unit_name": _name(s.stationed_unit_id),
            "mode": s.mode, "mode_label": STATION_MODES.get(s.mode, s.mode), "contact_person": s.contact_person,
            "contact_phone": s.contact_phone, "response_minutes": s.response_minutes,
            "windows": window_of.get(s.stationed_unit_id, []), "rota": rota,
            "in_hall_today": _in_hall_today(s, rota),
            "today_staff": next((r["staff"] for r in rota if r["when"] == "current"), None)})
    return {"today": today, "rooms": rooms, "windows": windows, "stations": presented,
            "categories": [{"id": c.id, "code": c.code, "name": c.name} for c in active_categories()],
            "townships": [{"id": i, "code": c, "name": n} for c, (i, n) in townships.items()]}


def _name(unit_id: int) -> str:
    info = unit_info(unit_id)
    return info.short_name if info else str(unit_id)
