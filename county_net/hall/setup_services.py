"""The only writers of the hall's set-up: the network file's [hall] and window routing (called by sync_units
in its transaction), and the on-screen edits of a station, its rota and a window's routing (one service each:
role check, audit record, one commit). A later `flask tenants sync` writes the file's values over them."""
from __future__ import annotations

import json
from datetime import date

from sqlalchemy import select

from county_net.audit import services as audit
from county_net.core.errors import InvalidInput, RoleRequired
from county_net.extensions import db
from county_net.hall.models import STATION_MODES, HallRoom, HallStation, HallStationRota
from county_net.units.network_file import PHONE_RE, HallEntry, Network, NetworkFileError


# ---- sync from the network file ------------------------------------------------------------------------

def check_window_subjects(network: Network) -> None:
    """Category codes live in the database only (the category list), so a window's subjects are checked
    against it at sync, before anything is written, naming the window."""
    from county_net.petitions.models import Category

    wanted = {c for entry in network.windows for c in entry.subjects}
    if not wanted:
        return
    known = set(db.session.scalars(select(Category.code).where(Category.code.in_(wanted))))
    for entry in network.windows:
        missing = [c for c in entry.subjects if c not in known]
        if missing:
            raise NetworkFileError(f"windows[{entry.index}]（窗口 {entry.number}）：事项类别编码 "
                                   f"{'、'.join(missing)} 不存在（见“事项类别”管理页）")


def sync_window_routing(network: Network, windows_by_number: dict) -> list[int]:
    """Subjects (category codes), localities (township codes) and room of each window of the file; returns
    the numbers of the windows that changed."""
    changed = []
    for entry in network.windows:
        window = windows_by_number[entry.number]
        wanted = {"subjects": json.dumps(list(entry.subjects), ensure_ascii=False),
                  "localities": json.dumps(list(entry.localities), ensure_ascii=False),
                  "room_number": entry.room}
        diff = {k: v for k, v in wanted.items() if getattr(window, k) != v}
        for key, value in diff.items():
            setattr(window, key, value)
        if diff:
            changed.append(entry.number)
    return changed


def sync_hall(hall: HallEntry | None, owner_id: int, unit_ids: dict[str, int]) -> list[str]:
    """Rooms, stations and their rotas of one hall (owned by `owner_id`, the county center) as the file says;
    what the file no longer lists is deactivated (visits refer to rooms). No [hall] in the file: untouched.
    Returns what changed, in words."""
    if hall is None:
        return []
    changed: list[str] = []
    rooms = {r.number: r for r in db.session.scalars(select(HallRoom).where(HallRoom.unit_id == owner_id))}
    for entry in hall.rooms:
        room = rooms.pop(entry.number, None)
        if room is None:
            db.session.add(HallRoom(unit_id=owner_id, number=entry.number, kind=entry.kind, name=entry.name,
                                    is_active=True))
            changed.append(f"新增房间 {entry.number}")
            continue
        wanted = {"kind": entry.kind, "name": entry.name, "is_active": True}
        diff = {k: v for k, v in wanted.items() if getattr(room, k) != v}
        for key, value in diff.items():
            setattr(room, key, value)
        if diff:
            changed.append(f"更新房间 {entry.number}")
    for room in rooms.values():
        if room.is_active:
            room.is_active = False
            changed.append(f"停用房间 {room.number}")

    stations = {s.stationed_unit_id: s for s in
                db.session.scalars(select(HallStation).where(HallStation.unit_id == owner_id))}
    for entry in hall.stations:
        unit_id = unit_ids[entry.unit]
        station = stations.pop(unit_id, None)
        wanted = {"mode": entry.mode, "contact_person": entry.contact_person, "contact_phone": entry.contact_phone,
                  "response_minutes": entry.response_minutes, "is_active": True}
        if station is None:
            station = HallStation(unit_id=owner_id, stationed_unit_id=unit_id, **wanted)
            db.session.add(station)
            db.session.flush()
            changed.append(f"新增驻厅单位 {entry.unit}")
        else:
            diff = {k: v for k, v in wanted.items() if getattr(station, k) != v}
            for key, value in diff.items():
                setattr(station, key, value)
            if diff:
                changed.append(f"更新驻厅单位 {entry.unit}")
        if _replace_rota(station, [(r.starts_on, r.ends_on, r.staff) for r in entry.rota]):
            changed.append(f"更新轮驻安排 {entry.unit}")
    codes = {unit_id: code for code, unit_id in unit_ids.items()}
    for station in stations.values():
        if station.is_active:
            station.is_active = False
            changed.append(f"停用驻厅单位 {codes.get(station.stationed_unit_id, station.stationed_unit_id)}")
    return changed


def _rota_rows(station_id: int) -> list[HallStationRota]:
    return list(db.session.scalars(select(HallStationRota).where(HallStationRota.station_id == station_id)
                                   .order_by(HallStationRota.starts_on, HallStationRota.id)))


def _replace_rota(station: HallStation, spans: list[tuple[date, date, str]]) -> bool:
    """The rows are replaced as a whole when the file's spans differ from them."""
    rows = _rota_rows(station.id)
    if [(r.starts_on, r.ends_on, r.staff) for r in rows] == sorted(spans):
        return False
    for row in rows:
        db.session.delete(row)
    for starts_on, ends_on, staff in sorted(spans):
        db.session.add(HallStationRota(unit_id=station.unit_id, station_id=station.id, starts_on=starts_on,
                                       ends_on=ends_on, staff=staff))
    return True


# ---- edits on screen --------------------------------------------------------------------------------------

def may_edit(actor) -> bool:
    """The county center's head, or the administrator."""
    return actor.has_role("admin") or (actor.has_role("head") and actor.unit.kind == "county_center")


def require_editor(actor) -> None:
    if not may_edit(actor):
        raise RoleRequired("只有县信访局一把手或系统管理员可以修改大厅设置")


def _station_label(station: HallStation) -> str:
    from county_net.units.directory import unit_info

    return unit_info(station.stationed_unit_id).name


def update_station(actor, station: HallStation, *, mode: str, contact_person: str | None = None,
                   contact_phone: str | None = None, response_minutes: int | None = None) -> HallStation:
    """入驻方式、联系人、联系电话、到达时限 of one station."""
    require_editor(actor)
    contact_person = (contact_person or "").strip() or None
    contact_phone = (contact_phone or "").strip() or None
    errors: dict[str, list[str]] = {}
    if mode not in STATION_MODES:
        errors["mode"] = [f"入驻方式应为 {'、'.join(STATION_MODES.values())} 之一"]
    if contact_person is not None and len(contact_person) > 30:
        errors["contact_person"] = ["联系人不超过 30 字"]
    if contact_phone is not None and not PHONE_RE.match(contact_phone):
        errors["contact_phone"] = ["联系电话只能含数字、空格、括号、+、- 和“转”"]
    if response_minutes is not None and not 1 <= response_minutes <= 1440:
        errors["response_minutes"] = ["到达时限应为 1–1440 分钟"]
    if mode == "on_call":
        if response_minutes is None:
            errors.setdefault("response_minutes", ["随叫随驻须填写到达时限（分钟）"])
        if contact_phone is None:
            errors.setdefault("contact_phone", ["随叫随驻须填写联系电话"])
    if mode == "rotating" and not _rota_rows(station.id):
        errors["mode"] = ["阶段轮驻须先有轮驻安排（至少一段）"]
    if errors:
        raise InvalidInput(fields=errors)
    before = {"mode": station.mode, "contact_person": station.contact_person,
              "contact_phone": station.contact_phone, "response_minutes": station.response_minutes}
    after = {"mode": mode, "contact_person": contact_person, "contact_phone": contact_phone,
             "response_minutes": response_minutes}
    for key, value in after.items():
        setattr(station, key, value)
    audit.record("hall.station_updated", actor=actor, target_type="hall_station", target_id=station.id,
                 detail={"unit": _station_label(station), "before": before, "after": after})
    db.session.commit()
    return station


def add_rota(actor, station: HallStation, *, starts_on: date, ends_on: date, staff: str = "") -> HallStationRota:
    """One more span of the station's rota; spans of one station never overlap."""
    require_editor(actor)
    staff = (staff or "").strip()
    errors: dict[str, list[str]] = {}
    if starts_on > ends_on:
        errors["ends_on"] = ["结束日期不能早于起始日期"]
    if len(staff) > 60:
        errors["staff"] = ["人员不超过 60 字"]
    if not errors:
        for row in _rota_rows(station.id):
            if row.starts_on <= ends_on and starts_on <= row.ends_on:
                errors["starts_on"] = [f"与已有时段 {row.starts_on}–{row.ends_on} 重叠"]
                break
    if errors:
        raise InvalidInput(fields=errors)
    row = HallStationRota(unit_id=station.unit_id, station_id=station.id, starts_on=starts_on, ends_on=ends_on,
                          staff=staff)
    db.session.add(row)
    db.session.flush()
    audit.record("hall.rota_added", actor=actor, target_type="hall_station", target_id=station.id,
                 detail={"unit": _station_label(station), "from": starts_on, "to": ends_on, "staff": staff})
    db.session.commit()
    return row


def remove_rota(actor, station: HallStation, row: HallStationRota) -> None:
    require_editor(actor)
    if row.station_id != station.id:
        from county_net.core.errors import NotVisible

        raise NotVisible()
    if station.mode == "rotating" and len(_rota_rows(station.id)) == 1:
        raise InvalidInput(fields={"rota": ["阶段轮驻至少保留一段轮驻安排；先改入驻方式"]})
    detail = {"unit": _station_label(station), "from": row.starts_on, "to": row.ends_on, "staff": row.staff}
    db.session.delete(row)
    audit.record("hall.rota_removed", actor=actor, target_type="hall_station", target_id=station.id, detail=detail)
    db.session.commit()


def update_window_routing(actor, window, *, category_ids: list[int], township_ids: list[int]):
    """The subjects (categories) and localities (townships of the window's county) a window takes; empty
    lists mean any. Stored as codes, as the network file writes them."""
    from county_net.petitions.models import Category
    from county_net.units.models import Unit

    require_editor(actor)
    errors: dict[str, list[str]] = {}
    categories = {c.id: c.code for c in db.session.scalars(
        select(Category).where(Category.id.in_(category_ids or [0]), Category.is_active.is_(True)))}
    unknown = [i for i in category_ids if i not in categories]
    if unknown:
        errors["category_ids"] = [f"事项类别 {', '.join(map(str, unknown))} 不存在或已停用"]
    townships = {u.id: u.code for u in db.session.scalars(
        select(Unit).where(Unit.id.in_(township_ids or [0]), Unit.parent_id == window.unit_id,
                           Unit.kind == "township", Unit.is_active.is_(True)))}
    unknown = [i for i in township_ids if i not in townships]
    if unknown:
        errors["township_ids"] = [f"单位 {', '.join(map(str, unknown))} 不是本县的乡镇（街道）"]
    if errors:
        raise InvalidInput(fields=errors)
    before = {"subjects": json.loads(window.subjects or "[]"), "localities": json.loads(window.localities or "[]")}
    subjects = list(dict.fromkeys(categories[i] for i in category_ids))
    localities = list(dict.fromkeys(townships[i] for i in township_ids))
    window.subjects = json.dumps(subjects, ensure_ascii=False)
    window.localities = json.dumps(localities, ensure_ascii=False)
    audit.record("hall.window_routing_updated", actor=actor, target_type="window", target_id=window.id,
                 detail={"number": window.number, "before": before,
                         "after": {"subjects": subjects, "localities": localities}})
    db.session.commit()
    return window
