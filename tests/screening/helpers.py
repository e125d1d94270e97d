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
