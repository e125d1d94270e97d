"""Pauses and the deadline sweep: the clock resumes by itself; a second sweep with nothing changed does nothing."""
from datetime import date, timedelta

import sqlalchemy as sa

from county_net.core.models import utcnow
from county_net.core.timeutil import local_today
from county_net.extensions import db
from county_net.petitions.models import Petition
from county_net.tenancy import system_scope
from tests.petitions.helpers import Api


def _handling(api, net):
    p = api.register("c_recv")
    p = api.act("c_recv", p, "transfer", to_unit_id=net.units["T1"])
    p = api.act("t1_recv", api.show("t1_recv", p["id"]), "sign-for")
    return api.act("t1_recv", p, "accept")


def test_pause_shows_and_resumes_by_itself(app, net, api_token):
    api = Api(app, api_token)
    p = _handling(api, net)
    due = p["deadline"]["due_on"]
    p = api.act("t1_recv", p, "pause", reason="materials", until=(local_today() + timedelta(days=5)).isoformat(),
                note="请信访人补充劳动合同")
    assert p["deadline"]["paused"] and p["deadline"]["status_label"] == "已暂停计时"
    bad = api.post("t1_recv", f"/api/v1/petitions/{p['id']}/pause", {"version": p["version"], "reason": "hearing"})
    assert bad.status_code == 409  # already paused
    # Ten days later the pause (until day 5) has ended: the sweep resumes it and counts 6 days.
    with app.app_context(), system_scope("age the pause"):
        db.session.execute(sa.update(Petition).where(Petition.id == p["id"]).values(
            paused_since=utcnow() - timedelta(days=10),
            paused_until=local_today() - timedelta(days=5)))
        db.session.commit()
        db.session.remove()
    runner = app.test_cli_runner()
    first = runner.invoke(args=["petitions", "sweep"])
    assert "自动恢复计时 1 件" in first.output, first.output
    after = api.show("t1_recv", p["id"])
    assert not after["deadline"]["paused"] and after["deadline"]["due_on"] > due
    events = api.get("t1_recv", f"/api/v1/petitions/{p['id']}/events").get_json()
    assert events[-1]["kind"] == "resume" and events[-1]["payload"]["automatic"] is True
    second = runner.invoke(args=["petitions", "sweep"])
    assert "自动恢复计时 0 件；更新期限 0 件" in second.output


def test_hearing_pause_only_in_final_review(app, net, api_token):
    api = Api(app, api_token)
    p = _handling(api, net)
    resp = api.post("t1_recv", f"/api/v1/petitions/{p['id']}/pause", {"version": p["version"], "reason": "hearing"})
    assert resp.status_code == 400 and "reason" in resp.get_json()["error"]["fields"]


def test_archive_by_petitioner_and_year(app, net, api_token, login):
    api = Api(app, api_token)
    p = _handling(api, net)
    p = api.act("t1_recv", p, "reply", outcome="explain", request="r", facts="f", basis="b")
    p = api.act("t1_recv", p, "close", satisfaction="basically_satisfied")
    p = api.act("t1_recv", p, "follow-up", note="电话回访，信访人表示理解")
    # The registering unit files it, not the handler.
    assert api.post("t1_recv", f"/api/v1/petitions/{p['id']}/archive", {"version": p["version"]}).status_code == 409
    owner = api.show("c_recv", p["id"])
    archived = api.act("c_recv", owner, "archive")
    assert archived["is_archived"]
    year = int(archived["received_at"][:4])
    volumes = api.get("c_recv", f"/api/v1/archive?year={year}").get_json()
    assert volumes[0]["petitioner"] == "张某明" and volumes[0]["matters"][0]["number"] == p["number"]
    assert volumes[0]["volume"] == f"{year}-0001"
    assert api.get("t2_recv", f"/api/v1/archive?year={year}").get_json() == []
    page = login("c_recv").get(f"/archive?year={year}").get_data(as_text=True)
    assert p["number"] in page and "第 " in page


def test_the_sweep_shares_a_computation_only_within_a_local_day(app, net, api_token):
    """The sweep remembers one deadline per key of local days (issue 14: at 1M no two matters shared a moment,
    so it computed every one). Matters received a minute either side of local midnight (16:00 UTC) get their
    own days; matters received hours apart on one local day share one. Each stored limit is what the matter's
    own computation says."""
    from datetime import datetime, timezone

    from county_net.petitions.services import current_limit

    api = Api(app, api_token)
    ids = [api.register("c_recv")["id"] for _ in range(4)]
    moments = [datetime(2026, 9, 30, 15, 59, tzinfo=timezone.utc), datetime(2026, 9, 30, 16, 1, tzinfo=timezone.utc),
               datetime(2026, 10, 8, 1, 0, tzinfo=timezone.utc), datetime(2026, 10, 8, 9, 30, tzinfo=timezone.utc)]
    # Written behind the services' back: the basis is cleared, as a service's write would stamp it anew.
    with app.app_context(), system_scope("age the matters"):
        for pid, moment in zip(ids, moments):
            db.session.execute(sa.update(Petition).where(Petition.id == pid).values(
                received_at=moment, received_by_unit_at=moment, due_on=None, due_step=None, due_basis=None))
        db.session.commit()
    assert "更新期限 4 件" in app.test_cli_runner().invoke(args=["petitions", "sweep"]).output
    with app.app_context(), system_scope("read back"):
        stored = {p.id: p for p in db.session.scalars(sa.select(Petition).where(Petition.id.in_(ids)))}
        for pid in ids:
            assert (stored[pid].due_step, stored[pid].due_on, bool(stored[pid].due_provisional)) == \
                current_limit(stored[pid])
        # 9-30 23:59 and 10-01 00:01 local: the second counts from inside the National Day holiday.
        assert stored[ids[0]].due_on != stored[ids[1]].due_on
        assert stored[ids[2]].due_on == stored[ids[3]].due_on


def test_the_sweep_memo_agrees_with_each_matter_s_own_computation(app, net, api_token):
    """The sweep shares one count among matters whose state reads the same rule set, start day, extension and
    pause (issue 14). Over matters of every open state, held by units of every kind under a county rule and a
    unit's own rule, with pauses (running, ended, lapsed), extensions, simple procedure, assignments with a
    report date and sub-assignments, each stored limit is what the matter's own computation gives."""
    import copy
    import random
    from datetime import datetime, timezone

    from county_net.petitions.services import current_limit
    from county_net.units.network_file import parse_network
    from county_net.units.services import sync_units
    from tests.conftest import NETWORK

    network = copy.deepcopy(NETWORK)
    network["settings"] = {"deadline_rules": [
        {"step": "acceptance_notice", "days": 5, "day_kind": "working"},
        {"step": "handling", "days": 30, "unit": "B1"},
        {"step": "simple_acceptance", "days": 5, "unit": "T2"}]}
    with app.app_context(), system_scope("county rules"):
        sync_units(parse_network(network))
        db.session.commit()
        db.session.remove()
    api = Api(app, api_token)
    ids = [api.register("c_recv")["id"] for _ in range(48)]
    pair = [api.register("c_recv")["id"] for _ in range(2)]
    rng = random.Random(14)
    today = local_today()
    states = ["registered", "returned", "transferred", "assigned", "signed", "handling", "sub_reported",
              "sub_assigned", "sub_handling", "replied", "reported", "reexamination", "final_review"]
    holders = [net.units[code] for code in ("C0", "T1", "T2", "B1", "V1", "E1")]
    # Moments around local midnight and across the National Day holiday and the turn of an unpublished year.
    moments = [datetime(2026, 9, 30, 15, 59, tzinfo=timezone.utc), datetime(2026, 9, 30, 16, 1, tzinfo=timezone.utc),
               datetime(2026, 10, 8, 1, 0, tzinfo=timezone.utc), datetime(2026, 10, 8, 9, 30, tzinfo=timezone.utc),
               datetime(2026, 12, 20, 3, 0, tzinfo=timezone.utc)]
    with app.app_context(), system_scope("vary the matters"):
        for n, pid in enumerate(ids):
            paused_since = paused_until = None
            if n % 4 == 1:  # running, running with an end day still ahead, or ended days ago (lapsed)
                paused_since = utcnow() - timedelta(days=rng.choice((2, 9)))
                paused_until = rng.choice((None, today + timedelta(days=3), today - timedelta(days=1)))
            db.session.execute(sa.update(Petition).where(Petition.id == pid).values(
                state=states[n % len(states)], holder_unit_id=holders[n % len(holders)],
                received_at=rng.choice(moments), received_by_unit_at=rng.choice(moments + [None]),
                is_simple=n % 3 == 0, accepted_at=rng.choice(moments),
                extension_days=rng.choice((0, 0, 10, 30)), paused_days=rng.choice((0, 0, 4)),
                paused_since=paused_since, paused_until=paused_until,
                route=rng.choice(("assign", "transfer", "self")),
                report_due_on=rng.choice((None, date(2026, 10, 20), date(2027, 3, 1))),
                reexamination_requested_at=rng.choice(moments), final_review_requested_at=rng.choice(moments),
                sub_report_due_on=rng.choice((None, date(2026, 11, 5))),
                due_step=None, due_on=None, due_provisional=False, due_basis=None))
        # One start day, two holders: the township counts the county's 60 days, the bureau its own 30.
        for pid, code in zip(pair, ("T1", "B1")):
            db.session.execute(sa.update(Petition).where(Petition.id == pid).values(
                state="handling", holder_unit_id=net.units[code], is_simple=False, route="self",
                accepted_at=moments[2], extension_days=0, paused_days=0, due_step=None, due_on=None,
                due_basis=None))
        db.session.commit()
    runner = app.test_cli_runner()
    assert "更新期限 0 件" not in runner.invoke(args=["petitions", "sweep"]).output
    with app.app_context(), system_scope("read back"):
        stored = {p.id: p for p in db.session.scalars(sa.select(Petition).where(Petition.id.in_(ids + pair)))}
        answers = {}
        for pid in ids + pair:
            petition = stored[pid]
            answers[pid] = current_limit(petition)
            assert (petition.due_step, petition.due_on, bool(petition.due_provisional)) == answers[pid], \
                (pid, petition.state, petition.holder_unit_id)
        # The variety is real: counted limits, dates set by others, 暂定 marks and pauses all occur, and
        # two holders' rules give different answers for one start day.
        steps = {step for step, _, _ in answers.values()}
        assert {"disposition", "acceptance_notice", "simple_acceptance", "handling", "simple_handling",
                "report_back", "reexamination", "final_review", None} <= steps
        assert any(provisional for _, _, provisional in answers.values())
        assert any(p.paused_since is not None for p in stored.values())
        assert any(p.paused_days > 4 for p in stored.values())  # a lapsed pause was ended and counted
        assert stored[pair[0]].due_on != stored[pair[1]].due_on
        db.session.remove()
    assert "更新期限 0 件" in runner.invoke(args=["petitions", "sweep"]).output


def test_the_sweep_passes_over_limits_counted_under_the_current_basis(app, net, api_token):
    """A matter whose limit a service stored under the current stamps and code is passed over; a running pause
    is counted on every run (it moves with the day); a change of the county's settings makes every matter count
    again, and the new limits are written."""
    import copy

    from county_net.units.network_file import parse_network
    from county_net.units.services import sync_units
    from tests.conftest import NETWORK

    api = Api(app, api_token)
    handling = _handling(api, net)
    paused = api.act("t1_recv", _handling(api, net), "pause", reason="materials")
    runner = app.test_cli_runner()
    out = runner.invoke(args=["petitions", "sweep"]).output
    assert "检查 2 件在办事项（重新计算 1 件）" in out and "更新期限 0 件" in out, out
    network = copy.deepcopy(NETWORK)
    network["settings"] = {"deadline_rules": [{"step": "handling", "days": 30}]}
    with app.app_context(), system_scope("county rules"):
        sync_units(parse_network(network))
        db.session.commit()
        db.session.remove()
    out = runner.invoke(args=["petitions", "sweep"]).output
    assert "检查 2 件在办事项（重新计算 2 件）" in out and "更新期限 2 件" in out, out
    with app.app_context(), system_scope("read back"):
        stored = db.session.scalar(sa.select(Petition.due_on).where(Petition.id == handling["id"]))
        db.session.remove()
    assert stored.isoformat() < handling["deadline"]["due_on"]
    assert stored.isoformat() == api.show("t1_recv", handling["id"])["deadline"]["due_on"]
    out = runner.invoke(args=["petitions", "sweep"]).output
    assert "检查 2 件在办事项（重新计算 1 件）" in out and "更新期限 0 件" in out, out
    assert api.show("t1_recv", paused["id"])["deadline"]["paused"]
