"""Rows of the hall's tables for the tenancy sweeps: the set-up written through the same sync the network file
uses (`seed_setup`), and a row in every other hall table written directly (`seed_hall`); the course has its own
tests."""
from __future__ import annotations

from datetime import date, datetime, timezone

import sqlalchemy as sa

from county_net.extensions import db


def seed_setup(app, county_unit_id: int, window: bool = True) -> dict:
    """A room (9), a rotating station of the unit itself with one rota span, and (when asked) a window 901
    taking category 01 from any township. Returns {"room_id", "station_id", "rota_id", "window_id"}."""
    from county_net.hall.models import HallRoom, HallStation, HallStationRota
    from county_net.hall.setup_services import sync_hall
    from county_net.tenancy import system_scope
    from county_net.units.models import Unit, Window
    from county_net.units.network_file import HallEntry, RoomEntry, RotaEntry, StationEntry

    hall = HallEntry(rooms=(RoomEntry(0, 9, "waiting", "群众候访室"),),
                     stations=(StationEntry(0, "SELF", "rotating", "测试联系人", "0570-6600000", None,
                                            (RotaEntry(date(2026, 1, 1), date(2099, 12, 31), "测试人员"),)),))
    with app.app_context(), system_scope("test seed"):
        code = db.session.scalar(sa.select(Unit.code).where(Unit.id == county_unit_id))
        assert code is not None
        sync_hall(hall, county_unit_id, {"SELF": county_unit_id})
        ids = {"room_id": db.session.scalar(sa.select(HallRoom.id).where(HallRoom.unit_id == county_unit_id)),
               "station_id": db.session.scalar(sa.select(HallStation.id)
                                               .where(HallStation.unit_id == county_unit_id))}
        ids["rota_id"] = db.session.scalar(sa.select(HallStationRota.id)
                                           .where(HallStationRota.station_id == ids["station_id"]))
        ids["window_id"] = None
        if window:
            row = Window(unit_id=county_unit_id, number=901, name="测试分流窗口", subjects='["01"]', localities="[]")
            db.session.add(row)
            db.session.flush()
            ids["window_id"] = row.id
        db.session.commit()
        db.session.remove()
    return ids


def seed_hall(app, county_unit_id: int, reception_unit_id: int | None = None) -> dict:
    import sqlalchemy as sa

    from county_net.extensions import db
    from county_net.hall.models import (HallRoom, HallStation, HallStationRota, Incident, ReceptionDay,
                                        ReceptionItem, TicketCounter, Visit, VisitEvent, VisitPerson)
    from county_net.petitions.models import Petitioner
    from county_net.tenancy import system_scope
    from county_net.units.models import Window

    now = datetime.now(timezone.utc)
    today = date.today()
    with app.app_context(), system_scope("test seed"):
        window_id = db.session.scalar(sa.select(Window.id).where(Window.unit_id == county_unit_id).limit(1))
        room = HallRoom(unit_id=county_unit_id, number=1, kind="hearing", name="综合听证协调处置室")
        station = HallStation(unit_id=county_unit_id, stationed_unit_id=county_unit_id, mode="on_call",
                              contact_person="值班员", contact_phone="0571-1234567", response_minutes=30)
        db.session.add_all([room, station])
        db.session.flush()
        db.session.add(HallStationRota(unit_id=county_unit_id, station_id=station.id, starts_on=today,
                                       ends_on=today, staff="轮驻人员"))
        db.session.add(TicketCounter(unit_id=county_unit_id, day=today, last_no=1))
        person = Petitioner(unit_id=county_unit_id, name="大厅来访人")
        db.session.add(person)
        db.session.flush()
        visit = Visit(unit_id=county_unit_id, day=today, ticket_no=1, state="waiting", version=1,
                      purpose="大厅来访的问题", head_count=1, window_id=window_id, checked_in_at=now)
        db.session.add(visit)
        db.session.flush()
        db.session.add(VisitPerson(unit_id=county_unit_id, visit_id=visit.id, petitioner_id=person.id,
                                   name="大厅来访人"))
        db.session.add(VisitEvent(unit_id=county_unit_id, visit_id=visit.id, kind="check_in", to_state="waiting"))
        incident = Incident(unit_id=county_unit_id, day=today, visit_id=visit.id, kind="medical", occurred_at=now,
                            who="来访人", what="突发头晕", responders="medical")
        holder = reception_unit_id or county_unit_id
        session = ReceptionDay(unit_id=holder, day=today, form="fixed", leader_name="接访领导")
        db.session.add_all([incident, session])
        db.session.flush()
        item = ReceptionItem(unit_id=holder, reception_day_id=session.id, whom="来访人", problem="反映的问题")
        db.session.add(item)
        db.session.commit()
        ids = {"visit_id": visit.id, "window_id": window_id, "room_id": room.id, "station_id": station.id,
               "incident_id": incident.id, "reception_day_id": session.id, "reception_item_id": item.id}
        db.session.remove()
    return ids
