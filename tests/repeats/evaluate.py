"""Measure the detector through the services on a real database: register the background matters and every
pair's first matter (a) at the county center, then ask the preview about each second matter (b) at its own
received time. The same examination serves the registration (test_desk.py shows the two agree)."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone

import sqlalchemy as sa

from county_net.extensions import db
from county_net.petitions.identity import check_digit
from county_net.tenancy import scope_for_user, system_scope
from county_net.tenancy.context import set_request_scope
from tests.repeats.labelled import background

NOW = datetime(2026, 11, 30, 1, 0, tzinfo=timezone.utc)
GIVEN = "甲乙丙丁戊己庚辛壬癸子丑寅卯辰巳午未申酉戌亥"  # b's received time; a's is gap_days earlier


@dataclass
class Outcome:
    pair: dict
    a_id: int
    suggested: bool  # a is among b's 可能重复
    own: bool  # a is among b's 本人其他事项
    strays: int  # other matters among b's 可能重复 (another pair's, or the background's)
    suggestion: dict | None
    stray_list: list | None = None


def id_number(index: int, seed: int) -> str:
    birth = (date(1950, 1, 1) + timedelta(days=index * 7)).strftime("%Y%m%d")
    first = f"339901{birth}{seed:03d}"
    return first + check_digit(first)


def people(pair: dict, side: str, index: int, reading_names) -> list[dict]:
    listed = pair.get(f"{side}_people")
    if listed is None:  # the earlier set: the people its text names, or one unnamed letter-writer
        names = sorted(reading_names) or [f"匿名-{index}-{side}"]
        return [{"name": n} for n in names[:5]]
    found = []
    for person in listed:
        entry = {"name": person["name"]}
        if person.get("id") is not None:
            entry["id_number"] = id_number(index, person["id"])
        if person.get("phone") is not None:
            entry["phone"] = f"139{index:05d}{person['phone']:03d}"
        found.append(entry)
    return found


def _body(pair, side, index, categories, units, received_at):
    from county_net.repeats.text import read

    locality = pair[f"locality_{side}"]
    head_count = pair.get(f"head_count_{side}", 1) or 1
    who = people(pair, side, index, read(pair[side]).names)
    return {"channel": pair.get(f"channel_{side}", "visit"), "category_id": categories[pair[f"category_{side}"]],
            "nature": "demand", "summary": pair[side], "demands": "", "head_count": max(head_count, len(who)),
            "locality_unit_id": units[locality] if locality else None, "petitioners": who,
            "received_at": received_at}


def measure(app, net, pairs: list[dict], with_background: bool = True) -> list[Outcome]:
    from county_net.accounts.models import User
    from county_net.petitions.models import Category
    from county_net.petitions.services import register_petition
    from county_net.repeats.services import preview

    with app.test_request_context(method="POST"):  # a write request: SQLite opens its transactions IMMEDIATE
        with system_scope("test"):
            categories = dict(db.session.execute(sa.select(Category.name, Category.id)).all())
            clerk = db.session.get(User, net.users["c_recv"])
            scope = scope_for_user(clerk)
        set_request_scope(scope)
        if with_background:
            from county_net.repeats.text import read

            for n, matter in enumerate(background()):
                received = NOW - timedelta(days=3 + (n * 37) % 420, hours=n % 7)
                locality = matter.get("locality")
                # The person the text names, else someone of the county: a named petitioner, as at the desk.
                named = sorted(read(matter["text"]).names)
                name = named[0] if named else "骆某" + GIVEN[n % len(GIVEN)]
                register_petition(clerk, {
                    "channel": "letter", "category_id": categories[matter["category"]], "nature": "demand",
                    "summary": matter["text"], "demands": "", "head_count": 1,
                    "locality_unit_id": net.units[locality] if locality else None,
                    "petitioners": [{"name": name, "phone": f"137{n:08d}"}], "received_at": received})
        first = {}
        for index, pair in enumerate(pairs):
            body = _body(pair, "a", index, categories, net.units, NOW - timedelta(days=pair["gap_days"]))
            first[pair["id"]] = register_petition(clerk, body).id
        outcomes = []
        for index, pair in enumerate(pairs):
            body = _body(pair, "b", index, categories, net.units, NOW)
            found = preview(clerk, body)
            a_id = first[pair["id"]]
            mine = [s for s in found["suggestions"] if s["earlier_id"] == a_id]
            outcomes.append(Outcome(pair=pair, a_id=a_id, suggested=bool(mine),
                                    own=any(o["id"] == a_id for o in found["own_matters"]),
                                    strays=len(found["suggestions"]) - len(mine),
                                    suggestion=mine[0] if mine else None,
                                    stray_list=[s for s in found["suggestions"] if s["earlier_id"] != a_id]))
        db.session.remove()
    return outcomes
