"""The inbox counters are kept by the services in each transition's transaction: after every step of a matter's
course, every unit's counters equal a recount from the rows, and every box an inbox shows (the counted ones and
the dated ones) equals the total of the list behind it, read under the tenant criteria."""
import random
import threading

import pytest
import sqlalchemy as sa

from county_net.extensions import db
from county_net.petitions import boxes
from county_net.tenancy import scope_for_user, system_scope
from county_net.tenancy.context import set_request_scope
from tests.petitions.helpers import Api, add_user, category_id, in_days

REPLY = {"outcome": "support", "request": "诉求", "facts": "事实", "basis": "依据"}
INBOX_USERS = ("c_recv", "t1_recv", "t2_recv", "b1_recv", "v1_recv")


def _agree(app) -> dict:
    with app.app_context():
        held, truth = boxes.stored(), boxes.from_rows()
        db.session.remove()
    assert held == truth
    return held


def _counts(app, username: str) -> dict:
    from county_net.accounts.models import User

    with app.test_request_context():
        with system_scope("test"):
            user = db.session.scalar(sa.select(User).where(User.username == username))
            scope = scope_for_user(user)
        set_request_scope(scope)
        found = boxes.counts(user)
        db.session.remove()
    return found


def _inboxes_agree(app, api) -> None:
    """What each inbox shows above its boxes is what each box's list holds."""
    for user in INBOX_USERS:
        shown = _counts(app, user)
        listed = {box: api.get(user, f"/api/v1/petitions?box={box}&page_size=1").get_json()["meta"]["total"]
                  for box in boxes.BOXES}
        assert shown == listed, user


@pytest.fixture
def api(app, net, api_token):
    add_user(app, net, "v1_recv", "V1", ["receptionist"])  # the third level: 东镇甲村
    return Api(app, api_token)


def test_every_transition_keeps_the_counters_equal_to_the_rows(app, net, api):
    step = _Steps(app, api)
    # 转送 to the bureau, which signs, accepts, pauses, extends, replies and closes; 复查 revokes; again.
    a = step("c_recv", api.register("c_recv"))
    a = step("c_recv", a, "transfer", to_unit_id=net.units["B1"])
    a = step("b1_recv", a, "sign-for")
    a = step("b1_recv", a, "accept")
    a = step("b1_recv", a, "pause", reason="materials")
    a = step("b1_recv", a, "resume")
    a = step("b1_head", a, "extend", days=10, reason="情况复杂", petitioner_told=True)
    a = step("b1_recv", a, "reply", **REPLY)
    a = step("b1_recv", a, "close")
    a = step("c_recv", a, "reexamination")
    a = step("c_recv", a, "reexamination-decision", result="revoke", opinion="撤销，重新办理")
    a = step("b1_recv", a, "reply", **REPLY)
    step.inboxes()
    # 交办 to the township, which hands it down to its village; the village's report is sent back and redone;
    # the township's report is sent back for rework (被退回) and then approved.
    b = step("c_recv", api.register("c_recv"))
    b = step("c_recv", b, "assign", to_unit_id=net.units["T1"], report_due_on=in_days(30))
    b = step("t1_recv", b, "sign-for")
    b = step("t1_recv", b, "accept")
    b = step("t1_recv", b, "sub-assign", to_unit_id=net.units["V1"], report_due_on=in_days(3))
    step.inboxes()
    b = step("v1_recv", b, "sub-sign-for")
    b = step("v1_recv", b, "sub-report", report="村级办结情况")
    b = step("t1_recv", b, "sub-return-report", reason="未附凭证")
    step.inboxes()
    b = step("v1_recv", b, "sub-report", report="补充凭证")
    b = step("t1_recv", b, "sub-approve-report")
    b = step("t1_recv", b, "reply", **REPLY)
    b = step("t1_recv", b, "report", report="办结情况")
    b = step("c_recv", b, "return-report", reason="事实不清")
    step.inboxes()
    b = step("t1_recv", b, "reply", **REPLY)
    b = step("t1_recv", b, "report", report="补充办结情况")
    b = step("c_recv", b, "approve-report")
    # 退回 to the center (被退回), which then handles it itself; the village refuses a hand-down (被退回).
    d = step("c_recv", api.register("c_recv"))
    d = step("c_recv", d, "transfer", to_unit_id=net.units["T1"])
    d = step("t1_recv", d, "send-back", reason="不属本单位职责")
    step.inboxes()
    d = step("c_recv", d, "handle-self")
    e = step("c_recv", api.register("c_recv"))
    e = step("c_recv", e, "transfer", to_unit_id=net.units["T1"], co_unit_ids=[net.units["B1"]])
    e = step("t1_recv", e, "sign-for")
    e = step("t1_recv", e, "accept")
    e = step("t1_recv", e, "sub-assign", to_unit_id=net.units["V1"], report_due_on=in_days(3))
    e = step("v1_recv", e, "sub-send-back", reason="不属本村事务")
    step.inboxes()
    # Dead ends leave every box; an accusation is counted only where its holder may see it.
    step("c_recv", step("c_recv", api.register("c_recv")), "decline", reason="不符合受理条件", channel="仲裁")
    step("c_recv", api.register("c_recv", nature="accusation", accused_unit_id=net.units["T2"],
                                summary="反映西镇干部违纪问题。"))
    # A unit may not register an accusation of itself or of a unit above it: the matter would be hidden from
    # it. A 400 on the field, nothing written (the counters agree after it), on both engines.
    for user, accused in (("t1_recv", "T1"), ("v1_recv", "T1")):
        resp = api.post(user, "/api/v1/petitions", {
            "channel": "visit", "petitioners": [{"name": "张某明", "phone": "13800001111"}], "nature": "accusation",
            "category_id": category_id(app), "accused_unit_id": net.units[accused], "summary": "反映东镇干部违纪问题。"})
        assert resp.status_code == 400 and "accused_unit_id" in resp.get_json()["error"]["fields"], resp.get_json()
    step.inboxes()
    held = _agree(app)
    assert held[net.units["T1"]]["returned"] == 1 and held[net.units["C0"]]["handling"] == 2


class _Steps:
    """Runs one action (or takes a fresh registration) and checks the counters against the rows after it."""

    def __init__(self, app, api):
        self.app, self.api = app, api

    def __call__(self, user, matter, slug=None, **fields):
        if slug is not None:
            matter = self.api.act(user, self.api.show(user, matter["id"]), slug, **fields)
        _agree(self.app)
        return matter

    def inboxes(self):
        _inboxes_agree(self.app, self.api)


@pytest.mark.parametrize("seed", range(4))
def test_random_walks_keep_the_counters(app, net, api, seed):
    from tests.petitions.test_random_walk import USERS, _walk

    rng = random.Random(seed)
    add_user(app, net, "e1_recv", "E1", ["receptionist"])
    first = api.register("c_recv", nature=rng.choice(["demand", "accusation"]))
    _walk(api, net, first, rng, seed, USERS)
    second = api.register("c_recv")
    second = api.act("c_recv", second, "assign", to_unit_id=net.units["T1"], report_due_on=in_days(30))
    second = api.act("t1_recv", api.show("t1_recv", second["id"]), "sign-for")
    second = api.act("t1_recv", second, "accept")
    _walk(api, net, second, rng, seed, ["t1_recv", "t1_head", "v1_recv", "e1_recv", "c_recv"], taken=3,
          rare=("report_up", "co_opinion", "record_mediation", "follow_up", "pause"))
    _agree(app)
    _inboxes_agree(app, api)


def test_recount_rebuilds_what_was_lost(app, net, api):
    for _ in range(3):
        api.act("c_recv", api.register("c_recv"), "transfer", to_unit_id=net.units["B1"])
    kept = _agree(app)
    with app.app_context(), system_scope("test"):
        db.session.execute(sa.text("UPDATE inbox_counters SET to_sign = 99, handling = -4"))
        db.session.commit()
        db.session.remove()
    result = app.test_cli_runner().invoke(args=["petitions", "recount"])
    assert result.exit_code == 0, result.output
    assert _agree(app) == kept and kept[net.units["B1"]]["to_sign"] == 3


WRITERS = 6
ROUNDS = 3


def test_concurrent_writers_and_a_recount_keep_the_counters(app, net, api):
    """Desks register, transfer to two units and the units sign and accept, all at once, while the counters are
    rebuilt in the middle: the rows and the counters agree at the end."""
    desk = api.headers("c_recv")
    takers = {net.units["B1"]: api.headers("b1_recv"), net.units["T1"]: api.headers("t1_recv")}
    body = {"channel": "visit", "petitioners": [{"name": "并发计数"}], "category_id": 1, "nature": "demand",
            "summary": "多个窗口同时登记、转送、签收和受理，检验收件箱计数。"}
    barrier = threading.Barrier(WRITERS + 1)
    failures = []

    def post(client, path, payload, headers):
        resp = client.post(path, json=payload, headers=headers)
        if resp.status_code not in (200, 201):
            failures.append((path, resp.status_code, resp.get_data(as_text=True)[:200]))
            return None
        return resp.get_json()

    def writer(n):
        client = app.test_client()
        barrier.wait()
        for round_ in range(ROUNDS):
            matter = post(client, "/api/v1/petitions", body, desk)
            to = list(takers)[(n + round_) % 2]
            base = matter and f"/api/v1/petitions/{matter['id']}"
            matter = matter and post(client, f"{base}/transfer", {"version": matter["version"], "to_unit_id": to},
                                     desk)
            matter = matter and post(client, f"{base}/sign-for", {"version": matter["version"]}, takers[to])
            if matter and round_ % 2 == 0:
                post(client, f"{base}/accept", {"version": matter["version"]}, takers[to])

    def recount():
        barrier.wait()
        result = app.test_cli_runner().invoke(args=["petitions", "recount"])
        if result.exit_code != 0:
            failures.append(("recount", result.output))

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(WRITERS)]
    threads.append(threading.Thread(target=recount))
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not failures, failures[:5]
    held = _agree(app)
    assert sum(held[u]["handling"] for u in takers) == WRITERS * ROUNDS  # signed or accepted
    assert sum(held[u]["to_sign"] for u in takers) == 0


def test_a_generated_province_and_the_migrations_fill_agree_with_the_rows(app, tmp_path):
    """The bench generator recounts after its bulk load; the migration that made the table fills it from the
    rows with its own SQL, which must say the same as `from_rows`."""
    import importlib.util
    from pathlib import Path

    from tests.bench.test_generate import _generate

    _generate(app, tmp_path)
    generated = _agree(app)
    assert sum(boxes["handling"] for boxes in generated.values()) > 0
    path = next(Path(__file__).parents[2].glob("migrations/versions/*_inbox_counters.py"))
    spec = importlib.util.spec_from_file_location("inbox_counters_migration", path)
    migration = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(migration)
    with app.app_context(), system_scope("test"):
        db.session.execute(sa.text("DELETE FROM inbox_counters"))
        db.session.execute(sa.text(migration.FILL))
        db.session.commit()
        db.session.remove()
    assert _agree(app) == generated


def test_a_unit_moved_in_the_tree_is_recounted(app, net, api):
    """A matter accusing 西镇, handed down by 东镇 to its village: when the village moves under 西镇, the
    accused unit is above it and the matter is hidden from it, so it leaves the village's counters too."""
    import copy

    from county_net.units.network_file import parse_network
    from county_net.units.services import sync_units
    from tests.conftest import NETWORK

    matter = api.register("c_recv", nature="accusation", accused_unit_id=net.units["T2"], summary="反映西镇干部问题。")
    matter = api.act("c_recv", matter, "assign", to_unit_id=net.units["T1"], report_due_on=in_days(30))
    matter = api.act("t1_recv", api.show("t1_recv", matter["id"]), "sign-for")
    matter = api.act("t1_recv", matter, "accept")
    api.act("t1_recv", matter, "sub-assign", to_unit_id=net.units["V1"], report_due_on=in_days(3))
    assert _agree(app)[net.units["V1"]]["to_sign"] == 1
    moved = copy.deepcopy(NETWORK)
    next(u for u in moved["units"] if u["code"] == "V1")["parent"] = "T2"
    with app.app_context(), system_scope("test"):
        sync_units(parse_network(moved))
        db.session.remove()
    assert net.units["V1"] not in _agree(app)
    assert api.get("v1_recv", f"/api/v1/petitions/{matter['id']}").status_code == 404


def test_every_box_the_api_offers_answers(app, net, api_token):
    """Each value of `box` in the API's schema is a list (schemathesis found `all_open` answered 500)."""
    from county_net.petitions.schemas import PetitionListArgsSchema

    api = Api(app, api_token)
    api.register("c_recv")
    choices = PetitionListArgsSchema().fields["box"].validate.choices
    for box in choices:
        resp = api.get("c_recv", f"/api/v1/petitions?box={box}")
        assert resp.status_code == 200, (box, resp.get_json())
    assert len(api.get("c_recv", "/api/v1/petitions?box=all_open").get_json()["items"]) == 1


def test_a_list_page_and_the_box_counts_read_under_the_tenant_criteria(app, net, api):
    """Every part of the page (keys, columns, names, count) and of the box counts (counters, dated boxes) is
    read through ORM attributes: a scope that does not hold 西镇 sees none of its matters and none of its
    counters, though it asks for them by 西镇's own unit id."""
    from types import SimpleNamespace

    from county_net.core.pagination import paginate_rows
    from county_net.petitions import queries
    from county_net.petitions.models import Petition
    from county_net.tenancy import Scope

    api.register("t2_recv")
    assert _agree(app)[net.units["T2"]]["handling"] == 1
    with app.test_request_context():
        set_request_scope(Scope(frozenset({net.units["T1"]}), unit_id=net.units["T1"]))
        page = paginate_rows(sa.select(Petition), (Petition.id,), queries.list_columns(), 1, 20)
        shown = boxes.counts(SimpleNamespace(unit_id=net.units["T2"]))
        db.session.remove()
    assert page.items == [] and page.total == 0
    assert shown == dict.fromkeys(boxes.BOXES, 0)
