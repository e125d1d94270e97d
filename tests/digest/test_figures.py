"""The digest's figures on the hand-counted county (tests/digest/conftest.py), on both engines."""
from datetime import date

import pytest

from county_net.digest import queries
from county_net.digest.queries import Period, last_full_week, week_of
from county_net.extensions import db
from county_net.tenancy import system_scope

W47 = Period(date(2026, 11, 16), date(2026, 11, 22))
AS_OF = date(2026, 11, 23)


def _row(rows, key):
    return next(r for r in rows if r["key"] == key)


def test_periods_in_shanghai_weeks():
    assert last_full_week(date(2026, 11, 23)) == W47  # a Monday: the week just ended
    assert last_full_week(date(2026, 11, 29)) == W47  # a Sunday: its own week is not full yet
    assert W47.previous() == Period(date(2026, 11, 9), date(2026, 11, 15))
    assert W47.label == "2026-W47" and week_of("2026-W47") == W47 and week_of("2026-W99") is None
    ten = Period(date(2026, 11, 1), date(2026, 11, 10))
    assert ten.previous() == Period(date(2026, 10, 22), date(2026, 10, 31)) and ten.label == "2026-11-01~2026-11-10"
    lo, hi = W47.bounds()
    assert lo.isoformat() == "2026-11-16T00:00:00+08:00" and hi.isoformat() == "2026-11-23T00:00:00+08:00"


def test_county_center_figures_by_hand(app, county):
    with app.app_context(), system_scope("test: the county center's digest"):
        f = queries.compute(county.units["C0"], W47, as_of=AS_OF)
        db.session.remove()
    t = f["totals"]
    # This week: 1 2 3 4 5 6 11 (12 accuses the county center; 7 is Monday 00:10 of the next week).
    # Previous: 8 9 (10 is Sunday 23:59 before it).
    assert t["items"] == {"current": 7, "previous": 2, "change": 5, "pct": 250.0}
    assert t["visit_batches"] == {"current": 3, "previous": 2, "change": 1, "pct": 50.0}  # 1 2 5 / 8 9
    assert t["visit_people"] == {"current": 9, "previous": 8, "change": 1, "pct": 12.5}  # 1+6+2 / 1+7
    channels = {c["key"]: c["current"] for c in t["by_channel"]}
    assert channels == {"visit": 3, "letter": 2, "phone": 1, "online": 1, "other": 0}

    a, b = county.categories["A"], county.categories["B"]
    assert _row(f["by_category"], a) | {} == {"key": a, "name": county.category_names["A"], "current": 4,
                                              "previous": 1, "change": 3, "pct": 300.0}
    assert {k: _row(f["by_category"], b)[k] for k in ("current", "previous", "change")} == \
        {"current": 3, "previous": 1, "change": 2}
    t1, t2 = county.units["T1"], county.units["T2"]
    assert [(r["key"], r["current"], r["previous"]) for r in f["by_locality"]] == \
        [(t1, 3, 1), (t2, 3, 1), (None, 1, 0)]
    assert _row(f["by_locality"], None)["pct"] is None and _row(f["by_locality"], None)["name"] == "未填属地"

    # Rising: at least 3 this period and up; A leads (+3); B, 东镇, 西镇 follow at +2.
    rising = f["rising"]
    assert rising[0]["key"] == a and rising[0]["dimension"] == "category"
    assert {(r["dimension"], r["key"], r["change"]) for r in rising} == \
        {("category", a, 3), ("category", b, 2), ("locality", t1, 2), ("locality", t2, 2)}

    assert f["collective"]["batches"]["current"] == 1 and f["collective"]["people"]["current"] == 6
    assert f["collective"]["batches"]["previous"] == 1 and f["collective"]["people"]["previous"] == 7
    assert [m["id"] for m in f["collective"]["matters"]] == [county.ids[2]]

    # Skip-level: 1 (at the center, 东镇's matter, no earlier registration there); 5 went through 西镇 first (8).
    assert f["skip_level"]["batches"] == 1 and f["skip_level"]["people"] == 1
    assert [m["id"] for m in f["skip_level"]["matters"]] == [county.ids[1]]

    hot = f["repeat_hotspots"]
    assert len(hot) == 1
    assert hot[0] | {"matter": None, "last_received_at": None} == {
        "thread_id": county.ids[8], "in_period": 2, "people_in_period": 3, "thread_total": 3,
        "matter": None, "last_received_at": None}
    assert hot[0]["matter"]["id"] == county.ids[8] and hot[0]["last_received_at"] == "2026-11-21 10:00"

    overdue = f["overdue"]
    assert overdue["total"] == 2 and overdue["as_of"] == "2026-11-23"
    assert [(u["unit_id"], u["count"], u["oldest_due_on"]) for u in overdue["units"]] == \
        [(county.units["T2"], 1, "2026-11-19"), (county.units["B1"], 1, "2026-11-20")]

    assert f["flagged"] == {"available": True, "note": "", "matters": []}  # the hall is built; nothing flagged yet


def test_a_township_sees_its_subtree_only(app, county, api_token):
    client = app.test_client()
    body = client.get("/api/v1/digest?start=2026-11-16&end=2026-11-22", headers=api_token("t1_head")).get_json()
    # 东镇 sees what it registered or holds: 2 3 this week (12 accuses its ancestor), 9 before.
    assert body["totals"]["items"] == {"current": 2, "previous": 1, "change": 1, "pct": 100.0}
    assert body["collective"]["people"]["current"] == 6 and body["collective"]["people"]["previous"] == 7
    assert body["skip_level"]["batches"] == 0 and body["overdue"]["total"] == 0 and body["repeat_hotspots"] == []
    assert [r["key"] for r in body["by_locality"]] == [county.units["T1"]]
    assert body["whole_county"] is False and body["supervision"]["county_only"] is True
    center = client.get("/api/v1/digest?start=2026-11-16&end=2026-11-22", headers=api_token("c_recv")).get_json()
    assert center["totals"]["items"]["current"] == 7


def test_the_default_period_is_the_last_full_week(app, county, api_token):
    body = app.test_client().get("/api/v1/digest", headers=api_token("c_recv")).get_json()
    assert body["period"] == last_full_week().as_dict() and body["period"]["days"] == 7


@pytest.mark.parametrize("query, field", [("start=2026-11-16", "end"), ("start=2026-11-20&end=2026-11-16", "end"),
                                          ("start=2025-01-01&end=2026-11-16", "end"), ("start=1999-01-01&end=2026-01-01", "start"),
                                          ("start=x&end=2026-01-01", "start")])
def test_bad_periods_are_400_with_the_field(app, county, api_token, login, query, field):
    resp = app.test_client().get(f"/api/v1/digest?{query}", headers=api_token("c_recv"))
    assert resp.status_code == 400 and field in resp.get_json()["error"]["fields"], resp.get_json()
    user = login("c_recv")
    page = user.get(f"/digest?{query}")
    assert page.status_code == 400 and "error" in page.get_data(as_text=True)
    assert user.get(f"/digest/print?{query}").status_code == 400  # a document never prints another period
    assert user.get(f"/digest/pdf?{query}").status_code == 400


def test_only_heads_and_receptionists_read_it(app, county, api_token, login):
    assert app.test_client().get("/api/v1/digest", headers=api_token("e1_liaison")).status_code == 403
    assert login("e1_liaison").get("/digest").status_code == 403


def test_open_supervision_by_unit_and_level(app, county, api_token):
    """Rows of the supervision capability's table: open (issued … accepted) count; waiting for approval, closed
    and cancelled do not. B1: red + yellow; T2: two normal and an urge; T1: nothing open."""
    from county_net.supervision.models import Supervision

    u = county.units
    rows = [("B1", "red", "issued"), ("B1", "yellow", "received"), ("T2", "normal", "feedback_submitted"),
            ("T2", "normal", "accepted"), ("T2", "urge", "issued"), ("T1", "red", "closed"),
            ("T1", "yellow", "cancelled"), ("T1", "normal", "pending_approval")]
    with app.app_context(), system_scope("test: supervision rows"):
        for target, level, state in rows:
            db.session.add(Supervision(unit_id=u["C0"], county_unit_id=u["C0"], target_unit_id=u[target], level=level,
                                       method="phone", problem="overdue", content="督办内容", required_action="按期办结",
                                       feedback_due_on=date(2026, 11, 30), state=state, source="manual", version=1))
        db.session.commit()
        db.session.remove()
    body = app.test_client().get("/api/v1/digest?start=2026-11-16&end=2026-11-22",
                                 headers=api_token("c_recv")).get_json()
    s = body["supervision"]
    assert s["available"] is True and s["total"] == 5
    assert {lv["level"]: lv["count"] for lv in s["by_level"]} == {"urge": 1, "normal": 2, "yellow": 1, "red": 1}
    assert [(x["unit_id"], x["red"], x["yellow"], x["normal"], x["urge"], x["total"]) for x in s["units"]] == \
        [(u["B1"], 1, 1, 0, 0, 2), (u["T2"], 0, 0, 2, 1, 3)]


def test_the_rising_minimum_is_a_county_setting(app, county):
    import json


    from county_net.units.models import Unit
    from county_net.units.network_file import NetworkFileError, _parse_settings

    with app.app_context(), system_scope("test: county setting"):
        unit = db.session.get(Unit, county.units["C0"])
        unit.settings = json.dumps({"digest_rising_min": 4})
        db.session.commit()
        f = queries.compute(county.units["C0"], W47, as_of=AS_OF)
        db.session.remove()
    assert f["rising_min"] == 4 and [r["key"] for r in f["rising"]] == [county.categories["A"]]  # only A has 4
    with pytest.raises(NetworkFileError):
        _parse_settings({"digest_rising_min": 0}, {})


def test_the_hall_plugs_its_flagged_matters_in(app, county, monkeypatch):
    """The reception hall (not built yet) registers a source; the section then lists what it returns."""
    from county_net.digest import hooks

    seen = []

    def hall(county_id, viewer_unit_id, lo, hi):
        seen.append((county_id, viewer_unit_id, lo.isoformat(), hi.isoformat()))
        return [{"id": 1, "number": "测〔2026〕00001号", "received_at": "2026-11-16 09:00", "channel": "来访",
                 "head_count": 1, "category": "x", "locality": "东镇人民政府", "summary": "大厅标注摘报"}]

    monkeypatch.setattr(hooks, "_SOURCES", [hall])
    with app.app_context(), system_scope("test"):
        f = queries.compute(county.units["C0"], W47, as_of=AS_OF)
        db.session.remove()
    assert f["flagged"]["available"] is True and [m["summary"] for m in f["flagged"]["matters"]] == ["大厅标注摘报"]
    assert seen == [(county.units["C0"], county.units["C0"], "2026-11-16T00:00:00+08:00", "2026-11-23T00:00:00+08:00")]
