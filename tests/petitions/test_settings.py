"""County settings from the network file change the numbers and the limits without code changes;
people's data is encrypted at rest."""
import copy
from datetime import date, timedelta

import sqlalchemy as sa

from county_net.core.timeutil import local_today
from county_net.extensions import db
from county_net.tenancy import system_scope
from county_net.units.network_file import parse_network
from county_net.units.services import sync_units
from tests.conftest import NETWORK
from tests.petitions.helpers import Api, id_number


def _sync(app, settings):
    data = copy.deepcopy(NETWORK)
    data["settings"] = settings
    with app.app_context(), system_scope("test sync"):
        sync_units(parse_network(data))
        db.session.remove()


def test_network_settings_change_numbers_and_limits(app, net, api_token):
    _sync(app, {"number_pattern": "测信〔{year}〕{seq:04d}号",
                "deadline_rules": [{"step": "acceptance_notice", "days": 5, "day_kind": "working",
                                    "article": "《浙江省信访条例》第二十条"},
                                   {"step": "handling", "days": 30, "unit": "B1", "article": "本局制度"}]})
    api = Api(app, api_token)
    p = api.register("c_recv")
    assert p["number"].startswith("测信〔") and p["number"].endswith("0001号")
    p = api.act("c_recv", p, "transfer", to_unit_id=net.units["B1"])
    b = api.show("b1_recv", p["id"])
    assert b["deadline"]["article"] == "《浙江省信访条例》第二十条"
    b = api.act("b1_recv", b, "sign-for")
    b = api.act("b1_recv", b, "accept")
    assert b["deadline"]["article"] == "本局制度"
    expected = local_today() + timedelta(days=30)
    assert date.fromisoformat(b["deadline"]["due_on"]) >= expected  # 30 days (a holiday may push it on)
    assert date.fromisoformat(b["deadline"]["due_on"]) < local_today() + timedelta(days=40)


def test_bad_settings_are_refused(app, net):
    import pytest

    from county_net.units.network_file import NetworkFileError

    for bad, message in (({"deadline_rules": [{"step": "nope", "days": 5}]}, "未知的时限步骤"),
                         ({"deadline_rules": [{"step": "handling", "days": 0}]}, "1–365"),
                         ({"deadline_rules": [{"step": "handling", "days": 5, "unit": "ZZ"}]}, "单位 ZZ 不存在"),
                         ({"number_pattern": "{nope}"}, "number_pattern"),
                         ({"calendar": {"off": ["2026-02-30"]}}, "日期"),
                         ({"unknown_key": 1}, "未知设置项")):
        data = copy.deepcopy(NETWORK)
        data["settings"] = bad
        with pytest.raises(NetworkFileError, match=message):
            parse_network(data)


def test_people_data_is_encrypted_at_rest(app, net, api_token):
    api = Api(app, api_token)
    api.register("c_recv")
    with app.app_context(), system_scope("raw"):
        row = db.session.execute(sa.text("SELECT id_number_enc, id_number_hash, phone_enc, id_number_masked "
                                         "FROM petitioners")).one()
        db.session.remove()
    assert id_number(1) not in "".join(str(v) for v in row)
    assert "13800001111" not in "".join(str(v) for v in row)
    assert row.id_number_enc.startswith("v2:") and len(row.id_number_hash) == 64
