"""检举控告: the accused unit never sees the matter; the identity is shown only to those the rules name;
every view of it is audited."""
import pytest
import sqlalchemy as sa

from county_net.audit.models import AuditRecord
from county_net.extensions import db
from tests.petitions.helpers import Api, category_id, id_number

NAME = "举报人甲"


@pytest.fixture
def api(app, net, api_token):
    return Api(app, api_token)


@pytest.fixture
def accusation(app, api, net):
    p = api.register("c_recv", nature="accusation", accused_unit_id=net.units["T1"],
                     accused_description="东镇某干部", category_id=category_id(app, "党纪政纪"),
                     summary="反映东镇某干部在征地补偿中优亲厚友、虚报冒领。",
                     petitioners=[{"name": NAME, "id_number": id_number(7), "phone": "13900007777"}])
    return api.act("c_recv", p, "transfer", to_unit_id=net.units["B1"])


def _all_petition_urls(app, petition_id):
    adapter = app.url_map.bind("localhost")
    for rule in app.url_map.iter_rules():
        if "petition_id" not in rule.arguments:
            continue
        values = {a: {"petition_id": petition_id}.get(a, {"slug": "accept", "decision": "confirm",
                                                           "kind": "registration_form"}.get(a, 1))
                  for a in rule.arguments}
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            yield method, rule.rule, adapter.build(rule.endpoint, values)


@pytest.mark.parametrize("username", ["t1_recv", "t1_head", "e1_liaison"])
def test_accused_unit_and_its_subtree_get_404_everywhere(app, api, net, login, accusation, username):
    app.config["WTF_CSRF_ENABLED"] = False
    web = login(username).client
    headers = api.headers(username)
    for method, rule, url in _all_petition_urls(app, accusation["id"]):
        resp = web.open(url, method=method, json={"version": 1}, headers=headers if rule.startswith("/api/") else {})
        assert resp.status_code == 404, f"{username} {method} {rule} -> {resp.status_code}"
        assert NAME not in resp.get_data(as_text=True)
    for path in ("/api/v1/petitions", "/api/v1/petitions?box=handling"):
        body = api.get(username, path).get_data(as_text=True)
        assert NAME not in body and accusation["number"] not in body
    assert NAME not in web.get("/petitions").get_data(as_text=True)
    assert NAME not in web.get("/inbox?box=to_sign").get_data(as_text=True)


def test_cannot_route_to_the_accused_or_below_it(app, api, net):
    p = api.register("c_recv", nature="accusation", accused_unit_id=net.units["T1"], summary="反映东镇干部违纪问题线索。")
    for unit in ("T1", "E1"):
        resp = api.post("c_recv", f"/api/v1/petitions/{p['id']}/transfer",
                        {"version": p["version"], "to_unit_id": net.units[unit]})
        assert resp.status_code == 400 and "被反映单位" in str(resp.get_json()["error"]["fields"])


def test_identity_only_for_those_named(app, api, net, accusation):
    clerk = api.show("b1_recv", accusation["id"])  # handling unit, not its head
    assert clerk["parties"][0]["name"] == "（保密）" and clerk["query_code"] is None
    assert NAME not in api.get("b1_recv", f"/api/v1/petitions/{accusation['id']}").get_data(as_text=True)
    head = api.show("b1_head", accusation["id"])
    assert head["parties"][0]["name"] == NAME
    center = api.show("c_recv", accusation["id"])
    assert center["parties"][0]["name"] == NAME
    reveal = api.post("b1_recv", f"/api/v1/petitions/{accusation['id']}/petitioners/1/reveal")
    assert reveal.status_code == 403
    # A search by name never turns up an accusation.
    found = api.get("c_recv", f"/api/v1/petitions?petitioner={NAME}").get_json()
    assert found["meta"]["total"] == 0


def test_every_view_and_reveal_is_audited(app, api, net, accusation):
    api.show("c_recv", accusation["id"])
    api.show("b1_head", accusation["id"])
    party = api.show("c_recv", accusation["id"])
    person = None
    with app.app_context():
        from county_net.petitions.models import PetitionParty
        from county_net.tenancy import system_scope

        with system_scope("test"):
            person = db.session.scalar(sa.select(PetitionParty.petitioner_id)
                                       .where(PetitionParty.petition_id == accusation["id"]))
            db.session.remove()
    revealed = api.post("c_recv", f"/api/v1/petitions/{accusation['id']}/petitioners/{person}/reveal").get_json()
    assert revealed["id_number"] == id_number(7) and revealed["phone"] == "13900007777"
    from county_net.tenancy import system_scope

    with app.app_context(), system_scope("test"):
        rows = db.session.execute(sa.select(AuditRecord.action, AuditRecord.actor_name)).all()
        db.session.remove()
    views = [r for r in rows if r.action == "petition.confidential_viewed"]
    assert {r.actor_name for r in views} >= {"c_recv", "b1_head"} and len(views) >= 3
    assert ("petitioner.revealed", "c_recv") in [(r.action, r.actor_name) for r in rows]
    assert party["is_confidential"]


def test_reveal_of_ordinary_matter_is_audited_and_masked_by_default(app, api, net):
    p = api.register("c_recv")
    assert p["parties"][0]["phone"] == "138****1111"
    with app.app_context():
        from county_net.petitions.models import PetitionParty
        from county_net.tenancy import system_scope

        with system_scope("test"):
            person = db.session.scalar(sa.select(PetitionParty.petitioner_id).where(PetitionParty.petition_id == p["id"]))
            db.session.remove()
    assert api.post("e1_liaison", f"/api/v1/petitions/{p['id']}/petitioners/{person}/reveal").status_code == 404
    full = api.post("c_recv", f"/api/v1/petitions/{p['id']}/petitioners/{person}/reveal").get_json()
    assert full["phone"] == "13800001111"


def test_accuser_file_stays_closed_to_the_handling_clerk(app, api, net, accusation):
    with app.app_context():
        from county_net.petitions.models import PetitionParty
        from county_net.tenancy import system_scope

        with system_scope("test"):
            person = db.session.scalar(sa.select(PetitionParty.petitioner_id)
                                       .where(PetitionParty.petition_id == accusation["id"]))
            db.session.remove()
    clerk = api.get("b1_recv", f"/api/v1/petitioners/{person}")
    assert clerk.status_code == 404 and NAME not in clerk.get_data(as_text=True)
    found = api.post("b1_recv", "/api/v1/petitioners/lookup", {"id_number": id_number(7)}).get_json()
    assert found == {"found": False, "petitioner": None}
    assert api.get("b1_head", f"/api/v1/petitioners/{person}").get_json()["name"] == NAME
    assert api.get("c_recv", f"/api/v1/petitioners/{person}").status_code == 200


def test_a_unit_cannot_register_an_accusation_of_itself_or_of_a_unit_above(app, api, net, login):
    """It would be hidden from the unit that registered it (and refused by the row policy on PostgreSQL): the
    clerk is told to send the petitioner to a unit above the accused one; nothing is written."""
    count = lambda: db.session.scalar(sa.text("select count(*) from petitions"))  # noqa: E731
    with app.app_context():
        before = count()
    desk = login("t1_recv")
    resp = desk.post("/petitions/new", data={
        "channel": "visit", "head_count": "1", "category_id": str(category_id(app, "党纪政纪")),
        "nature": "accusation", "accused_unit_id": str(net.units["T1"]), "summary": "反映东镇某干部违纪问题。",
        "name_0": NAME})
    assert resp.status_code == 400 and "上级机关" in resp.get_data(as_text=True)
    resp = api.post("t1_recv", "/api/v1/petitions", {
        "channel": "visit", "nature": "accusation", "category_id": category_id(app, "党纪政纪"),
        "accused_unit_id": net.units["C0"], "summary": "反映县信访局某干部违纪问题。", "petitioners": [{"name": NAME}]})
    assert resp.status_code == 400 and "accused_unit_id" in resp.get_json()["error"]["fields"]
    with app.app_context():
        assert count() == before
    assert api.register("t1_recv", nature="accusation", accused_unit_id=net.units["B1"],
                        summary="反映人社局某干部违纪问题。")["id"]  # a unit beside it is fine
