"""Test rows for the hall's incidents and figures, written straight with the ORM (the visit services are not
what these tests are about)."""
from __future__ import annotations

from datetime import date, datetime, timezone

from county_net.core.timeutil import COUNTY_TZ


def at(day: date, hm: str) -> datetime:
    """A local (Asia/Shanghai) clock time of `day`, as the UTC moment the database stores."""
    hours, minutes = (int(x) for x in hm.split(":"))
    return datetime(day.year, day.month, day.day, hours, minutes, tzinfo=COUNTY_TZ).astimezone(timezone.utc)


def make_visits(app, unit_id: int, rows: list[dict]) -> list[int]:
    from county_net.extensions import db
    from county_net.hall.models import Visit
    from county_net.tenancy import system_scope

    with app.app_context(), system_scope("test seed"):
        visits = [Visit(unit_id=unit_id, **row) for row in rows]
        db.session.add_all(visits)
        db.session.commit()
        ids = [v.id for v in visits]
        db.session.remove()
    return ids


def add_window(app, unit_id: int, number: int, name: str, stationed: list[int]) -> int:
    from county_net.extensions import db
    from county_net.tenancy import system_scope
    from county_net.units.models import Window, WindowStation

    with app.app_context(), system_scope("test seed"):
        window = Window(unit_id=unit_id, number=number, name=name,
                        stations=[WindowStation(stationed_unit_id=u) for u in stationed])
        db.session.add(window)
        db.session.commit()
        window_id = window.id
        db.session.remove()
    return window_id


def window_id(app, unit_id: int, number: int) -> int:
    import sqlalchemy as sa

    from county_net.extensions import db
    from county_net.tenancy import system_scope
    from county_net.units.models import Window

    with app.app_context(), system_scope("test"):
        found = db.session.scalar(sa.select(Window.id).where(Window.unit_id == unit_id, Window.number == number))
        db.session.remove()
    return found
