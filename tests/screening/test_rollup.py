"""Roll-ups (issue 11 item 6) and history (item 9): hand-computed figures for 东镇 and the county, 小计 and
年度累计, a zero denominator, a nil sheet adding zeros, missing units named, the dispute list behind each
figure as long as the figure, the scope of a township's user."""
import re
from decimal import Decimal

import pytest
from flask import g

from county_net.extensions import db
from tests.screening.helpers import clock  # noqa: F401
from tests.screening.rollup_seed import seed


@pytest.fixture
def units(app, net):
    return seed(app, dict(net.units))


@pytest.fixture
def as_user(app):
    """A request context with the scope of a seeded user."""
    from contextlib import contextmanager

    @contextmanager
    def _as(username):
        import sqlalchemy as sa

        from county_net.accounts.models import User
        from county_net.tenancy import scope_for_user, set_request_scope, system_scope

        with app.test_request_context("/"):
            with system_scope("test"):
                user = db.session.scalar(sa.select(User).where(User.username == username))
                scope = scope_for_user(user)
                unit_id = user.unit_id
            set_request_scope(scope)
            g.unit_id = unit_id
            yield unit_id
            db.session.remove()

    return _as


def _rollup(units, top, code="2026-11"):
    from county_net.screening.rollup import build_rollup, parse_rollup_period

    return build_rollup(units["C0"], units[top], parse_rollup_period(code))


def _row(rollup, label_unit):
    return next(r for r in rollup.rows if r.unit.id == label_unit)


D = Decimal


def test_township_figures_by_hand(units, as_user):
    with as_user("t1_head"):
        r = _rollup(units, "T1")
        t = r.total.period
        assert t.total == {"screened": 5, "mediated": 4, "resolved": 2}  # 小计
        assert t.by_type["劳资"] == {"screened": 2, "mediated": 2, "resolved": 1}
        assert t.by_type["村务"] == {"screened": 1, "mediated": 0, "resolved": 0}
        assert t.by_type["家庭"] == {"screened": 2, "mediated": 2, "resolved": 1}
        assert "其他" not in t.by_type  # the superseded revision's line does not count
        assert t.bands == {"lt50": {"cases": 3, "resolved": 2}, "50_100": {"cases": 1, "resolved": 0},
                           "100_500": {"cases": 1, "resolved": 0}, "gt500": {"cases": 0, "resolved": 0}}
        assert t.major == {"screened": 2, "mediated": 2, "resolved": 1} and t.major_rate == D("0.5000")
        assert t.mediated_rate == D("0.8000") and t.resolved_rate == D("0.4000")
        y = r.total.ytd  # 年度累计: k1, k2, k3, k4, k9 once each, at their latest status
        assert y.total == {"screened": 5, "mediated": 4, "resolved": 3}
        assert y.by_type["劳资"] == {"screened": 2, "mediated": 2, "resolved": 1}
        assert y.by_type["医患"] == {"screened": 1, "mediated": 1, "resolved": 1}
        assert y.resolved_rate == D("0.6000")
        assert r.total.previous.total == {"screened": 2, "mediated": 1, "resolved": 1}  # October beside
        # On time: T1, V1 (both halves), E3 of T1, V1, E1, E3, E4 (E6 exempt; E4's exemption was revoked).
        assert (r.total.expected, r.total.filed, r.total.on_time) == (5, 4, 3)
        assert r.total.on_time_share == D("0.6000")
        assert [(u.short_name, p) for u, p in r.missing] == [("东镇四厂", ["2026年11月"])]
        # Rows: 本级, then one per unit under 东镇; the nil sheet adds zeros, its rates are "—".
        own = r.rows[0]
        assert own.own and own.period.total == {"screened": 2, "mediated": 1, "resolved": 1}
        nil = _row(r, units["E3"])
        assert nil.sheets == 1 and nil.nil_sheets == 1 and not nil.is_missing
        assert nil.period.total == {"screened": 0, "mediated": 0, "resolved": 0}
        assert nil.period.mediated_rate is None and nil.period.resolved_rate is None
        assert _row(r, units["E4"]).is_missing and _row(r, units["E4"]).period.total["screened"] == 0
        assert {row.unit.id for row in r.rows} <= {units[c] for c in ("T1", "V1", "E1", "E3", "E4", "E6")}


def test_county_figures_by_hand(units, as_user):
    with as_user("c_recv"):
        r = _rollup(units, "C0")
        assert [row.unit.short_name for row in r.rows] == ["东镇", "西镇", "人社局"]  # townships, then bureaus
        t = r.total.period
        assert t.total == {"screened": 7, "mediated": 5, "resolved": 3}
        assert t.mediated_rate == D("0.7143") and t.resolved_rate == D("0.4286")
        assert t.major == {"screened": 3, "mediated": 2, "resolved": 1} and t.major_rate == D("0.3333")
        assert t.bands["gt500"] == {"cases": 1, "resolved": 0}
        assert r.total.ytd.total == {"screened": 7, "mediated": 5, "resolved": 4}
        assert (r.total.expected, r.total.on_time) == (9, 5) and r.total.on_time_share == D("0.5556")
        assert sorted(u.short_name for u, _ in r.missing) == ["东镇四厂", "西镇", "西镇某厂"]
        west = _row(r, units["T2"])  # a draft does not count: 西镇 is missing, not zero
        assert west.is_missing and west.sheets == 0 and west.period.resolved_rate is None
        bureau = _row(r, units["B1"])  # 人社局 with its enterprise
        assert bureau.period.total == {"screened": 2, "mediated": 1, "resolved": 1}
        assert bureau.period.resolved_rate == D("0.5000")
        assert _row(r, units["T1"]).period.total == {"screened": 5, "mediated": 4, "resolved": 2}


def test_a_village_is_expected_for_both_halves(units, app, as_user, clock):
    from county_net.deadlines.periods import parse_period
    from county_net.screening.rollup import expected_units
    from county_net.tenancy import system_scope
    from tests.screening.rollup_seed import sheet

    with app.app_context(), system_scope("test seed"):
        from datetime import date
        sheet(units, "V1", (date(2026, 12, 1), date(2026, 12, 15)), kind="half_month")
        db.session.commit()
    with as_user("t1_head"):
        expected = {e.unit.short_name: [p.code for p in e.slots]
                    for e in expected_units(units["C0"], parse_period("2026-12"))}
        assert expected["甲村"] == ["2026-12-1", "2026-12-2"] and "东镇六厂" not in expected
        clock(2026, 12, 10)  # the second half is not due yet: nobody is missing it
        r = _rollup(units, "T1", "2026-12")
        assert "甲村" not in [u.short_name for u, _ in r.missing]
        clock(2027, 1, 5)  # now it is
        r = _rollup(units, "T1", "2026-12")
        assert ("甲村", ["2026年12月下半月"]) in [(u.short_name, p) for u, p in r.missing]
        assert _row(r, units["V1"]).sheets == 1 and not _row(r, units["V1"]).is_missing


FIGURES = [  # (row unit or None for the total, span, criteria)
    (None, "period", {}), (None, "period", {"measure": "mediated"}), (None, "period", {"measure": "resolved"}),
    (None, "ytd", {}), (None, "ytd", {"measure": "resolved"}), (None, "period", {"type": "劳资"}),
    (None, "ytd", {"type": "劳资", "measure": "mediated"}), (None, "period", {"band": "lt50"}),
    (None, "period", {"band": "lt50", "measure": "resolved"}), (None, "period", {"major": True}),
    (None, "period", {"major": True, "measure": "resolved"}), (None, "ytd", {"major": True}),
    ("T1", "period", {"type": "家庭"}), ("B1", "period", {"measure": "resolved"}), ("T2", "period", {}),
]


@pytest.mark.parametrize("viewer,top", [("c_recv", "C0"), ("t1_head", "T1")])
def test_every_figure_has_as_many_disputes_behind_it(units, as_user, viewer, top):
    from county_net.screening.rollup import dispute_count, parse_rollup_period

    period = parse_rollup_period("2026-11")
    with as_user(viewer):
        r = _rollup(units, top)
        checked = 0
        for row in [r.total, *r.rows]:
            for span in ("period", "ytd"):
                figures = getattr(row, span)
                cells = [({"measure": m}, figures.total[m]) for m in figures.total]
                cells += [({"type": t, "measure": m}, figures.cell(t, m)) for t in r.types for m in figures.total]
                cells += [({"band": b}, c["cases"]) for b, c in figures.bands.items()]
                cells += [({"band": b, "measure": "resolved"}, c["resolved"]) for b, c in figures.bands.items()]
                cells += [({"major": True, "measure": m}, n) for m, n in figures.major.items()]
                for criteria, figure in cells:
                    filters = {"county": units["C0"], "period": period, "span": span, **row.link(**criteria)}
                    assert dispute_count(filters) == figure, (row.label, span, criteria)
                    checked += 1
        assert checked > 200


def test_the_pages_and_the_api(units, login, api_token, app):
    web = login("c_recv")
    page = web.get("/screening/rollup?period=2026-11")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "东镇四厂" in html and "西镇某厂" in html and "缺报" in html
    assert "71.43%" in html and "42.86%" in html
    links = re.findall(r'<a class="n" href="(/screening/rollup/disputes\?[^"]+)">(\d+)</a>', html)
    assert len(links) > 50
    nonzero = [pair for pair in links if pair[1] != "0"]
    for link, figure in nonzero[:30] + links[:10]:  # every non-zero figure of the first rows, and some zeros
        resp = web.get(link.replace("&amp;", "&"))
        assert resp.status_code == 200, link
        shown = re.search(r'data-count="(\d+)"', resp.get_data(as_text=True)).group(1)
        assert int(shown) == int(figure), link
    headers = api_token("c_recv")
    body = web.client.get("/api/v1/screening/rollup?period=2026-11", headers=headers).get_json()
    assert body["total"]["period"]["total"] == {"screened": 7, "mediated": 5, "resolved": 3}
    assert body["total"]["period"]["mediated_rate"] == "0.7143"
    west = next(row for row in body["rows"] if row["unit_id"] == units["T2"])
    assert west["missing"] and west["period"]["resolved_rate"] is None
    listed = web.client.get(f"/api/v1/screening/rollup/disputes?period=2026-11&unit={units['C0']}&measure=resolved",
                            headers=headers).get_json()
    assert listed["meta"]["total"] == 3
    bad = web.client.get("/api/v1/screening/rollup?period=2026-13", headers=headers)
    assert bad.status_code == 400
    xlsx = web.get("/screening/rollup.xlsx?period=2026-11")
    assert xlsx.status_code == 200 and xlsx.data[:2] == b"PK"
    from io import BytesIO

    from openpyxl import load_workbook

    sheet = load_workbook(BytesIO(xlsx.data)).active
    assert "矛盾纠纷排查调处情况报表" in sheet["A1"].value
    assert sheet.page_setup.orientation == "landscape" and sheet.freeze_panes
    assert web.client.get("/api/v1/screening/rollup.xlsx?period=2026-11", headers=headers).status_code == 200


def test_a_township_sees_only_its_subtree(units, login, api_token):
    web = login("t1_head")
    html = web.get("/screening/rollup?period=2026-11").get_data(as_text=True)
    assert "甲村" in html and "西镇" not in html and "人社局" not in html
    headers = api_token("t1_head")
    body = web.client.get("/api/v1/screening/rollup?period=2026-11", headers=headers).get_json()
    assert body["total"]["period"]["total"]["screened"] == 5
    assert web.get(f"/screening/rollup?period=2026-11&unit={units['T2']}").status_code == 404
    assert web.get(f"/screening/rollup/disputes?period=2026-11&unit={units['B1']}").status_code == 404
    assert web.client.get(f"/api/v1/screening/units/{units['T2']}/history", headers=headers).status_code == 404
    assert web.get(f"/screening/history/{units['T2']}").status_code == 404
    assert web.get(f"/screening/compare?unit={units['E2']}&a=2026-10&b=2026-11").status_code == 404
    liaison = login("e1_liaison")  # a leaf: its own sheet only
    body = liaison.client.get("/api/v1/screening/rollup?period=2026-11", headers=api_token("e1_liaison")).get_json()
    assert [row["label"] for row in body["rows"]] == ["东镇某厂（本级）"]
    assert body["total"]["period"]["total"] == {"screened": 1, "mediated": 1, "resolved": 0}
    assert liaison.get(f"/screening/history/{units['V1']}").status_code == 404


def test_history_and_compare(units, login, api_token, app):
    from datetime import date, timedelta

    from county_net.tenancy import system_scope
    from tests.screening.rollup_seed import sheet

    with app.app_context(), system_scope("test seed"):  # two more years of 某厂's sheets
        start = date(2024, 9, 1)
        while start < date(2026, 10, 1):
            end = (start.replace(day=28) + timedelta(days=4)).replace(day=1) - timedelta(days=1)
            sheet(units, "E1", (start, end), nil=start.month % 2 == 0, late=start.month == 3,
                  lines=[] if start.month % 2 == 0 else [(f"h{start:%y%m}", "劳资", "resolved", 4, False)])
            start = end + timedelta(days=1)
        db.session.commit()
    web = login("t1_head")
    html = web.get(f"/screening/history/{units['E1']}").get_data(as_text=True)
    assert html.count("/screening/reports/") >= 24 and "过期录入" in html
    headers = api_token("t1_head")
    body = web.client.get(f"/api/v1/screening/units/{units['E1']}/history", headers=headers).get_json()
    assert len({item["period_code"] for item in body["items"]}) >= 24
    assert any(item["late"] for item in body["items"])
    html = web.get(f"/screening/compare?unit={units['E1']}&a=2026-10&b=2026-11").get_data(as_text=True)
    assert "医患" in html and "劳资" in html
    body = web.client.get(f"/api/v1/screening/compare?unit={units['E1']}&a=2026-10&b=2026-11",
                          headers=headers).get_json()
    assert body["a"]["total"]["screened"] == 1 and body["b"]["total"]["screened"] == 1
    assert body["b"]["reports"][0]["late"] is True


def test_a_quarter_and_a_year(units, login, api_token):
    web = login("c_recv")
    headers = api_token("c_recv")
    for code, lines in (("2026-Q4", 9), ("2026", 9), ("2026-11-2", 1)):
        body = web.client.get(f"/api/v1/screening/rollup?period={code}", headers=headers).get_json()
        assert body["period"]["code"] == code
        assert body["total"]["period"]["total"]["screened"] == lines, code  # every line of every counted sheet
    year = web.client.get("/api/v1/screening/rollup?period=2026", headers=headers).get_json()
    assert year["total"]["ytd"]["total"] == {"screened": 7, "mediated": 5, "resolved": 4}  # distinct disputes
    half = web.client.get("/api/v1/screening/rollup?period=2026-11-2", headers=headers).get_json()
    assert half["total"]["expected"] == 1  # only the half-monthly village is expected in a half month
    assert web.get("/screening/rollup?period=2026-Q4").status_code == 200
    assert web.get("/screening/rollup?period=abc").status_code == 400
