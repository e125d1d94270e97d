"""Sheets written directly (the workflow's services are the lead's) for the roll-up tests: November 2026
across 东镇 (T1: its own sheet, 甲村 V1 half-monthly, 某厂 E1 late, E3 a nil sheet, E4 missing, E6 exempt),
西镇 (T2 and E2 missing, a draft that does not count), 人社局 (B1) and its enterprise E5; October before it."""
from datetime import date, datetime, timezone

import sqlalchemy as sa

from county_net.extensions import db

NOV, OCT = (date(2026, 11, 1), date(2026, 11, 30)), (date(2026, 10, 1), date(2026, 10, 31))
H1, H2 = (date(2026, 11, 1), date(2026, 11, 15)), (date(2026, 11, 16), date(2026, 11, 30))
EXTRA_UNITS = [("E3", "东镇三厂", "enterprise", "T1"), ("E4", "东镇四厂", "enterprise", "T1"),
               ("E5", "人社局下属公司", "enterprise", "B1"), ("E6", "东镇六厂", "enterprise", "T1")]


def add_units(units: dict) -> None:
    from county_net.units.models import Unit

    parents = {u.id: u for u in db.session.scalars(sa.select(Unit))}
    for code, name, kind, parent_code in EXTRA_UNITS:
        parent = parents[units[parent_code]]
        unit = Unit(code=code, name=name, short_name=name, kind=kind, parent_id=parent.id, path="/",
                    depth=parent.depth + 1, sort_order=len(units) + 1, is_active=True)
        db.session.add(unit)
        db.session.flush()
        unit.path = f"{parent.path}{unit.id}/"
        units[code] = unit.id


def sheet(units, code, span, *, kind="month", state="accepted", counted=True, late=False, nil=False, lines=(),
          revision=1):
    from county_net.screening.models import Dispute, ScreeningReport, scale_band

    start, end = span
    period_code = f"{start:%Y-%m}" + ("" if kind == "month" else f"-{1 if start.day == 1 else 2}")
    filed_at = datetime(end.year, end.month, min(end.day, 20), 2, tzinfo=timezone.utc)
    report = ScreeningReport(unit_id=units[code], county_unit_id=units["C0"], period_kind=kind, period_start=start,
                             period_end=end, period_code=period_code, revision=revision, due_on=end, is_nil=nil,
                             state=state, counted=counted, late=late, filled_by_name="信息员", version=1,
                             filed_at=filed_at if state in ("filed", "accepted", "superseded") else None,
                             signed_by_name="一把手")
    db.session.add(report)
    db.session.flush()
    for seq, (origin, dispute_type, status, people, major) in enumerate(lines, 1):
        db.session.add(Dispute(report_id=report.id, unit_id=units[code], county_unit_id=units["C0"], seq=seq,
                               origin_key=origin, found_on=start, dispute_type=dispute_type, parties="甲与乙",
                               people_count=people, scale_band=scale_band(people), place="某地", summary="简况",
                               risk_level="L2" if major else "L0", is_major=major, responsible_unit="东镇",
                               responsible_leader="张某", status=status))
    return report


def seed(app, units: dict) -> dict:
    from county_net.screening.models import ScreeningExemption
    from county_net.tenancy import system_scope

    with app.app_context(), system_scope("test seed"):
        add_units(units)
        # October: 东镇 screens k1 (carried into November), 某厂 resolves k9.
        sheet(units, "T1", OCT, lines=[("k1", "劳资", "screened", 10, True)])
        sheet(units, "E1", OCT, lines=[("k9", "医患", "resolved", 4, False)])
        # November.
        sheet(units, "T1", NOV, lines=[("k1", "劳资", "resolved", 10, True), ("k2", "村务", "screened", 60, False)])
        sheet(units, "V1", H1, kind="half_month", lines=[("k3", "家庭", "mediating", 3, False)])
        sheet(units, "V1", H2, kind="half_month", lines=[("k3", "家庭", "resolved", 3, False)])
        sheet(units, "E1", NOV, state="superseded", counted=False,
              lines=[("k4", "劳资", "screened", 120, True), ("kx", "其他", "screened", 2, False)])
        sheet(units, "E1", NOV, late=True, revision=2, lines=[("k4", "劳资", "escalated", 120, True)])
        sheet(units, "E3", NOV, nil=True)
        sheet(units, "T2", NOV, state="draft", counted=False, lines=[("k7", "环境", "screened", 5, False)])
        sheet(units, "B1", NOV, lines=[("k5", "环境", "screened", 600, True)])
        sheet(units, "E5", NOV, lines=[("k6", "劳资", "resolved", 5, False)])
        db.session.add(ScreeningExemption(unit_id=units["E6"], county_unit_id=units["C0"], reason="停产",
                                          starts_on=date(2026, 11, 10), created_by_name="县信访局", version=1))
        db.session.add(ScreeningExemption(unit_id=units["E4"], county_unit_id=units["C0"], reason="误设",
                                          starts_on=date(2026, 1, 1), created_by_name="县信访局", version=1,
                                          revoked_at=datetime(2026, 2, 1, tzinfo=timezone.utc),
                                          revoked_by_name="县信访局"))
        from county_net.screening.services import refresh_successions

        refresh_successions(["k1", "k2", "k3", "k4", "k5", "k6", "k7", "k9", "kx"])  # as signing would keep them
        db.session.commit()
        db.session.remove()
    return units
