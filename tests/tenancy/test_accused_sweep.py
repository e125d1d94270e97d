"""An accused unit that handles a later matter of its accuser sees no trace of the accusation: not on the
matter's pages, documents, timeline or JSON, not in the lists, the petitioner's file, the desk's lookup or
the repeat preview; and it cannot decide the link. The GET rules are read from the app, so a new page that
takes the matter's id is swept without anyone remembering it."""
import re

import pytest

from tests.petitions.helpers import Api, category_id, id_number

NAME = "举报人甲"
ACCUSATION = "反映东镇某干部在征地补偿中优亲厚友、虚报冒领。"
PERSON = {"name": NAME, "id_number": id_number(7), "phone": "13900007777"}
ID_ARGS = {"petition_id", "link_id", "petitioner_id", "attachment_id", "kind"}
DOCUMENT_KINDS = ("registration_form", "acceptance_notice", "decline_notice", "redirect_notice", "transfer_slip",
                  "assignment_slip", "extension_notice", "reply_letter", "reexamination_opinion",
                  "final_review_opinion")


@pytest.fixture
def scene(app, net, api_token):
    """The county center registers an accusation against 东镇, then a later matter of the same person, which
    it transfers to 东镇 (the accused) to handle."""
    api = Api(app, api_token)
    api.register("c_recv", petitioners=[{**PERSON, "phone": "13900006666"}],
                 summary="反映县城某小区物业收费过高，要求核查。")
    # The accusation brings a new phone: the file's contact history records it.
    accusation = api.register("c_recv", nature="accusation", accused_unit_id=net.units["T1"],
                              accused_description="东镇某干部", category_id=category_id(app, "党纪政纪"),
                              summary=ACCUSATION, petitioners=[PERSON])
    # The same person on the same subject: a suggested repeat of the accusation, and it is among the person's
    # other matters, for the center.
    later = api.register("c_recv", petitioners=[PERSON], locality_unit_id=net.units["T1"],
                         category_id=category_id(app, "党纪政纪"),
                         summary="东镇某干部虚报冒领征地补偿款、优亲厚友一事，举报后至今没有回音，请求查处。")
    assert accusation["id"] in [l["earlier_id"] for l in later["links"]]  # the center does see it
    assert accusation["id"] in [m["id"] for m in later["own_matters"]]
    api.upload("c_recv", later["id"])
    later = api.act("c_recv", api.show("c_recv", later["id"]), "transfer", to_unit_id=net.units["T1"])
    return api, accusation, later


def _leaks(body: str, accusation: dict) -> list[str]:
    found = [s for s in (accusation["number"], ACCUSATION[:12], "无权查看") if s in body]
    if re.search(rf"/petitions/{accusation['id']}(?!\d)", body):
        found.append("url")
    if re.search(rf'"earlier_id":\s*{accusation["id"]}(?!\d)', body):
        found.append("earlier_id")
    return found


def _get_urls(app, values):
    adapter = app.url_map.bind("localhost")
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule):
        args = set(rule.arguments)
        if "GET" not in rule.methods or not args or not args <= ID_ARGS or rule.rule.endswith("/pdf"):
            continue
        for kind in DOCUMENT_KINDS if "kind" in args else (None,):
            yield rule.rule, adapter.build(rule.endpoint, {a: kind if a == "kind" else values[a] for a in args})


@pytest.mark.parametrize("username", ["t1_recv", "t1_head"])
def test_accused_handler_sees_no_trace_of_the_accusation(app, net, login, scene, username):
    api, accusation, later = scene
    app.config["WTF_CSRF_ENABLED"] = False
    web = login(username).client
    headers = api.headers(username)
    center_view = api.show("c_recv", later["id"])
    link_id = next(l["id"] for l in center_view["links"] if l["earlier_id"] == accusation["id"])
    petitioner_id = api.get("c_recv", f"/api/v1/petitions/{later['id']}").get_json()["parties"][0]["petitioner_id"]
    mine = api.show(username, later["id"])
    assert mine["links"] == [] and mine["is_repeat"] is False and mine["own_matters"] == []
    attachment_id = mine["attachments"][0]["id"]
    values = {"petition_id": later["id"], "link_id": link_id, "petitioner_id": petitioner_id,
              "attachment_id": attachment_id}
    swept = 0
    for rule, url in _get_urls(app, values):
        resp = web.get(url, headers=headers if rule.startswith("/api/") else {})
        assert resp.status_code in (200, 404), (rule, url, resp.status_code)
        assert not _leaks(resp.get_data(as_text=True), accusation), (url, _leaks(resp.get_data(as_text=True),
                                                                                 accusation))
        swept += resp.status_code == 200
    assert swept >= 6  # matter page, JSON, timeline, registration form, attachment, petitioner file (web, API)
    events = api.get(username, f"/api/v1/petitions/{later['id']}/events").get_json()
    assert [e["payload"].get("proposed_links") for e in events if e["kind"] == "register"] == [0]
    # The phone change the accusation brought is not in the file's history this unit reads.
    assert api.get(username, f"/api/v1/petitioners/{petitioner_id}").get_json()["contact_history"] == []
    assert len(api.get("c_recv", f"/api/v1/petitioners/{petitioner_id}").get_json()["contact_history"]) == 1
    lists = ["/petitions", f"/petitions?petitioner={NAME}", "/petitions?q=举报", "/inbox", "/inbox?box=to_sign",
             "/inbox?box=handling", "/api/v1/petitions", f"/api/v1/petitions?petitioner={NAME}",
             "/api/v1/petitions?box=to_sign", f"/petitioners/{petitioner_id}", f"/api/v1/petitioners/{petitioner_id}"]
    for url in lists:
        resp = web.get(url, headers=headers if url.startswith("/api/") else {})
        assert resp.status_code in (200, 400) and not _leaks(resp.get_data(as_text=True), accusation), url
    probe = {"summary": ACCUSATION, "category_id": category_id(app, "党纪政纪"), "petitioners": [PERSON]}
    for url, body in (("/petitions/lookup", {"id_number": PERSON["id_number"]}),
                      ("/api/v1/petitioners/lookup", {"id_number": PERSON["id_number"]}),
                      ("/petitions/lookup", {"name": NAME, "phone": PERSON["phone"]}),
                      ("/petitions/candidates", probe), ("/api/v1/petitions/repeat-candidates", probe),
                      ("/api/v1/repeats/preview", probe)):
        resp = web.post(url, json=body, headers=headers if url.startswith("/api/") else {})
        assert resp.status_code == 200 and not _leaks(resp.get_data(as_text=True), accusation), url
    # Deciding the link it cannot see: 404, whatever the version, on the web and in the API.
    for decision in ("confirm", "reject"):
        resp = web.post(f"/petitions/{later['id']}/links/{link_id}/{decision}", data={"version": mine["version"]})
        assert resp.status_code == 404 and not _leaks(resp.get_data(as_text=True), accusation)
        resp = api.post(username, f"/api/v1/petitions/{later['id']}/links/{link_id}/{decision}",
                        {"version": mine["version"]})
        assert resp.status_code == 404
    assert {l["status"] for l in api.show("c_recv", later["id"])["links"]} == {"proposed"}


def test_center_still_decides_the_link_and_the_handler_sees_only_its_own(app, net, scene):
    api, accusation, later = scene
    center = api.show("c_recv", later["id"])
    link_id = next(l["id"] for l in center["links"] if l["earlier_id"] == accusation["id"])
    resp = api.post("c_recv", f"/api/v1/petitions/{later['id']}/links/{link_id}/confirm",
                    {"version": center["version"]})
    assert resp.status_code == 200 and resp.get_json()["is_repeat"] is True
    mine = api.show("t1_recv", later["id"])
    assert mine["is_repeat"] is False and mine["links"] == []
    events = api.get("t1_recv", f"/api/v1/petitions/{later['id']}/events").get_json()
    assert "link_confirmed" not in [e["kind"] for e in events]
    body = api.get("t1_recv", f"/api/v1/petitions/{later['id']}/events").get_data(as_text=True)
    assert not _leaks(body, accusation)
    center_events = api.get("c_recv", f"/api/v1/petitions/{later['id']}/events").get_json()
    assert "link_confirmed" in [e["kind"] for e in center_events]
