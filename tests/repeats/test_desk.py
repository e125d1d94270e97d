"""The desk's two lists through the JSON API and the web: the person's other matters apart from suggested
repeats, the preview answering what the registration then proposes, nothing from a matter the clerk may not
see, the clerk's decision and reason kept, the county's settings and windows."""
from datetime import datetime, timedelta, timezone

import sqlalchemy as sa

from county_net.extensions import db
from county_net.tenancy import system_scope
from tests.petitions.helpers import Api, category_id, id_number

WANG = {"name": "王某兵", "id_number": id_number(41), "phone": "13900004141"}
WAGES = "东镇宏达建筑工程有限公司在县医院住院楼项目拖欠王某兵等12名农民工2025年7月至12月工资共计41.6万元，多次讨要未果。"
WAGES_AGAIN = "王某兵又来了：宏达建筑在县医院住院楼工地欠我们去年七到十二月的工钱四十一万六千元，包工头跑了，请劳动监察帮忙要回。"
WELFARE = "王某兵反映其母亲八十二岁，户籍在东镇甲村，高龄津贴自去年10月起停发，请求核实恢复发放。"


class Desk(Api):
    def register(self, user, **fields):
        return super().register(user, **{"demands": "", **fields})  # the helper's default demands are a wage claim's


def _when(days_ago: int) -> str:
    return (datetime.now(timezone.utc) - timedelta(days=days_ago)).isoformat()


def _preview(api, user, summary, people, **extra):
    body = {"summary": summary, "category_id": extra.pop("category_id", None), "petitioners": people, **extra}
    resp = api.post(user, "/api/v1/repeats/preview", body)
    assert resp.status_code == 200, resp.get_json()
    return resp.get_json()


def test_the_person_s_other_matters_are_not_called_repeats(app, net, api_token):
    api = Desk(app, api_token)
    labour = category_id(app, "劳动社保")
    wages = api.register("c_recv", petitioners=[WANG], summary=WAGES, category_id=labour,
                         locality_unit_id=net.units["T1"], received_at=_when(40))
    welfare = api.register("c_recv", petitioners=[WANG], summary=WELFARE, category_id=category_id(app, "民政"),
                           locality_unit_id=net.units["T1"], received_at=_when(20))
    # The welfare claim shares no subject with the wage claim: the same person, not a repeat.
    assert welfare["links"] == [] and [m["id"] for m in welfare["own_matters"]] == [wages["id"]]
    # The same wage claim again, colloquial and in Chinese numerals: a repeat of the wage claim only, with reasons.
    found = _preview(api, "c_recv", WAGES_AGAIN, [{"id_number": WANG["id_number"]}], category_id=labour,
                     locality_unit_id=net.units["T1"])
    assert {m["id"] for m in found["own_matters"]} == {wages["id"], welfare["id"]}
    assert [s["earlier_id"] for s in found["suggestions"]] == [wages["id"]]
    suggestion = found["suggestions"][0]
    assert suggestion["reason"] == "same_person_text" and suggestion["reason_label"] == "同一信访人反映同一问题"
    codes = {s["code"]: s["weight"] for s in suggestion["signals"]}
    assert codes["same_person_text"] > 0 and codes["same_amount"] > 0, codes  # 四十一万六千 = 41.6万元
    assert "金额一致" in suggestion["reason_text"]


def test_the_preview_and_the_registration_give_the_same_suggestions(app, net, api_token):
    api = Desk(app, api_token)
    labour = category_id(app, "劳动社保")
    earlier = [api.register("c_recv", petitioners=[WANG], summary=WAGES, category_id=labour,
                            locality_unit_id=net.units["T1"], received_at=_when(30)),
               api.register("c_recv", petitioners=[{"name": "李某华", "phone": "13700001212"}], category_id=labour,
                            summary="宏达建筑县医院住院楼工地拖欠李某华等农民工工资41.6万元，王某兵是带班的，也没拿到钱。",
                            locality_unit_id=net.units["T1"], received_at=_when(10))]
    body = {"summary": WAGES_AGAIN, "category_id": labour, "locality_unit_id": net.units["T1"],
            "petitioners": [{"name": "王某军", "phone": "13600006060"}]}
    before = _count(app)
    preview = _preview(api, "c_recv", **{k: v for k, v in body.items() if k != "petitioners"},
                       people=body["petitioners"])
    legacy = api.post("c_recv", "/api/v1/petitions/repeat-candidates", body).get_json()
    assert _count(app) == before  # nothing written
    registered = api.register("c_recv", channel="letter", nature="demand", **body)
    expected = [(s["earlier_id"], s["score"], s["reason"]) for s in preview["suggestions"]]
    assert expected and {e[0] for e in expected} <= {m["id"] for m in earlier}
    assert [(l["earlier_id"], l["score"], l["reason"]) for l in registered["links"]] == expected
    assert [(s["earlier_id"], s["score"], s["reason"]) for s in legacy] == expected
    assert [l["signals"] for l in registered["links"]] == [s["signals"] for s in preview["suggestions"]]


def test_a_matter_the_clerk_may_not_see_is_never_suggested(app, net, api_token):
    """西镇's own matter is invisible to 东镇: neither list shows it, in the preview or the registration; the
    county center, which sees both, is told."""
    api = Desk(app, api_token)
    labour = category_id(app, "劳动社保")
    hidden = api.register("t2_recv", petitioners=[WANG], summary=WAGES, category_id=labour,
                          locality_unit_id=net.units["T2"], received_at=_when(15))
    for user in ("t1_recv",):
        found = _preview(api, user, WAGES_AGAIN, [WANG], category_id=labour, locality_unit_id=net.units["T2"])
        assert found == {"own_matters": [], "suggestions": []}
        mine = api.register(user, petitioners=[WANG], summary=WAGES_AGAIN, category_id=labour,
                            locality_unit_id=net.units["T2"])
        assert mine["links"] == [] and mine["own_matters"] == []
        body = api.get(user, f"/api/v1/petitions/{mine['id']}/repeats").get_json()
        assert body == {"own_matters": [], "links": []} and hidden["number"] not in str(body)
    center = _preview(api, "c_recv", WAGES_AGAIN, [WANG], category_id=labour, locality_unit_id=net.units["T2"])
    assert hidden["id"] in [s["earlier_id"] for s in center["suggestions"]]
    assert hidden["id"] in [m["id"] for m in center["own_matters"]]


def test_the_clerk_decides_with_a_reason_kept(app, net, api_token, login):
    api = Desk(app, api_token)
    labour = category_id(app, "劳动社保")
    first = api.register("c_recv", petitioners=[WANG], summary=WAGES, category_id=labour, received_at=_when(5))
    again = api.register("c_recv", petitioners=[WANG], summary=WAGES_AGAIN, category_id=labour)
    link = again["links"][0]
    assert link["status"] == "proposed" and link["earlier_id"] == first["id"]
    too_long = api.post("c_recv", f"/api/v1/petitions/{again['id']}/links/{link['id']}/confirm",
                        {"version": again["version"], "note": "长" * 201})
    assert too_long.status_code == 400 and "note" in str(too_long.get_json())
    done = api.post("c_recv", f"/api/v1/petitions/{again['id']}/links/{link['id']}/confirm",
                    {"version": again["version"], "note": "同一工地同一笔欠薪"}).get_json()
    kept = done["links"][0]
    assert kept["status"] == "confirmed" and kept["decision_note"] == "同一工地同一笔欠薪" and done["is_repeat"]
    events = api.get("c_recv", f"/api/v1/petitions/{again['id']}/events").get_json()
    assert any(e["kind"] == "link_confirmed" and e["note"] == "同一工地同一笔欠薪" for e in events)
    # The web form: the reason with the decision, and the page shows both lists.
    third = api.register("c_recv", petitioners=[WANG], summary=WAGES_AGAIN + "再次", category_id=labour)
    web = login("c_recv")
    link = next(l for l in third["links"] if l["status"] == "proposed")
    page = web.get(f"/petitions/{third['id']}").get_data(as_text=True)
    assert 'id="own-matters"' in page and 'id="repeat-links"' in page and "本人其他事项" in page
    assert "同一信访人反映同一问题" in page
    resp = web.post(f"/petitions/{third['id']}/links/{link['id']}/reject",
                    data={"version": third["version"], "note": "是另一个工地"}, form_page=f"/petitions/{third['id']}")
    assert resp.status_code == 302
    shown = api.show("c_recv", third["id"])
    rejected = next(l for l in shown["links"] if l["id"] == link["id"])
    assert rejected["status"] == "rejected" and rejected["decision_note"] == "是另一个工地"


def test_windows_similar_text_alone_and_a_named_object_reach_back_differently(app, net, api_token):
    api = Desk(app, api_token)
    estate = category_id(app, "城乡建设")
    old_object = api.register("c_recv", petitioners=[{"name": "赵某英", "phone": "13500001111"}], category_id=estate,
                              summary="翠柳湾小区开发商逾期交房两年，业主赵某英等要求督促交房并支付违约金。",
                              received_at=_when(200))
    # A stranger's text about the same estate 200 days later: past the 90-day text window, within the object
    # window (730), named by the estate; the group names the earlier petitioner.
    found = _preview(api, "c_recv", "翠柳湾小区业主钱某明等8人反映开发商逾期交房，赵某英上次来反映过，至今未交房，要求支付违约金。",
                     [{"name": "钱某明", "phone": "13500002222"}], category_id=estate)
    assert old_object["id"] in [s["earlier_id"] for s in found["suggestions"]]
    # The county shortens the object window: the same text no longer reaches it.
    admin_put = api.client.put("/api/v1/repeats/settings", json={"object_window_days": 150, "text_window_days": 60},
                               headers=api.headers("admin"))
    assert admin_put.status_code == 200, admin_put.get_json()
    found = _preview(api, "c_recv", "翠柳湾小区业主钱某明等8人反映开发商逾期交房，赵某英上次来反映过，至今未交房，要求支付违约金。",
                     [{"name": "钱某明", "phone": "13500002222"}], category_id=estate)
    assert old_object["id"] not in [s["earlier_id"] for s in found["suggestions"]]


def test_settings_are_the_center_s_to_change_and_each_change_is_audited(app, net, api_token, login):
    from county_net.audit.models import AuditRecord

    api = Desk(app, api_token)
    shown = api.get("t1_recv", "/api/v1/repeats/settings").get_json()
    assert shown["threshold"] == shown["defaults"]["threshold"] and shown["weights"]["other_person"] < 0
    refused = api.client.put("/api/v1/repeats/settings", json={"threshold": 0.5}, headers=api.headers("t1_recv"))
    assert refused.status_code == 403
    bad = api.client.put("/api/v1/repeats/settings", json={"threshold": 2}, headers=api.headers("admin"))
    assert bad.status_code == 400 and "threshold" in bad.get_json()["error"]["fields"]
    crossed = api.client.put("/api/v1/repeats/settings", json={"text_window_days": 900, "object_window_days": 300},
                             headers=api.headers("admin"))
    assert crossed.status_code == 400
    ok = api.client.put("/api/v1/repeats/settings", json={"threshold": 0.5}, headers=api.headers("admin"))
    assert ok.status_code == 200 and ok.get_json()["threshold"] == 0.5
    with app.app_context(), system_scope("test"):
        actions = list(db.session.scalars(sa.select(AuditRecord.action)
                                          .where(AuditRecord.action == "repeats.settings_updated")))
        db.session.remove()
    assert actions == ["repeats.settings_updated"]
    # The page: the head of a township reads, the form is the center's.
    page = login("t1_head").get("/repeats/settings").get_data(as_text=True)
    assert "重复信访识别设置" in page and 'name="threshold"' not in page and "0.5" in page
    web = login("admin")
    resp = web.post("/repeats/settings", data={"threshold": "abc"})
    assert resp.status_code == 400 and 'id="threshold-error"' in resp.get_data(as_text=True)
    resp = web.post("/repeats/settings", data={"threshold": "0.4", "text_window_days": "120",
                                               "object_window_days": "800"})
    assert resp.status_code == 302
    assert api.get("t1_recv", "/api/v1/repeats/settings").get_json()["text_window_days"] == 120


def _count(app):
    from county_net.petitions.models import Petition

    with app.app_context(), system_scope("count"):
        n = db.session.scalar(sa.select(sa.func.count()).select_from(Petition))
        db.session.remove()
    return n
