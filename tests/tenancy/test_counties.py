"""A province holds many counties: every list, count and search of one county's units shows nothing of
another, whichever shortcut the tenant criteria take (the county center's single equality, the
county conjunct of a township, the deferred join and the capped count of the lists)."""
import pytest
import sqlalchemy as sa

from county_net.extensions import db
from tests.petitions.helpers import Api
from tests.tenancy.seed import neighbour_county


@pytest.fixture
def two_counties(app, net, api_token):
    ids = neighbour_county(app, [("k_recv", "K0", ["receptionist"]), ("k1_recv", "K1", ["receptionist"])])
    api = Api(app, api_token)
    ours = [api.register("c_recv", petitioners=[{"name": f"本县{i}", "phone": f"1370000{i:04d}"}])
            for i in range(3)]
    api.act("c_recv", ours[0], "transfer", to_unit_id=net.units["T1"])
    theirs = [api.register("k_recv", petitioners=[{"name": f"邻县{i}", "phone": f"1360000{i:04d}"}])
              for i in range(4)]
    api.act("k_recv", theirs[0], "transfer", to_unit_id=ids["K1"])
    return api, ours, theirs, ids


LISTS = ["/api/v1/petitions", "/api/v1/petitions?page_size=2&page=2", "/api/v1/petitions?state=registered",
         "/api/v1/petitions?box=to_sign", "/api/v1/petitions?box=handling", "/api/v1/petitions?overdue=false"]


@pytest.mark.parametrize("path", LISTS)
def test_lists_and_counts_stay_in_the_county(two_counties, path):
    api, ours, theirs, _ = two_counties
    mine = {p["id"] for p in ours}
    other = {p["id"] for p in theirs}
    for user, seen, unseen in (("c_recv", mine, other), ("k_recv", other, mine), ("t1_recv", mine, other),
                               ("k1_recv", other, mine)):
        body = api.get(user, path).get_json()
        ids = {item["id"] for item in body["items"]}
        assert not ids & unseen, (user, path)
        assert ids <= seen
        if "page=" not in path:  # one page holds everything: the count must agree with it
            assert body["meta"]["total"] == len(body["items"]), (user, path)


def test_numbers_repeat_across_counties_but_not_within(two_counties):
    """Both counties use the default pattern: the same number may exist once in each county."""
    api, ours, theirs, _ = two_counties
    assert ours[0]["number"] == theirs[0]["number"]
    assert len({p["number"] for p in ours}) == len(ours)


def test_the_web_lists_stay_in_the_county(two_counties, login):
    _, ours, theirs, _ = two_counties
    web = login("c_recv")
    for path in ("/petitions", "/inbox", "/inbox?box=to_sign", "/petitions?state=registered"):
        text = web.get(path).get_data(as_text=True)
        assert "邻县" not in text, path
    text = login("k_recv").get("/petitions").get_data(as_text=True)
    assert "共 4 条" in text and "本县" not in text


def test_a_grant_never_leaves_the_county(two_counties, net):
    api, ours, _, ids = two_counties
    resp = api.post("c_recv", f"/api/v1/petitions/{ours[1]['id']}/transfer",
                    {"version": ours[1]["version"], "to_unit_id": ids["K1"]})
    assert resp.status_code == 400 and "to_unit_id" in resp.get_json()["error"]["fields"]


def test_matters_of_another_county_are_not_found(two_counties):
    api, ours, theirs, _ = two_counties
    for user, matters in (("c_recv", theirs), ("t1_recv", theirs), ("k_recv", ours), ("k1_recv", ours)):
        for matter in matters:
            assert api.get(user, f"/api/v1/petitions/{matter['id']}").status_code == 404
            assert api.get(user, f"/api/v1/petitions/{matter['id']}/events").status_code == 404


def test_counting_uses_orm_entities(app):
    """The list count and the deferred join select ORM attributes: a bare table column would be Core,
    and Core statements escape the tenant criteria."""
    from county_net.core.pagination import paginate
    from county_net.petitions.models import Petition
    from county_net.tenancy import Scope, set_request_scope

    statements = []

    def keep(conn, cursor, statement, *args):
        statements.append(statement)

    with app.test_request_context():
        set_request_scope(Scope(frozenset({-5}), unit_id=-5))
        sa.event.listen(db.engine, "before_cursor_execute", keep)
        try:
            page = paginate(sa.select(Petition).order_by(Petition.id), 1, 20, by_key=True)
        finally:
            sa.event.remove(db.engine, "before_cursor_execute", keep)
    selects = [s for s in statements if "petitions" in s and s.lstrip().upper().startswith("SELECT")]
    assert page.total == 0 and selects
    assert all("WHERE" in s for s in selects), selects
