"""The hall as data: the network file's [hall] and window routing (checks by name, idempotent sync), the set-up
page and API (who may see and edit, 400/403/404, audit), windows_for for triage, the demo county's hall."""
from __future__ import annotations

import copy
import json

import pytest
import sqlalchemy as sa

from county_net.audit.models import AuditRecord
from county_net.extensions import db
from county_net.hall.models import HallRoom, HallStation, HallStationRota
from county_net.tenancy import system_scope
from county_net.units.models import Window
from county_net.units.network_file import NetworkFileError, load_network_file, parse_network
from county_net.units.services import sync_units
from tests.conftest import NETWORK
from tests.hall.seed import seed_setup
from tests.petitions.helpers import add_user
from tests.tenancy.seed import neighbour_county


def with_hall() -> dict:
    data = copy.deepcopy(NETWORK)
    data["windows"] = [
        {"number": 1, "name": "人社窗口", "stationed": ["B1"], "subjects": ["03"], "localities": ["T1"], "room": 2},
        {"number": 2, "name": "综合登记窗口", "stationed": ["C0"], "room": 1},
    ]
    data["hall"] = {
        "rooms": [{"number": 1, "kind": "registration", "name": "来访登记接待室"},
                  {"number": 2, "kind": "department", "name": "县级部门接待室"}],
        "stations": [{"unit": "B1", "mode": "rotating", "contact_person": "王某", "contact_phone": "0570-6600100",
                      "rota": [{"from": "2026-01-01", "to": "2026-06-30", "staff": "王某"},
                               {"from": "2026-07-01", "to": "2099-12-31", "staff": "赵某"}]},
                     {"unit": "C0", "mode": "on_call", "contact_phone": "0570-6600101", "response_minutes": 30}],
    }
    return data


def _sync(app, data):
    with app.app_context(), system_scope("test sync"):
        report = sync_units(parse_network(data))
        db.session.remove()
    return report


# ---- the file: every rule refuses its entry by name ------------------------------------------------------

def _station(data, **fields):
    data["hall"]["stations"][0].update(fields)
    return data


RULES = [
    ("房间号 number 必须是", "hall.rooms[0]", lambda d: d["hall"]["rooms"][0].update(number=0)),
    ("房间号重复", "hall.rooms[1]（房间 1）", lambda d: d["hall"]["rooms"][1].update(number=1)),
    ("kind 应为", "hall.rooms[0]（房间 1）", lambda d: d["hall"]["rooms"][0].update(kind="hall")),
    ("缺少字段 name", "hall.rooms[0]（房间 1）", lambda d: d["hall"]["rooms"][0].pop("name")),
    ("未知字段", "hall.rooms[0]", lambda d: d["hall"]["rooms"][0].update(floor=2)),
    ("单位不存在", "hall.stations[0]（单位 X9）", lambda d: _station(d, unit="X9")),
    ("驻厅单位应为", "hall.stations[0]（单位 T1）", lambda d: _station(d, unit="T1")),
    ("单位重复", "hall.stations[1]（单位 B1）", lambda d: d["hall"]["stations"][1].update(unit="B1")),
    ("mode 应为", "hall.stations[0]（单位 B1）", lambda d: _station(d, mode="sometimes")),
    ("须写明到达时限", "hall.stations[1]（单位 C0）", lambda d: d["hall"]["stations"][1].pop("response_minutes")),
    ("response_minutes 应为 1–1440", "hall.stations[1]（单位 C0）",
     lambda d: d["hall"]["stations"][1].update(response_minutes=2000)),
    ("须写明联系电话", "hall.stations[1]（单位 C0）", lambda d: d["hall"]["stations"][1].pop("contact_phone")),
    ("联系电话 contact_phone 格式无效", "hall.stations[0]（单位 B1）", lambda d: _station(d, contact_phone="call me")),
    ("阶段轮驻须有轮驻安排", "hall.stations[0]（单位 B1）", lambda d: _station(d, rota=[])),
    ("晚于结束日期", "hall.stations[0]（单位 B1）.rota[0]",
     lambda d: _station(d, rota=[{"from": "2026-03-01", "to": "2026-02-01"}])),
    ("须为日期", "hall.stations[0]（单位 B1）.rota[0]", lambda d: _station(d, rota=[{"from": "soon", "to": "2026-02-01"}])),
    ("轮驻时段重叠", "hall.stations[0]（单位 B1）",
     lambda d: _station(d, rota=[{"from": "2026-01-01", "to": "2026-03-01"},
                                 {"from": "2026-02-01", "to": "2026-04-01"}])),
    ("事项类别编码 '0 3' 格式无效", "windows[0]（窗口 1）", lambda d: d["windows"][0].update(subjects=["0 3"])),
    ("不是本文件中的乡镇", "windows[0]（窗口 1）", lambda d: d["windows"][0].update(localities=["B1"])),
    ("不是本文件中的乡镇", "windows[0]（窗口 1）", lambda d: d["windows"][0].update(localities=["ZZ"])),
    ("不在 hall.rooms 中", "windows[0]（窗口 1）", lambda d: d["windows"][0].update(room=7)),
    ("不在 hall.rooms 中", "windows[0]（窗口 1）", lambda d: d.pop("hall")),
    ("重复的编码", "windows[0]（窗口 1）", lambda d: d["windows"][0].update(subjects=["03", "03"])),
]


@pytest.mark.parametrize("message, where, spoil", RULES, ids=[f"{i}-{r[0]}" for i, r in enumerate(RULES)])
def test_a_bad_hall_entry_is_refused_by_name(message, where, spoil):
    data = with_hall()
    spoil(data)
    with pytest.raises(NetworkFileError) as exc:
        parse_network(data)
    assert str(exc.value).startswith(where) and message in str(exc.value), str(exc.value)


def test_toml_dates_are_read_as_rota_days(tmp_path):
    path = tmp_path / "n.toml"
    path.write_text('[network]\ncounty = "测试县"\n[[units]]\ncode = "C0"\nname = "县信访局"\nkind = "county_center"\n'
                    '[[units]]\ncode = "B1"\nname = "人社局"\nkind = "bureau"\nparent = "C0"\n'
                    '[[hall.stations]]\nunit = "B1"\nmode = "rotating"\n'
                    'rota = [{from = 2026-11-01, to = 2026-12-31, staff = "张三"}]\n', encoding="utf-8")
    station = load_network_file(path).hall.stations[0]
    assert str(station.rota[0].starts_on) == "2026-11-01" and station.rota[0].staff == "张三"


def test_an_unknown_category_is_refused_at_sync_naming_the_window_and_nothing_is_written(app, net):
    data = with_hall()
    data["windows"][0]["subjects"] = ["03", "77"]
    with pytest.raises(NetworkFileError, match=r"^windows\[0\]（窗口 1）：事项类别编码 77 不存在"):
        _sync(app, data)
    with app.app_context(), system_scope("check"):
        assert db.session.scalar(sa.select(sa.func.count()).select_from(HallRoom)) == 0
        db.session.remove()


# ---- sync ---------------------------------------------------------------------------------------------------

def _hall_rows(app):
    with app.app_context(), system_scope("snapshot"):
        rows = (db.session.execute(sa.select(HallRoom.number, HallRoom.kind, HallRoom.name, HallRoom.is_active)
                                   .order_by(HallRoom.number)).all(),
                db.session.execute(sa.select(HallStation.stationed_unit_id, HallStation.mode,
                                             HallStation.contact_phone, HallStation.response_minutes,
                                             HallStation.is_active).order_by(HallStation.id)).all(),
                db.session.execute(sa.select(HallStationRota.id, HallStationRota.starts_on, HallStationRota.ends_on,
                                             HallStationRota.staff).order_by(HallStationRota.id)).all(),
                db.session.execute(sa.select(Window.number, Window.subjects, Window.localities, Window.room_number)
                                   .order_by(Window.number)).all(),
                db.session.scalar(sa.select(sa.func.count()).select_from(AuditRecord)))
        db.session.remove()
    return rows


def test_sync_writes_the_hall_and_a_second_sync_changes_nothing(app, net):
    first = _sync(app, with_hall())
    assert "新增房间 1" in first.hall_changed and "新增驻厅单位 B1" in first.hall_changed
    assert "大厅设置变更" in first.summary()
    before = _hall_rows(app)
    rooms, stations, rotas, windows, _ = before
    assert [r.number for r in rooms] == [1, 2] and len(stations) == 2 and len(rotas) == 2
    assert windows[0].subjects == '["03"]' and windows[0].localities == '["T1"]' and windows[0].room_number == 2
    second = _sync(app, with_hall())
    assert not second.changed and second.summary().startswith("无变化")
    assert _hall_rows(app) == before


def test_sync_replaces_a_changed_rota_and_deactivates_what_the_file_drops(app, net):
    _sync(app, with_hall())
    data = with_hall()
    data["hall"]["stations"][0]["rota"][1]["staff"] = "钱某"
    data["hall"]["rooms"].pop(0)
    data["windows"][1].pop("room")
    data["hall"]["stations"].pop(1)
    report = _sync(app, data)
    assert set(report.hall_changed) == {"停用房间 1", "更新轮驻安排 B1", "停用驻厅单位 C0"}
    assert 2 in report.windows_changed
    rooms, stations, rotas, _, _ = _hall_rows(app)
    assert [r.is_active for r in rooms] == [False, True] and [s.is_active for s in stations] == [True, False]
    assert [r.staff for r in rotas] == ["王某", "钱某"]
    assert not _sync(app, data).changed
    # Without [hall] the rooms and stations are left alone; the windows' routing still follows the file.
    plain = copy.deepcopy(NETWORK)
    report = _sync(app, plain)
    assert report.hall_changed == [] and 1 in report.windows_changed
    assert _hall_rows(app)[:3] == (rooms, stations, rotas)


def test_the_demo_county_hall_syncs_and_twice_changes_nothing(app):
    from pathlib import Path

    path = Path(__file__).resolve().parents[2] / "tenants" / "demo_county.toml"
    runner = app.test_cli_runner()
    first = runner.invoke(args=["tenants", "sync", str(path)])
    assert first.exit_code == 0 and "大厅设置变更" in first.output, first.output
    second = runner.invoke(args=["tenants", "sync", str(path)])
    assert second.exit_code == 0 and "无变化" in second.output, second.output
    from county_net.hall.setup_queries import hall_layout, windows_for
    from county_net.units.models import Unit

    with app.app_context(), system_scope("check"):
        root = db.session.scalar(sa.select(Unit.id).where(Unit.code == "339901000000"))
        layout = hall_layout(root)
        assert len(layout["rooms"]) == 7 and len(layout["windows"]) == 10
        modes = {s["mode"] for s in layout["stations"]}
        assert modes == {"whole", "resident", "rotating", "on_call", "shared"}
        assert all(s["windows"] for s in layout["stations"])  # every station sits at a window
        first_window = next(w for w in windows_for(root) if w["number"] == 1)
        assert first_window["subjects"] == set() and first_window["localities"] == set()
        farm = next(w for w in windows_for(root) if w["number"] == 9)
        assert len(farm["subjects"]) == 2 and len(farm["localities"]) == 5
        db.session.remove()


# ---- set-up page and API ---------------------------------------------------------------------------------

@pytest.fixture
def hall(app, net):
    _sync(app, with_hall())
    add_user(app, net, "c_head", "C0", ["head"])
    with app.app_context(), system_scope("ids"):
        net.stations = {unit: db.session.scalar(sa.select(HallStation.id).where(
            HallStation.stationed_unit_id == net.units[unit])) for unit in ("B1", "C0")}
        net.rotas = list(db.session.scalars(sa.select(HallStationRota.id).order_by(HallStationRota.starts_on)))
        net.windows = {w.number: w.id for w in db.session.scalars(sa.select(Window))}
        db.session.remove()
    return net


def _audits(app, action):
    with app.app_context(), system_scope("check"):
        rows = list(db.session.scalars(sa.select(AuditRecord).where(AuditRecord.action == action)))
        db.session.remove()
    return rows


def test_the_setup_api_shows_the_hall_to_the_center_only(app, hall, api_token):
    client = app.test_client()
    body = client.get("/api/v1/hall/setup", headers=api_token("c_recv")).get_json()
    assert [r["number"] for r in body["rooms"]] == [1, 2] and body["may_edit"] is False
    b1 = next(s for s in body["stations"] if s["unit_id"] == hall.units["B1"])
    assert b1["mode"] == "rotating" and b1["windows"] == [1] and b1["in_hall_today"] is True
    assert {r["when"] for r in b1["rota"]} <= {"past", "current", "upcoming"}
    window = next(w for w in body["windows"] if w["number"] == 1)
    assert window["locality_ids"] == [hall.units["T1"]] and window["subject_names"] == ["劳动社保"]
    assert client.get("/api/v1/hall/setup", headers=api_token("c_head")).get_json()["may_edit"] is True
    assert client.get("/api/v1/hall/setup", headers=api_token("t1_head")).status_code == 403


def test_api_edits_a_station_with_role_check_bad_input_and_audit(app, hall, api_token):
    client = app.test_client()
    url = f"/api/v1/hall/stations/{hall.stations['C0']}"
    good = {"mode": "on_call", "contact_person": "李某", "contact_phone": "0570-6600199", "response_minutes": 20}
    assert client.patch(url, json=good, headers=api_token("c_recv")).status_code == 403
    assert client.patch(url, json=good, headers=api_token("t1_head")).status_code == 404
    bad = client.patch(url, json={**good, "response_minutes": None}, headers=api_token("c_head"))
    assert bad.status_code == 400 and "response_minutes" in bad.get_json()["error"]["fields"]
    bad = client.patch(url, json={**good, "mode": "never"}, headers=api_token("c_head"))
    assert bad.status_code == 400 and "mode" in bad.get_json()["error"]["fields"]
    bad = client.patch(url, json={**good, "contact_phone": "call"}, headers=api_token("c_head"))
    assert bad.status_code == 400 and "contact_phone" in bad.get_json()["error"]["fields"]
    assert _audits(app, "hall.station_updated") == []
    resp = client.patch(url, json=good, headers=api_token("c_head"))
    assert resp.status_code == 200 and resp.get_json()["response_minutes"] == 20
    assert resp.get_json()["contact_person"] == "李某"
    assert len(_audits(app, "hall.station_updated")) == 1
    resp = client.patch(url, json={"mode": "resident"}, headers=api_token("admin"))
    assert resp.status_code == 200 and resp.get_json()["contact_phone"] is None
    # Rotating needs a rota first.
    bad = client.patch(url, json={"mode": "rotating"}, headers=api_token("c_head"))
    assert bad.status_code == 400 and "mode" in bad.get_json()["error"]["fields"]


def test_api_adds_and_removes_rota_spans(app, hall, api_token):
    client, head = app.test_client(), api_token("c_head")
    url = f"/api/v1/hall/stations/{hall.stations['B1']}/rota"
    overlap = client.post(url, json={"starts_on": "2026-06-01", "ends_on": "2026-07-05"}, headers=head)
    assert overlap.status_code == 400 and "starts_on" in overlap.get_json()["error"]["fields"]
    upside = client.post(url, json={"starts_on": "2025-06-01", "ends_on": "2025-05-01"}, headers=head)
    assert upside.status_code == 400 and "ends_on" in upside.get_json()["error"]["fields"]
    assert client.post(url, json={"starts_on": "2025-06-01"}, headers=head).status_code == 400
    assert client.post(url, json={"starts_on": "2025-01-01", "ends_on": "2025-01-31"},
                       headers=api_token("c_recv")).status_code == 403
    added = client.post(url, json={"starts_on": "2025-01-01", "ends_on": "2025-01-31", "staff": "孙某"}, headers=head)
    assert added.status_code == 201 and len(added.get_json()["rota"]) == 3
    assert len(_audits(app, "hall.rota_added")) == 1
    new_id = next(r["id"] for r in added.get_json()["rota"] if r["staff"] == "孙某")
    gone = client.delete(f"{url}/{new_id}", headers=head)
    assert gone.status_code == 200 and len(gone.get_json()["rota"]) == 2
    assert client.delete(f"{url}/{new_id}", headers=head).status_code == 404
    # A span of another station is not this station's.
    c0_url = f"/api/v1/hall/stations/{hall.stations['C0']}/rota/{hall.rotas[0]}"
    assert client.delete(c0_url, headers=head).status_code == 404
    client.delete(f"{url}/{hall.rotas[0]}", headers=head)
    last = client.delete(f"{url}/{hall.rotas[1]}", headers=head)  # a rotating unit keeps one span
    assert last.status_code == 400 and "rota" in last.get_json()["error"]["fields"]
    assert len(_audits(app, "hall.rota_removed")) == 2


def test_api_edits_a_windows_subjects_and_localities(app, hall, api_token):
    from county_net.hall.setup_queries import windows_for

    client, head = app.test_client(), api_token("c_head")
    url = f"/api/v1/hall/windows/{hall.windows[1]}"
    with app.app_context(), system_scope("ids"):
        from county_net.petitions.models import Category

        cats = {c.code: c.id for c in db.session.scalars(sa.select(Category))}
        db.session.remove()
    body = {"category_ids": [cats["03"], cats["04"]], "township_ids": [hall.units["T1"], hall.units["T2"]]}
    assert client.patch(url, json=body, headers=api_token("c_recv")).status_code == 403
    bad = client.patch(url, json={**body, "township_ids": [hall.units["B1"]]}, headers=head)
    assert bad.status_code == 400 and "township_ids" in bad.get_json()["error"]["fields"]
    bad = client.patch(url, json={**body, "category_ids": [987654]}, headers=head)
    assert bad.status_code == 400 and "category_ids" in bad.get_json()["error"]["fields"]
    assert client.patch(url, json={"category_ids": []}, headers=head).status_code == 400
    resp = client.patch(url, json=body, headers=head)
    assert resp.status_code == 200 and resp.get_json()["subject_names"] == ["劳动社保", "企业改制"]
    assert len(_audits(app, "hall.window_routing_updated")) == 1
    with app.app_context(), system_scope("check"):
        window = next(w for w in windows_for(hall.units["C0"]) if w["number"] == 1)
        assert window["subjects"] == {cats["03"], cats["04"]}
        assert window["localities"] == {hall.units["T1"], hall.units["T2"]}
        assert window["stationed_unit_ids"] == [hall.units["B1"]] and window["room_number"] == 2
        assert json.loads(db.session.get(Window, hall.windows[1]).localities) == ["T1", "T2"]  # codes, as the file
        db.session.remove()
    # The next sync writes the file's values back.
    report = _sync(app, with_hall())
    assert report.windows_changed == [1]


def test_another_countys_hall_is_404(app, hall, api_token, login):
    k = neighbour_county(app, [("k_head", "K0", ["head"])])
    theirs = seed_setup(app, k["K0"])
    client, head = app.test_client(), api_token("c_head")
    assert client.patch(f"/api/v1/hall/stations/{theirs['station_id']}", json={"mode": "whole"},
                        headers=head).status_code == 404
    assert client.post(f"/api/v1/hall/stations/{theirs['station_id']}/rota",
                       json={"starts_on": "2025-01-01", "ends_on": "2025-01-02"}, headers=head).status_code == 404
    assert client.delete(f"/api/v1/hall/stations/{hall.stations['B1']}/rota/{theirs['rota_id']}",
                         headers=head).status_code == 404
    assert client.patch(f"/api/v1/hall/windows/{theirs['window_id']}", json={"category_ids": [], "township_ids": []},
                        headers=head).status_code == 404
    web = login("c_head")
    assert web.post(f"/hall/setup/stations/{theirs['station_id']}", data={"mode": "whole"}).status_code == 404
    # Their head sees their own hall only.
    body = client.get("/api/v1/hall/setup", headers=api_token("k_head")).get_json()
    assert [r["number"] for r in body["rooms"]] == [9] and len(body["stations"]) == 1


def test_the_setup_page_and_its_forms(app, hall, login):
    web = login("c_head")
    page = web.get("/hall/setup")
    text = page.get_data(as_text=True)
    assert page.status_code == 200 and "flask tenants sync" in text and "来访登记接待室" in text
    assert "阶段轮驻" in text and "今日在厅" in text and "劳动社保" in text and "东镇" in text
    url = f"/hall/setup/stations/{hall.stations['C0']}"
    bad = web.post(url, data={"mode": "on_call", "contact_phone": "0570-6600101", "response_minutes": "abc"},
                   form_page="/hall/setup")
    assert bad.status_code == 400 and "error" in bad.get_data(as_text=True)
    done = web.post(url, data={"mode": "on_call", "contact_phone": "0570-6600102", "response_minutes": "15"},
                    form_page="/hall/setup")
    assert done.status_code == 302
    assert "0570-6600102" in web.get("/hall/setup").get_data(as_text=True)
    rota = f"/hall/setup/stations/{hall.stations['B1']}/rota"
    assert web.post(rota, data={"starts_on": "2025-02-01", "ends_on": "2025-02-10", "staff": "周某"},
                    form_page="/hall/setup").status_code == 302
    assert web.post(rota, data={"starts_on": "2025-02-05", "ends_on": "2025-02-06"},
                    form_page="/hall/setup").status_code == 400
    assert web.post(f"{rota}/{hall.rotas[0]}/delete", form_page="/hall/setup").status_code == 302
    window = f"/hall/setup/windows/{hall.windows[1]}"
    # Nothing ticked: the window takes any subject from any township.
    assert web.post(window, data={"category_ids": "", "township_ids": ""}, form_page="/hall/setup").status_code == 302
    assert len(_audits(app, "hall.window_routing_updated")) == 1
    assert len(_audits(app, "hall.station_updated")) == 1 and len(_audits(app, "hall.rota_added")) == 1
    clerk = login("c_recv")
    assert clerk.get("/hall/setup").status_code == 200
    assert "增加轮驻时段" not in clerk.get("/hall/setup").get_data(as_text=True)
    assert clerk.post(url, data={"mode": "whole"}, form_page="/hall/setup").status_code == 403
    assert login("t1_head").get("/hall/setup").status_code == 403


def test_the_county_centers_unit_page_links_the_setup(app, hall, login):
    page = login("c_recv").get(f"/units/{hall.units['C0']}").get_data(as_text=True)
    assert 'id="hall-setup-link"' in page
