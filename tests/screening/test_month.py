"""Issue 11's month, through the services as people would do it: 东镇 (a township) and three of its
enterprises. Two file on time with disputes, one files a nil report, one is late and is reminded; 甲村 is
excused for the month. The township's and the county's roll-ups equal the figures worked out by hand below,
小计, 年度累计 and a zero denominator included."""
from datetime import date

import pytest
import sqlalchemy as sa

from county_net.extensions import db
from county_net.tenancy import system_scope
from tests.petitions.helpers import Api, add_user
from tests.screening.helpers import Sheets, clock, line, staff  # noqa: F401


@pytest.fixture
def month(app, net, api_token):
    from county_net.units.models import Unit

    staff(app, net)
    with app.app_context(), system_scope("test seed"):  # two more enterprises of 东镇
        town = db.session.get(Unit, net.units["T1"])
        for code, name in (("E3", "东镇三厂"), ("E4", "东镇四厂")):
            unit = Unit(code=code, name=name, short_name=name, kind="enterprise", parent_id=town.id, path="/",
                        depth=town.depth + 1, sort_order=20, is_active=True)
            db.session.add(unit)
            db.session.flush()
            unit.path = f"{town.path}{unit.id}/"
            net.units[code] = unit.id
        db.session.commit()
        db.session.remove()
    for code in ("e3", "e4"):
        add_user(app, net, f"{code}_liaison", code.upper(), ["liaison"])
        add_user(app, net, f"{code}_head", code.upper(), ["head"])
    return Sheets(Api(app, api_token))


def _sweep(app, day):
    from county_net.screening import lateness

    with app.app_context(), system_scope("test sweep"):
        lateness.sweep_reminders(day)
        db.session.commit()
        db.session.remove()


def _kinds(app, username):
    with app.app_context(), system_scope("test read"):
        kinds = db.session.execute(sa.text(
            "SELECT n.kind FROM notifications n JOIN users u ON u.id = n.user_id WHERE u.username = :u "
            "AND n.kind LIKE 'screening_%' ORDER BY n.id"), {"u": username}).scalars().all()
        db.session.remove()
    return kinds


def _figures(rollup_row):
    return rollup_row["period"], rollup_row["ytd"]


def test_a_month_of_a_township_and_three_enterprises(app, net, month, clock):
    sheets = month
    # October: 东镇 finds a wage dispute (carried into November), 某厂 settles a family quarrel.
    clock(2026, 10, 14)
    sheets.file("t1_recv", "t1_head", sheets.open("t1_recv"), line(people_count=12, status="mediating"))
    sheets.file("e1_liaison", "e1_head", sheets.open("e1_liaison"),
                line(dispute_type="家庭", people_count=2, status="resolved", measures="调解成功"))
    clock(2026, 11, 2)
    resp = sheets.api.post("c_head", "/api/v1/screening/exemptions", {
        "unit_id": net.units["V1"], "reason": "村两委换届，本月由镇代报", "starts_on": "2026-11-01",
        "ends_on": "2026-11-30"})
    assert resp.status_code == 201

    # November. 东镇's draft carries the wage dispute; it is resolved now, and a village-affairs one is new.
    clock(2026, 11, 16)
    town = sheets.open("t1_recv")
    assert [(d["dispute_type"], d["carried"]) for d in town["lines"]] == [("劳资", True)]
    town = sheets.lines("t1_recv", town, [line(people_count=12, status="resolved", measures="已全额支付"),
                                          line(dispute_type="村务", people_count=60, status="screened")])
    town = sheets.step("t1_recv", town, "submit")
    town = sheets.step("t1_head", town, "sign")
    clock(2026, 11, 17)
    e1 = sheets.file("e1_liaison", "e1_head", sheets.open("e1_liaison"),
                     line(people_count=35, status="mediating"))
    clock(2026, 11, 18)
    e3 = sheets.file("e3_liaison", "e3_head", sheets.open("e3_liaison"))  # 本月无矛盾纠纷
    assert e3["is_nil"] and not e1["late"] and not town["late"]
    _sweep(app, date(2026, 11, 18))  # two days before the 20th: who has not filed is reminded
    assert _kinds(app, "e4_liaison") == ["screening_due"] and _kinds(app, "e4_head") == ["screening_due"]
    assert _kinds(app, "e3_liaison") == []  # filed already
    early = sheets.api.get("t1_head", "/api/v1/screening/rollup?period=2026-11").get_json()["total"]
    assert (early["pending"], early["missing_units"], early["expected"]) == (1, [], 3)  # 四厂 is not late yet
    # The 21st: the township and the county center see who is late; 四厂 is reminded again, once.
    clock(2026, 11, 21)
    _sweep(app, date(2026, 11, 21))
    _sweep(app, date(2026, 11, 21))
    assert _kinds(app, "e4_liaison") == ["screening_due", "screening_late"]
    for viewer in ("t1_recv", "c_recv"):
        items = sheets.api.get(viewer, "/api/v1/screening/late?month=2026-11").get_json()["items"]
        assert ("东镇四厂", "missing") in [(i["unit_name"], i["status"]) for i in items]
    clock(2026, 11, 23)
    e4 = sheets.file("e4_liaison", "e4_head", sheets.open("e4_liaison"),
                     line(dispute_type="环境", people_count=8, status="screened"))
    assert e4["late"] and e4["state"] == "filed"
    for sheet in (town,):
        sheets.step("c_recv", sheets.show("c_recv", sheet["id"]), "accept")
    for sheet in (e1, e3, e4):
        sheets.step("t1_recv", sheets.show("t1_recv", sheet["id"]), "accept")

    # By hand, November in 东镇 (甲村 excused):
    #   东镇  劳资 12人 L2(重大) 调处成功 (carried) · 村务 60人 L3(重大) 排查
    #   某厂  劳资 35人 L3(重大) 调处中 · 三厂 零报告 · 四厂 环境 8人 L1 排查 (过期录入)
    # 小计: 排查 4, 调处 2, 成功 1 → 调处率 0.5000, 成功率 0.2500; 重大 3/2/1 → 0.3333;
    #   by type 劳资 2/2/1, 村务 1/0/0, 环境 1/0/0; bands <50: 3 起 1 成功, 50–100: 1 起.
    # 年度累计 (Jan–Nov, each dispute once at its latest status): 东镇劳资 成功, 某厂家庭 成功, 村务, 某厂劳资 调处中,
    #   四厂环境 → 排查 5, 调处 3, 成功 2 → 0.6000 / 0.4000.
    # 上期 (October): 排查 2, 调处 2, 成功 1.  On time: 3 of 4 expected → 0.7500.
    resp = sheets.api.get("t1_head", "/api/v1/screening/rollup?period=2026-11")
    assert resp.status_code == 200, resp.get_json()
    town_view = resp.get_json()
    total = town_view["total"]
    period, ytd = _figures(total)
    assert period["total"] == {"screened": 4, "mediated": 2, "resolved": 1}
    assert (period["mediated_rate"], period["resolved_rate"]) == ("0.5000", "0.2500")
    assert period["major"] == {"screened": 3, "mediated": 2, "resolved": 1, "resolved_rate": "0.3333"}
    by_type = {t["type"]: (t["screened"], t["mediated"], t["resolved"]) for t in period["by_type"]
               if t["screened"]}
    assert by_type == {"劳资": (2, 2, 1), "村务": (1, 0, 0), "环境": (1, 0, 0)}
    bands = {b["band"]: (b["cases"], b["resolved"]) for b in period["bands"]}
    assert bands == {"lt50": (3, 1), "50_100": (1, 0), "100_500": (0, 0), "gt500": (0, 0)}
    assert ytd["total"] == {"screened": 5, "mediated": 3, "resolved": 2}
    assert (ytd["mediated_rate"], ytd["resolved_rate"]) == ("0.6000", "0.4000")
    assert total["previous"]["total"] == {"screened": 2, "mediated": 2, "resolved": 1}
    assert (total["expected"], total["filed"], total["on_time"], total["on_time_share"]) == (4, 4, 3, "0.7500")
    assert total["missing_units"] == []
    nil_row = next(r for r in town_view["rows"] if r["unit_id"] == net.units["E3"])
    assert nil_row["period"]["total"] == {"screened": 0, "mediated": 0, "resolved": 0}
    assert nil_row["period"]["mediated_rate"] is None and nil_row["period"]["resolved_rate"] is None  # "—"
    assert not nil_row["missing"] and nil_row["nil_sheets"] == 1

    # The county: 东镇's figures; 西镇, its enterprise and 人社局 expected and missing (never zeros).
    county = sheets.api.get("c_recv", "/api/v1/screening/rollup?period=2026-11").get_json()
    assert _figures(county["total"])[0]["total"] == {"screened": 4, "mediated": 2, "resolved": 1}
    assert _figures(county["total"])[1]["total"] == {"screened": 5, "mediated": 3, "resolved": 2}
    assert (county["total"]["expected"], county["total"]["on_time"], county["total"]["on_time_share"]) == \
        (7, 3, "0.4286")
    west = next(r for r in county["rows"] if r["unit_id"] == net.units["T2"])
    assert west["missing"] and west["period"]["total"]["screened"] is None
    assert west["period"]["resolved_rate"] is None
    assert sorted(m["name"] for m in county["total"]["missing_units"]) == ["测试县人社局", "西镇人民政府", "西镇某厂"]
    # Every figure leads to its disputes: 东镇's 年度累计 成功 are the two settled ones.
    resp = sheets.api.get("c_recv", f"/api/v1/screening/rollup/disputes?period=2026-11&unit={net.units['T1']}"
                                    "&span=ytd&measure=resolved")
    assert resp.status_code == 200, resp.get_json()
    assert sorted(d["dispute_type"] for d in resp.get_json()["items"]) == ["劳资", "家庭"]


def test_a_correction_and_a_return_keep_the_year_to_date_right(app, net, month, clock):
    """年度累计 counts a dispute once at its latest status, through corrections and returns."""
    sheets = month
    clock(2026, 10, 14)
    october = sheets.file("e1_liaison", "e1_head", sheets.open("e1_liaison"), line(status="mediating"))
    clock(2026, 11, 12)
    november = sheets.open("e1_liaison")
    november = sheets.lines("e1_liaison", november, [line(status="resolved", measures="已支付")])
    november = sheets.step("e1_liaison", november, "submit")
    november = sheets.step("e1_head", november, "sign")

    def ytd(code):
        body = sheets.api.get("t1_recv", f"/api/v1/screening/rollup?period={code}").get_json()
        return _figures(body["total"])[1]["total"]

    assert ytd("2026-10") == {"screened": 1, "mediated": 1, "resolved": 0}  # as it stood in October
    assert ytd("2026-11") == {"screened": 1, "mediated": 1, "resolved": 1}  # one dispute, now settled
    november = sheets.step("t1_recv", november, "return", note="请核实")  # stops counting
    assert ytd("2026-11") == {"screened": 1, "mediated": 1, "resolved": 0}  # October's line is latest again
    november = sheets.step("e1_head", november, "sign")
    november = sheets.step("t1_recv", november, "accept")
    fixed = sheets.step("e1_liaison", november, "correct", expect=201, note="状态填错")
    fixed = sheets.lines("e1_liaison", fixed, [line(status="escalated")])
    fixed = sheets.step("e1_head", fixed, "sign")
    assert ytd("2026-11") == {"screened": 1, "mediated": 1, "resolved": 0}
    assert october["id"] != fixed["id"]
