"""Fifty conflicting actions on one matter with one version, at once, through gunicorn (two workers, eight
threads each): exactly one wins (one 200, forty-nine 409, no 5xx), the matter ends as the winner left it with
exactly one new event, no loser leaves a trace, and the audit chain verifies. Rounds: fifty transfers to fifty
different bureaus (three matters); the five ways out of 已登记 mixed (转送, 交办, 本单位受理, 不予受理, 告知其他途径),
ten each; fifty 受理 by the bureau holding the matter. The losers keep sight of the matter whoever wins (the
county center sees its county; the bureau stays holder), so each of them is told 409, not 404."""
from __future__ import annotations

import threading
import time
from collections import Counter
from datetime import date, timedelta

import sqlalchemy as sa

from tests.battery import served

K = 50
BUREAUS = [f"B{i:02d}" for i in range(1, K + 1)]
NETWORK = {
    "network": {"county": "并发县", "version": "k50"},
    "units": [{"code": "C0", "name": "并发县信访局", "short_name": "县信访局", "kind": "county_center"}]
    + [{"code": code, "name": f"并发县第{code[1:]}局", "kind": "bureau", "parent": "C0"} for code in BUREAUS],
}
DESKS = [("c_recv", "C0", ["receptionist"]), ("b01_recv", "B01", ["receptionist"])]


def race(server: served.Served, headers: dict, requests: list[tuple[str, dict]]) -> list[tuple[int, dict]]:
    """Every request on its own connection, all released together."""
    clients = [served.Client(server, headers) for _ in requests]
    for client in clients:  # connect first, so the barrier releases requests, not handshakes
        client.request("GET", "/api/v1/categories")
    barrier = threading.Barrier(len(requests))
    results: list = [None] * len(requests)

    def go(i: int) -> None:
        path, body = requests[i]
        barrier.wait()
        try:
            results[i] = clients[i].request("POST", path, body)
        except Exception as exc:  # noqa: BLE001  (reported below as a failed request)
            results[i] = (0, {"exception": repr(exc)})
        clients[i].close()

    threads = [threading.Thread(target=go, args=(i,)) for i in range(len(requests))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    return results


def state(engine, petition_id: int) -> dict:
    with engine.connect() as conn:
        row = conn.execute(sa.text("SELECT state, version, holder_unit_id FROM petitions WHERE id = :p"),
                           {"p": petition_id}).one()
        events = conn.execute(sa.text("SELECT kind, target_unit_id FROM petition_events WHERE petition_id = :p "
                                      "ORDER BY id"), {"p": petition_id}).all()
        grants = conn.execute(sa.text("SELECT grantee_unit_id FROM petition_access WHERE petition_id = :p "
                                      "AND is_active = :t"), {"p": petition_id, "t": True}).scalars().all()
    return {"state": row.state, "version": row.version, "holder": row.holder_unit_id, "events": events,
            "grants": sorted(grants)}


def test_fifty_conflicting_actions_have_exactly_one_winner(app, database, tmp_path, monkeypatch, capsys):
    started = time.monotonic()
    under = served.sqlite_copy(database, tmp_path) if database.kind == "sqlite" else database
    instance = tmp_path / "instance"
    seeded = served.seed(under, instance, NETWORK, DESKS, monkeypatch)
    units = seeded.units
    env = served.product_env(under, instance)
    engine = served.owner_engine(under)
    server = served.Served(env, tmp_path, workers=2, threads=8).up()
    outcomes = Counter()
    try:
        desk, bureau = served.token(server, "c_recv"), served.token(server, "b01_recv")
        body = {"channel": "visit", "petitioners": [{"name": "并发测试"}], "category_id": seeded.category_id,
                "nature": "demand", "summary": "同一事项、同一版本，五十个冲突操作同时提交。"}

        def step(headers, path, payload):
            client = served.Client(server, headers)
            status, data = client.request("POST", path, payload)
            client.close()
            assert status in (200, 201), (path, status, data)
            return data

        def matter(*, signed_by_b01=False) -> dict:
            m = step(desk, "/api/v1/petitions", body)
            if signed_by_b01:
                m = step(desk, f"/api/v1/petitions/{m['id']}/transfer",
                         {"version": m["version"], "to_unit_id": units["B01"]})
                m = step(bureau, f"/api/v1/petitions/{m['id']}/sign-for", {"version": m["version"]})
            return m

        due = (date.today() + timedelta(days=30)).isoformat()
        ways_out = [
            lambda i: ("transfer", {"to_unit_id": units[BUREAUS[i]]}),
            lambda i: ("assign", {"to_unit_id": units[BUREAUS[i]], "report_due_on": due}),
            lambda i: ("handle-self", {"note": f"第{i}个"}),
            lambda i: ("decline", {"reason": "不属于信访事项受理范围", "channel": "向人民法院提起诉讼"}),
            lambda i: ("redirect", {"channel": "litigation", "organ": "并发县人民法院", "reason": "属于诉讼途径"}),
        ]
        rounds = []
        for _ in range(served.SCALE):
            for _ in range(3):  # fifty transfers, each to another bureau
                rounds.append((matter(), desk, [("transfer", {"to_unit_id": units[code]}) for code in BUREAUS]))
            rounds.append((matter(), desk, [ways_out[i % len(ways_out)](i) for i in range(K)]))
            rounds.append((matter(signed_by_b01=True), bureau, [("accept", {"note": f"第{i}个"}) for i in range(K)]))

        for m, headers, actions in rounds:
            before = state(engine, m["id"])
            results = race(server, headers, [(f"/api/v1/petitions/{m['id']}/{slug}", {"version": m["version"], **extra})
                                             for slug, extra in actions])
            statuses = Counter(status for status, _ in results)
            assert statuses == Counter({200: 1, 409: K - 1}), (statuses, [r for r in results if r[0] != 409][:3])
            winner = next(i for i, (status, _) in enumerate(results) if status == 200)
            slug, extra = actions[winner]
            won = results[winner][1]
            for status, data in results:
                if status == 409:  # a loser learns the matter as it now is, whichever way it lost
                    error = data["error"]
                    outcomes[error["code"]] += 1
                    assert error["code"] in ("stale_version", "illegal_transition"), error
                    current = error.get("current") or {}
                    assert (current.get("version"), current.get("state")) == (won["version"], won["state"]), error

            after = state(engine, m["id"])
            new_events = after["events"][len(before["events"]):]
            assert after["events"][:len(before["events"])] == before["events"]
            assert len(new_events) == 1, new_events
            assert after["version"] == m["version"] + 1 == won["version"]
            assert after["state"] == won["state"]
            kind = slug.replace("-", "_")
            assert new_events[0].kind == kind
            if kind in ("transfer", "assign"):
                target = extra["to_unit_id"]
                assert (after["state"], after["holder"], new_events[0].target_unit_id) == (
                    "transferred" if kind == "transfer" else "assigned", target, target)
                assert after["grants"] == [target], "a losing transfer or assignment left its grant behind"
            elif kind == "accept":
                assert (after["state"], after["holder"]) == ("handling", units["B01"])
            else:
                assert (after["state"], after["holder"]) == (
                    {"handle_self": "handling", "decline": "declined", "redirect": "redirected"}[kind], units["C0"])
                assert after["grants"] == [], "a losing transfer or assignment left its grant behind"
            outcomes[kind] += 1
    finally:
        server.stop()
        engine.dispose()

    verify = served.flask_cli(env, "audit", "verify")
    assert verify.returncode == 0, verify.stdout + verify.stderr
    with capsys.disabled():
        print(f"\n[conflict battery, {under.kind}] {len(rounds)} rounds × {K} conflicting actions: one winner each "
              f"({dict(outcomes)}), {time.monotonic() - started:.0f} s")
