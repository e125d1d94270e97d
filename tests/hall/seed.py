"""One row of each hall set-up model for a unit (a county center, or any unit the sweeps pick as a sibling's),
written through the same sync the network file uses."""
from __future__ import annotations

from datetime import date

import sqlalchemy as sa

from county_net.extensions import db


def seed_setup(app, county_unit_id: int, window: bool = True) -> dict:
    """A room (9), a rotating station of the unit itself with one rota span, and (when asked) a window 901
    taking category 01 from any township. Returns {"room_id", "station_id", "rota_id", "window_id"}."""
    from county_net.hall.models import HallRoom, HallStation, HallStationRota
    from county_net.hall.services import sync_hall
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
