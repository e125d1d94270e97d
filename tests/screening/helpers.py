"""Driving screening sheets through the JSON API, and a clock the services read, for due days and lateness."""
from __future__ import annotations

from datetime import datetime, timezone

import pytest

from county_net.core.timeutil import COUNTY_TZ
from tests.petitions.helpers import Api, add_user


def line(**fields) -> dict:
    body = {"dispute_type": "劳资", "parties": "东镇某厂与职工张某等", "people_count": 12, "place": "东镇某厂",
            "summary": "企业资金紧张，拖欠十二名职工两个月工资。", "responsible_unit": "东镇人民政府",
            "responsible_leader": "李某", "status": "mediating", "measures": "已约谈企业负责人。"}
    body.update(fields)
    return body


class Sheets:
    def __init__(self, api: Api):
        self.api = api

    def put(self, user, path, body):
        return self.api.client.put(path, json=body, headers=self.api.headers(user))

    def open(self, user, period=None, expect=201):
        resp = self.api.post(user, "/api/v1/screening/reports", {"period": period} if period else {})
        assert resp.status_code == expect, resp.get_json()
        return resp.get_json()

    def step(self, user, sheet, slug, expect=200, **fields):
        resp = self.api.post(user, f"/api/v1/screening/reports/{sheet['id']}/{slug}",
                             {"version": sheet["version"], **fields})
        assert resp.status_code == expect, (slug, resp.status_code, resp.get_json())
        return resp.get_json()

    def add(self, user, sheet, expect=201, **fields):
        resp = self.api.post(user, f"/api/v1/screening/reports/{sheet['id']}/lines",
                             {"version": sheet["version"], **line(**fields)})
        assert resp.status_code == expect, resp.get_json()
        return resp.get_json()

    def lines(self, user, sheet, lines, expect=200, **extra):
        resp = self.put(user, f"/api/v1/screening/reports/{sheet['id']}/lines",
                        {"version": sheet["version"], "lines": lines, **extra})
        assert resp.status_code == expect, resp.get_json()
        return resp.get_json()

    def show(self, user, sheet_id, expect=200):
        resp = self.api.get(user, f"/api/v1/screening/reports/{sheet_id}")
        assert resp.status_code == expect, resp.get_json()
        return resp.get_json()

    def file(self, liaison, head, sheet, *lines_):
        """Draft → lines (or nil) → submitted → signed by the head."""
        if lines_:
            sheet = self.lines(liaison, sheet, list(lines_))
        else:
            sheet = self.step(liaison, sheet, "nil", is_nil=True)
        sheet = self.step(liaison, sheet, "submit")
        return self.step(head, sheet, "sign")


def staff(app, net):
    """Heads and liaisons the base network lacks."""
    for name, unit, roles in (("c_head", "C0", ["head"]), ("e1_head", "E1", ["head"]),
                              ("e2_liaison", "E2", ["liaison"]), ("e2_head", "E2", ["head"]),
                              ("v1_liaison", "V1", ["liaison"]), ("v1_head", "V1", ["head"])):
        if name not in net.users:
            add_user(app, net, name, unit, roles)


@pytest.fixture
def clock(monkeypatch):
    """Sets the service's clock to a Beijing-time moment: `clock(2026, 11, 20, 17)`."""
    def set_to(year, month, day, hour=10, minute=0):
        moment = datetime(year, month, day, hour, minute, tzinfo=COUNTY_TZ).astimezone(timezone.utc)
        for target in ("county_net.core.timeutil.utcnow", "county_net.screening.services.utcnow"):
            monkeypatch.setattr(target, lambda: moment)
        return moment

    return set_to


def seed_rows(app, unit_id: int) -> dict:
    """A filed sheet with a line and a timeline entry, an exemption and an immediate report with its timeline,
    written directly for a unit (the tenancy sweeps need rows of every table; the course has its own tests)."""
    from datetime import date, datetime, timezone

    from county_net.extensions import db
    from county_net.screening.models import (Dispute, InfoReport, InfoReportEvent, ScreeningEvent,
                                             ScreeningExemption, ScreeningReport)
    from county_net.tenancy import system_scope
    from county_net.units.directory import unit_info

    now = datetime.now(timezone.utc)
    with app.app_context(), system_scope("test seed"):
        county = unit_info(unit_id).county_id
        report = ScreeningReport(unit_id=unit_id, county_unit_id=county, period_kind="month",
                                 period_start=date(2026, 10, 1), period_end=date(2026, 10, 31), period_code="2026-10",
                                 due_on=date(2026, 10, 20), state="filed", counted=True, filled_by_name="信息员",
                                 filed_at=now)
        db.session.add(report)
        db.session.flush()
        dispute = Dispute(report_id=report.id, unit_id=unit_id, county_unit_id=county, seq=1,
                          origin_key=f"seed{unit_id}", found_on=date(2026, 10, 5), dispute_type="劳资",
                          parties="甲方、乙方", people_count=12, scale_band="lt50", place="厂区", summary="欠薪。",
                          risk_level="L2", is_major=True, responsible_unit="劳动监察大队", responsible_leader="王某",
                          status="mediating")
        db.session.add(dispute)
        db.session.add(ScreeningEvent(report_id=report.id, unit_id=unit_id, kind="sign", actor_name="一把手"))
        exemption = ScreeningExemption(unit_id=unit_id, county_unit_id=county, reason="停产",
                                       starts_on=date(2026, 12, 1), created_by_name="管理员")
        db.session.add(exemption)
        info = InfoReport(unit_id=unit_id, county_unit_id=county, title="苗头", content="有人扬言聚集。",
                          reporter_name="信息员", sent_at=now, due_at=now)
        db.session.add(info)
        db.session.flush()
        db.session.add(InfoReportEvent(info_report_id=info.id, unit_id=unit_id, kind="send", actor_name="信息员"))
        db.session.commit()
        ids = {"report_id": report.id, "dispute_id": dispute.id, "exemption_id": exemption.id,
               "info_report_id": info.id}
        db.session.remove()
    return ids
