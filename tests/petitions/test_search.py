"""Search by a part of a petitioner's name, or by an exact ID number through its keyed hash; on the
/petitions page and in GET /api/v1/petitions alike, within the caller's scope."""
import pytest

from tests.petitions.helpers import Api, id_number

WITH_X = id_number(3)  # its check digit is X


@pytest.fixture
def matters(app, net, api_token):
    api = Api(app, api_token)
    assert WITH_X.endswith("X")
    li = api.register("c_recv", petitioners=[{"name": "李某华", "id_number": WITH_X, "phone": "13800003333"}])
    li_again = api.register("c_recv", petitioners=[{"name": "李某华", "id_number": WITH_X}],
                            summary="李某华再次反映东镇某厂拖欠工资问题。")
    li_si = api.register("c_recv", petitioners=[{"name": "李四", "phone": "13800004444"}])
    wang = api.register("c_recv", petitioners=[{"name": "王某", "id_number": id_number(4), "phone": "13800005555"}])
    return api, {"li": li["id"], "li_again": li_again["id"], "li_si": li_si["id"], "wang": wang["id"]}


def _found(api, user, term):
    resp = api.client.get("/api/v1/petitions", query_string={"petitioner": term}, headers=api.headers(user))
    assert resp.status_code == 200, resp.get_json()
    return {row["id"] for row in resp.get_json()["items"]}


def test_api_finds_part_of_a_name(matters):
    api, ids = matters
    assert _found(api, "c_recv", "李") == {ids["li"], ids["li_again"], ids["li_si"]}
    assert _found(api, "c_recv", "某华") == {ids["li"], ids["li_again"]}
    assert _found(api, "c_recv", "王某") == {ids["wang"]}
    assert _found(api, "c_recv", "%") == set()  # a wildcard is a character, not everything


def test_api_finds_an_exact_id_number_through_its_hash(matters):
    api, ids = matters
    assert _found(api, "c_recv", WITH_X) == {ids["li"], ids["li_again"]}
    assert _found(api, "c_recv", WITH_X.lower()) == {ids["li"], ids["li_again"]}  # lowercase x
    assert _found(api, "c_recv", f" {WITH_X[:6]} {WITH_X[6:]} ") == {ids["li"], ids["li_again"]}
    assert _found(api, "c_recv", id_number(4)) == {ids["wang"]}
    assert _found(api, "c_recv", WITH_X[:17]) == set()  # part of an ID number finds nothing
    assert _found(api, "c_recv", id_number(5)) == set()


def test_search_stays_in_scope_and_never_finds_an_accusation(app, net, matters):
    api, ids = matters
    assert _found(api, "t2_recv", "李") == set() and _found(api, "t2_recv", WITH_X) == set()
    api.register("c_recv", nature="accusation", accused_unit_id=net.units["T1"],
                 summary="反映东镇某干部违纪问题线索。", petitioners=[{"name": "李某华", "id_number": WITH_X}])
    assert _found(api, "c_recv", "某华") == {ids["li"], ids["li_again"]}
    assert _found(api, "c_recv", WITH_X) == {ids["li"], ids["li_again"]}


def test_the_search_page_finds_names_and_id_numbers(app, matters, login):
    api, ids = matters
    web = login("c_recv")
    numbers = {key: api.show("c_recv", pid)["number"] for key, pid in ids.items()}
    page = web.get("/petitions", query_string={"petitioner": "某华"}).get_data(as_text=True)
    assert numbers["li"] in page and numbers["li_again"] in page
    assert numbers["li_si"] not in page and numbers["wang"] not in page
    page = web.get("/petitions", query_string={"petitioner": WITH_X.lower()}).get_data(as_text=True)
    assert numbers["li"] in page and numbers["wang"] not in page and numbers["li_si"] not in page
    assert "信访人姓名或身份证号" in page
