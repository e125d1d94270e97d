"""`flask tenants sync`: idempotent, and a refused file changes nothing."""
import copy
import json

import pytest
import sqlalchemy as sa

from county_net.audit.models import AuditRecord
from county_net.extensions import db
from county_net.tenancy import system_scope
from county_net.units.models import Unit, Window
from county_net.units.network_file import NetworkFileError, parse_network
from tests.conftest import NETWORK


def _write(tmp_path, data) -> str:
    lines = ["[network]", f'county = "{data["network"]["county"]}"', f'version = "{data["network"]["version"]}"']
    for unit in data["units"]:
        lines.append("[[units]]")
        lines += [f"{k} = {json.dumps(v, ensure_ascii=False)}" for k, v in unit.items()]
    for window in data.get("windows", []):
        lines.append("[[windows]]")
        lines += [f"{k} = {json.dumps(v, ensure_ascii=False)}" for k, v in window.items()]
    path = tmp_path / "network.toml"
    path.write_text("\n".join(lines), encoding="utf-8")
    return str(path)


def _snapshot(app):
    with app.app_context(), system_scope("snapshot"):
        units = db.session.execute(sa.select(Unit.code, Unit.name, Unit.kind, Unit.parent_id, Unit.path,
                                             Unit.is_active).order_by(Unit.code)).all()
        audits = db.session.scalar(sa.select(sa.func.count()).select_from(AuditRecord))
        db.session.remove()
    return units, audits


def test_sync_twice_changes_nothing_the_second_time(app, tmp_path):
    runner = app.test_cli_runner()
    path = _write(tmp_path, NETWORK)
    first = runner.invoke(args=["tenants", "sync", path])
    assert first.exit_code == 0 and "新增 7 个单位" in first.output
    before = _snapshot(app)
    second = runner.invoke(args=["tenants", "sync", path])
    assert second.exit_code == 0 and "无变化" in second.output
    assert _snapshot(app) == before
    shown = runner.invoke(args=["tenants", "show"])
    assert "东镇人民政府 [township] T1" in shown.output and "窗口 1：人社窗口（人社局）" in shown.output


def test_sync_updates_moves_and_deactivates(app, tmp_path):
    runner = app.test_cli_runner()
    runner.invoke(args=["tenants", "sync", _write(tmp_path, NETWORK)])
    changed = copy.deepcopy(NETWORK)
    changed["units"][1]["name"] = "东城街道办事处"
    changed["units"] = [u for u in changed["units"] if u["code"] != "V1"]
    for unit in changed["units"]:
        if unit["code"] == "E2":
            unit["parent"] = "B1"  # an enterprise moves under a bureau
    result = runner.invoke(args=["tenants", "sync", _write(tmp_path, changed)])
    assert result.exit_code == 0, result.output
    with app.app_context(), system_scope("check"):
        units = {u.code: u for u in db.session.scalars(sa.select(Unit))}
        assert units["T1"].name == "东城街道办事处"
        assert units["V1"].is_active is False
        assert units["E2"].path == f"{units['B1'].path}{units['E2'].id}/"
        db.session.remove()


def _broken(mutate):
    data = copy.deepcopy(NETWORK)
    mutate(data)
    return data


REFUSALS = {
    "unknown parent": (_broken(lambda d: d["units"][4].update(parent="T9")), "上级单位 T9 不存在"),
    "cycle": (_broken(lambda d: d["units"].extend([
        {"code": "X1", "name": "甲", "kind": "township", "parent": "X2"},
        {"code": "X2", "name": "乙", "kind": "township", "parent": "X1"}])), "循环"),
    "duplicate code": (_broken(lambda d: d["units"].append({"code": "T1", "name": "重复", "kind": "township",
                                                            "parent": "C0"})), "编码重复"),
    "invalid kind": (_broken(lambda d: d["units"][1].update(kind="province")), "单位类型 'province' 无效"),
    "kind under wrong parent": (_broken(lambda d: d["units"][5].update(parent="B1")),
                                "类型 village 不能隶属于类型为 bureau 的单位 B1"),
    "second root": (_broken(lambda d: d["units"].append({"code": "C9", "name": "另一个县", "kind": "county_center"})),
                    "只能有一个根单位"),
    "window names unknown unit": (_broken(lambda d: d["windows"].append({"number": 2, "name": "x",
                                                                       "stationed": ["ZZ"]})), "入驻单位 ZZ 不存在"),
}


@pytest.mark.parametrize("case", sorted(REFUSALS))
def test_refused_file_names_the_entry_and_changes_nothing(app, tmp_path, case):
    runner = app.test_cli_runner()
    runner.invoke(args=["tenants", "sync", _write(tmp_path, NETWORK)])
    before = _snapshot(app)
    data, message = REFUSALS[case]
    changed = copy.deepcopy(data)
    changed["units"][1]["name"] = "本应不被写入的新名字"  # a valid change riding along must not land either
    result = runner.invoke(args=["tenants", "sync", _write(tmp_path, changed)])
    assert result.exit_code != 0
    assert message in result.output and "未做任何修改" in result.output
    assert _snapshot(app) == before


def test_parser_accepts_children_before_parents():
    data = copy.deepcopy(NETWORK)
    data["units"].reverse()
    network = parse_network(data)
    assert network.root.code == "C0"
    seen = set()
    for entry in network.units:
        assert entry.parent is None or entry.parent in seen
        seen.add(entry.code)


def test_parser_rejects_garbage():
    with pytest.raises(NetworkFileError):
        parse_network({"network": {"county": "x"}, "units": "nope"})
    with pytest.raises(NetworkFileError, match="缺少字段 name"):
        parse_network({"network": {"county": "x"}, "units": [{"code": "C0", "kind": "county_center"}]})


def test_demo_county_loads(app):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["demo", "load"])
    assert result.exit_code == 0, result.output
    with app.app_context(), system_scope("check"):
        kinds = dict(db.session.execute(sa.select(Unit.kind, sa.func.count()).group_by(Unit.kind)).all())
        windows = db.session.scalar(sa.select(sa.func.count()).select_from(Window))
        db.session.remove()
    assert kinds["township"] >= 12 and kinds["bureau"] >= 25 and kinds["enterprise"] >= 40 and kinds["village"] >= 20
    assert windows >= 8
    again = runner.invoke(args=["demo", "load"])
    assert "无变化" in again.output and "新增 0 个，更新 0 个" in again.output


@pytest.mark.parametrize("value", [0, 6, 10])
def test_a_county_cannot_allow_more_than_five_representatives(value):
    data = {"network": {"county": "x", "version": "1"},
            "units": [{"code": "C0", "name": "某县信访局", "kind": "county_center"}],
            "settings": {"max_representatives": value}}
    with pytest.raises(NetworkFileError, match="max_representatives"):
        parse_network(data)
    data["settings"]["max_representatives"] = 3  # fewer is the county's to choose (浙江: 3 for ten or fewer)
    assert parse_network(data).settings["max_representatives"] == 3
