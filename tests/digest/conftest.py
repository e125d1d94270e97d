"""A hand-counted county for the digest: matters written as rows in system scope, each on a chosen day.

Week under test: 2026-W47, Monday 2026-11-16 to Sunday 2026-11-22 (Asia/Shanghai); the previous period is
2026-11-09 to 2026-11-15. Categories A and B; localities 东镇 (T1) and 西镇 (T2). Expected figures are in
tests/digest/test_figures.py, counted by hand from the table below."""
from datetime import date, datetime
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa

from county_net.extensions import db

SH = ZoneInfo("Asia/Shanghai")
WEEK = ("2026-11-16", "2026-11-22")


def at(day: str, hm: str = "10:00") -> datetime:
    return datetime.fromisoformat(f"{day}T{hm}").replace(tzinfo=SH)


# key: (registering unit, category, locality, channel, head_count, received, extra)
MATTERS = {
    1: ("C0", "A", "T1", "visit", 1, at("2026-11-16", "09:00"), {}),  # at the county center: skip-level
    2: ("T1", "A", "T1", "visit", 6, at("2026-11-17"), {"is_collective": True}),
    3: ("T1", "A", "T1", "letter", 1, at("2026-11-18"), {}),
    4: ("T2", "A", "T2", "online", 1, at("2026-11-22", "23:30"), {}),  # Sunday 23:30 Shanghai: this week
    5: ("C0", "B", "T2", "visit", 2, at("2026-11-19"), {"is_repeat": True, "thread": 8}),  # T2 had it first
    6: ("B1", "B", None, "phone", 1, at("2026-11-20"), {"due_on": date(2026, 11, 20)}),  # overdue at B1
    7: ("T1", "A", "T1", "letter", 1, at("2026-11-23", "00:10"), {}),  # Monday 00:10: next week
    8: ("T2", "B", "T2", "visit", 1, at("2026-11-10"), {"due_on": date(2026, 11, 19)}),  # previous; overdue at T2
    9: ("T1", "A", "T1", "visit", 7, at("2026-11-09", "00:00"), {"is_collective": True}),  # previous, first instant
    10: ("T2", "A", "T2", "letter", 1, at("2026-11-08", "23:59"), {}),  # before the previous period
    11: ("T2", "B", "T2", "letter", 1, at("2026-11-21"), {"is_repeat": True, "thread": 8}),
    12: ("T1", "A", "T1", "letter", 1, at("2026-11-18"), {"accused": "C0", "nature": "accusation"}),  # hidden from C0
}


def add_matter(units, users, categories, key, unit, category, locality, channel, heads, received, extra, ids):
    from county_net.petitions.models import Petition

    p = Petition(
        unit_id=units[unit], county_unit_id=units["C0"], year=2026, seq=key, number=f"测〔2026〕{key:05d}号",
        query_code=f"Q{key:07d}", registered_by_id=users["c_recv"], received_at=received, channel=channel,
        head_count=heads, is_collective=extra.get("is_collective", False),
        locality_unit_id=units[locality] if locality else None, category_id=categories[category],
        nature=extra.get("nature", "demand"), summary=f"第{key}件事项摘要", state="handling",
        holder_unit_id=units[unit], is_repeat=extra.get("is_repeat", False),
        thread_id=ids.get(extra["thread"]) if "thread" in extra else None,
        accused_unit_id=units[extra["accused"]] if "accused" in extra else None,
        due_on=extra.get("due_on"), version=1)
    db.session.add(p)
    db.session.flush()
    ids[key] = p.id
    return p.id


@pytest.fixture
def county(app, net):
    """The matters above plus two county-center heads; returns ids."""
    from county_net.accounts.models import User
    from county_net.accounts.passwords import hash_password
    from county_net.petitions.models import Category
    from county_net.tenancy import system_scope
    from tests.conftest import PASSWORD

    with app.app_context(), system_scope("test seed"):
        cats = list(db.session.execute(sa.select(Category.id, Category.name).order_by(Category.sort_order,
                                                                                       Category.id).limit(2)))
        categories = {"A": cats[0].id, "B": cats[1].id}
        names = {"A": cats[0].name, "B": cats[1].name}
        password_hash = hash_password(PASSWORD)
        for username in ("c_head", "c_head2"):
            user = User(username=username, name=username, unit_id=net.units["C0"], password_hash=password_hash,
                        version=1)
            user.roles = ["head"]
            db.session.add(user)
            db.session.flush()
            net.users[username] = user.id
        ids = {}
        for key in sorted(MATTERS, key=lambda k: (k != 8, k)):  # the thread's first matter before its repeats
            add_matter(net.units, net.users, categories, key, *MATTERS[key], ids)
        db.session.commit()
        db.session.remove()
    return SimpleNamespace(units=net.units, users=net.users, categories=categories, category_names=names, ids=ids)
