"""Immediate reports and disputes through the JSON API, and a dispute row seeded as the sheet would leave it."""
from datetime import date

import sqlalchemy as sa

from county_net.extensions import db
from county_net.tenancy import system_scope
from tests.petitions.helpers import add_user, category_id, id_number

REPORT = {"kind": "immediate", "title": "东镇某厂拖欠工资引发聚集苗头",
          "content": "约三十名工人因拖欠工资在厂门口聚集，扬言到县政府上访。", "place": "东镇某厂",
          "people_count": 30, "collective_risk": True}


def setup_center_head(app, net):
    if "c_head" not in net.users:
        add_user(app, net, "c_head", "C0", ["head"])


def send(api, user="e1_liaison", expect=201, **fields):
    resp = api.post(user, "/api/v1/info-reports", {**REPORT, **fields})
    assert resp.status_code == expect, resp.get_json()
    return resp.get_json()


def step(api, user, report, action, expect=200, **fields):
    resp = api.post(user, f"/api/v1/info-reports/{report['id']}/{action}", {"version": report["version"], **fields})
    assert resp.status_code == expect, (action, resp.status_code, resp.get_json())
    return resp.get_json()


def matter_fields(app, **extra) -> dict:
    return {"channel": "visit", "nature": "demand", "category_id": category_id(app),
            "petitioners": [{"name": "王某", "id_number": id_number(3), "phone": "13800002222"}], **extra}


def seed_dispute(app, net, unit: str = "T1", state: str = "filed", summary: str = "甲村两户宅基地界址纠纷，多次调解未果。") -> dict:
    """A filed sheet of `unit` for 2026-11 with one dispute line (as the sheet services would leave it)."""
    from county_net.screening.models import Dispute, ScreeningReport

    with app.app_context(), system_scope("test seed"):
        unit_id = net.units[unit]
        county = net.units["C0"]
        report = ScreeningReport(unit_id=unit_id, county_unit_id=county, period_kind="month",
                                 period_start=date(2026, 11, 1), period_end=date(2026, 11, 30), period_code="2026-11",
                                 revision=1, due_on=date(2026, 11, 20), state=state, version=3,
                                 filled_by_name="填报人")
        db.session.add(report)
        db.session.flush()
        dispute = Dispute(report_id=report.id, unit_id=unit_id, county_unit_id=county, seq=1,
                          origin_key=f"{unit}-2026-11-1", found_on=date(2026, 11, 5), dispute_type="村务",
                          parties="甲户、乙户", people_count=12, scale_band="lt50", place="甲村", summary=summary,
                          risk_level="L2", is_major=True, responsible_unit="东镇司法所", responsible_leader="李某",
                          status="mediating")
        db.session.add(dispute)
        db.session.commit()
        found = {"id": dispute.id, "report_id": report.id, "version": report.version}
        db.session.remove()
    return found


def rows(app, sql: str, **params) -> list:
    with app.app_context(), system_scope("test read"):
        found = [tuple(r) for r in db.session.execute(sa.text(sql), params)]
        db.session.remove()
    return found


def notified(app, event_key_like: str) -> list[str]:
    return sorted(r[0] for r in rows(app, "SELECT u.username FROM notifications n JOIN users u ON u.id = n.user_id "
                                          "WHERE n.event_key LIKE :k", k=event_key_like))
