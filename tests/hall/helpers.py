"""The hall's test helpers: a clock inside opening hours, a county-center head, check-in bodies."""
from __future__ import annotations

from datetime import datetime, timezone

import pytest

from county_net.core.timeutil import COUNTY_TZ

# A Monday, a working day, at 10:00 in Beijing: inside the default hours (08:30–11:30).
MORNING = (2026, 11, 30, 10, 0)


@pytest.fixture
def clock(monkeypatch):
    """Sets the services' clock to a Beijing-time moment: `clock(2026, 11, 30, 10)`."""
    def set_to(year, month, day, hour=10, minute=0, second=0):
        moment = datetime(year, month, day, hour, minute, second, tzinfo=COUNTY_TZ).astimezone(timezone.utc)
        for target in ("county_net.core.timeutil.utcnow", "county_net.hall.services.utcnow",
                       "county_net.hall.board.utcnow", "county_net.petitions.services.utcnow"):
            monkeypatch.setattr(target, lambda: moment)
        return moment

    return set_to


@pytest.fixture
def morning(clock):
    return clock(*MORNING)


def add_user(app, username: str, unit_code: str, roles: list[str]) -> int:
    from county_net.accounts.models import User
    from county_net.accounts.passwords import hash_password
    from county_net.extensions import db
    from county_net.tenancy import system_scope
    from county_net.units.models import Unit
    from tests.conftest import PASSWORD

    with app.app_context(), system_scope("test seed"):
        unit_id = db.session.scalar(__import__("sqlalchemy").select(Unit.id).where(Unit.code == unit_code))
        user = User(username=username, name=username, unit_id=unit_id, password_hash=hash_password(PASSWORD),
                    version=1)
        user.roles = roles
        db.session.add(user)
        db.session.commit()
        user_id = user.id
        db.session.remove()
    return user_id


def visitor(name="来访甲", **extra) -> dict:
    body = {"people": [{"name": name, "phone": "13900001111"}], "purpose": "反映拖欠工资的问题，要求尽快解决。",
            "category_id": 1, "head_count": 1}
    body.update(extra)
    return body
