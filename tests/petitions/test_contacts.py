"""A petitioner's contact details: a new phone or address given at registration updates the file (the old
kept in its history, audited with masked phones); each matter keeps the phone it was registered with for
/query; a clerk corrects them on the petitioner's page or through PATCH /api/v1/petitioners/<id>; a
registration without a phone says the petitioner cannot use /query."""
import json
import re

import pytest
import sqlalchemy as sa

from county_net.audit.models import AuditRecord
from county_net.extensions import db
from county_net.petitions.models import PetitionParty
from county_net.tenancy import system_scope
from tests.conftest import csrf_from
from tests.petitions.helpers import Api, category_id, id_number

OLD, NEW = "13800001111", "13912345678"
PERSON = {"name": "张某明", "id_number": id_number(1), "phone": OLD, "address": "东镇甲村3组"}
NO_QUERY = "未登记联系电话，信访人无法凭查询码在网上查询"


@pytest.fixture
def api(app, net, api_token):
    return Api(app, api_token)


def _petitioner_id(app, petition_id):
    with app.app_context(), system_scope("test"):
        pid = db.session.scalar(sa.select(PetitionParty.petitioner_id).where(PetitionParty.petition_id == petition_id))
        db.session.remove()
    return pid


def _query(app, code, last4) -> int:
    public = app.test_client()
    return public.post("/query", data={"query_code": code, "phone_last4": last4,
                                       "csrf_token": csrf_from(public, "/query")}).status_code


def test_a_new_phone_at_registration_updates_the_file_and_each_matter_keeps_its_own(app, api):
    first = api.register("c_recv", petitioners=[PERSON])
    second = api.register("c_recv", petitioners=[{**PERSON, "phone": NEW, "address": "东镇乙村5组"}],
                          summary="张某明换了手机号码后再次反映：东镇某厂仍未支付工资。")
    person = _petitioner_id(app, first["id"])
    assert _petitioner_id(app, second["id"]) == person  # the same file, not a new one
    file = api.get("c_recv", f"/api/v1/petitioners/{person}").get_json()
    assert file["phone"] == "139****5678" and file["address"] == "东镇乙村5组" and file["version"] == 2
    [change] = file["contact_history"]
    assert (change["source"], change["old_phone"], change["new_phone"]) == ("registration", "138****1111",
                                                                             "139****5678")
    assert (change["old_address"], change["new_address"]) == ("东镇甲村3组", "东镇乙村5组")
    from county_net.petitions.models import PetitionerContactChange

    with app.app_context(), system_scope("test"):
        records = db.session.scalars(sa.select(AuditRecord).where(
            AuditRecord.action == "petitioner.contact_changed")).all()
        row = db.session.scalar(sa.select(PetitionerContactChange))
        assert row.old_phone_enc and OLD not in row.old_phone_enc
        db.session.remove()
    assert len(records) == 1 and str(records[0].target_id) == str(person)
    detail = records[0].detail
    assert OLD not in detail and NEW not in detail and json.loads(detail)["new_phone"] == "139****5678"
    # /query: the new matter with the phone given for it, the old matter with the phone it was registered with.
    assert _query(app, second["query_code"], NEW[-4:]) == 200
    assert _query(app, second["query_code"], OLD[-4:]) == 404
    assert _query(app, first["query_code"], OLD[-4:]) == 200
    # The name+phone hash follows the new phone: the desk finds the file by name and new phone.
    found = api.post("c_recv", "/api/v1/petitioners/lookup", {"name": "张某明", "phone": NEW}).get_json()
    assert found["found"] and found["petitioner"]["id"] == person
    # Same phone again: nothing to record.
    api.register("c_recv", petitioners=[{**PERSON, "phone": NEW, "address": "东镇乙村5组"}])
    assert len(api.get("c_recv", f"/api/v1/petitioners/{person}").get_json()["contact_history"]) == 1


def test_the_api_corrects_contact_details(app, api, net):
    p = api.register("c_recv", petitioners=[PERSON])
    person = _petitioner_id(app, p["id"])
    url = f"/api/v1/petitioners/{person}"
    patch = lambda user, body: api.client.patch(url, json=body, headers=api.headers(user))  # noqa: E731
    bad = patch("c_recv", {"version": 1, "phone": "12345"})
    assert bad.status_code == 400 and "phone" in bad.get_json()["error"]["fields"]
    assert patch("c_recv", {"version": 1}).status_code == 400  # nothing to change
    assert patch("t2_recv", {"version": 1, "phone": NEW}).status_code == 404  # another township's petitioner
    assert patch("e1_liaison", {"version": 1, "phone": NEW}).status_code == 404
    ok = patch("c_recv", {"version": 1, "phone": NEW})
    assert ok.status_code == 200, ok.get_json()
    assert ok.get_json()["phone"] == "139****5678" and ok.get_json()["version"] == 2
    assert ok.get_json()["contact_history"][0]["source"] == "correction"
    stale = patch("c_recv", {"version": 1, "address": "东镇丙村"})
    assert stale.status_code == 409
    # A correction replaces the mistaken phone on the matters registered with it, for /query too.
    assert _query(app, p["query_code"], NEW[-4:]) == 200 and _query(app, p["query_code"], OLD[-4:]) == 404
    with app.app_context(), system_scope("test"):
        actions = db.session.scalars(sa.select(AuditRecord.action)).all()
        db.session.remove()
    assert actions.count("petitioner.contact_changed") == 1


def test_the_petitioner_page_corrects_contact_details(app, api, net, login):
    p = api.register("c_recv", petitioners=[PERSON])
    person = _petitioner_id(app, p["id"])
    desk = login("c_recv")
    page = desk.get(f"/petitioners/{person}").get_data(as_text=True)
    assert "更正联系方式" in page
    version = re.search(r'name="version" value="(\d+)"', page).group(1)
    bad = desk.post(f"/petitioners/{person}/contact", data={"version": version, "phone": "12345"},
                    form_page=f"/petitioners/{person}")
    body = bad.get_data(as_text=True)
    assert bad.status_code == 400 and "电话须为" in body and 'value="12345"' in body
    done = desk.post(f"/petitioners/{person}/contact", data={"version": version, "phone": NEW, "address": "县城东路1号"},
                     form_page=f"/petitioners/{person}")
    assert done.status_code == 302
    page = desk.get(f"/petitioners/{person}").get_data(as_text=True)
    assert "139****5678" in page and "县城东路1号" in page and "138****1111" in page  # the old one in the history
    assert NEW not in page
    stale = desk.post(f"/petitioners/{person}/contact", data={"version": version, "phone": "13700001234"},
                      form_page=f"/petitioners/{person}")
    assert stale.status_code == 409
    assert login("t2_recv").post(f"/petitioners/{person}/contact", data={"version": "2", "phone": NEW},
                                 form_page="/petitions").status_code == 404


def test_a_registration_without_a_phone_says_query_is_not_possible(app, api, net, login):
    answer = api.register("c_recv", petitioners=[{"name": "无电话", "id_number": id_number(11)}])
    assert answer["can_query_online"] is False and answer["warnings"] == [NO_QUERY]
    assert api.register("c_recv")["warnings"] == []
    desk = login("c_recv")
    form = {"channel": "visit", "head_count": "1", "category_id": str(category_id(app)), "nature": "demand",
            "summary": "东镇某厂拖欠工资1.2万元，多次讨要未果。", "name_0": "无电话乙", "id_number_0": id_number(12)}
    resp = desk.post("/petitions/new", data=form)
    assert resp.status_code == 302
    page = desk.get(resp.headers["Location"]).get_data(as_text=True)
    assert page.count(NO_QUERY) == 2  # the flash after registering and beside the query code
    assert desk.get(resp.headers["Location"]).get_data(as_text=True).count(NO_QUERY) == 1  # the flash is gone
    with_phone = {**form, "name_0": "有电话", "id_number_0": id_number(13), "phone_0": "13700007777"}
    resp = desk.post("/petitions/new", data=with_phone)
    assert NO_QUERY not in desk.get(resp.headers["Location"]).get_data(as_text=True)
