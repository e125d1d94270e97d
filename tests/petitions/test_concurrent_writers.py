"""Sixteen desks writing at once: registrations, transfers, signing and acceptance interleave. On SQLite
a writing request takes the write lock when its transaction begins (BEGIN IMMEDIATE) and waits its turn,
so none of them is told "database is locked"; on PostgreSQL row locks do the same job."""
import threading

from tests.petitions.helpers import Api

WRITERS = 16
ROUNDS = 4


def test_sixteen_concurrent_writers_never_see_a_locked_database(app, net, api_token):
    api = Api(app, api_token)
    desk, bureau = api.headers("c_recv"), api.headers("b1_recv")
    body = {"channel": "visit", "petitioners": [{"name": "并发写入"}], "category_id": 1, "nature": "demand",
            "summary": "十六个窗口同时登记、转送、签收和受理，检验写锁。"}
    barrier = threading.Barrier(WRITERS)
    failures, done = [], []

    def post(client, path, payload, headers, expect):
        resp = client.post(path, json=payload, headers=headers)
        if resp.status_code != expect:
            failures.append((path, resp.status_code, resp.get_data(as_text=True)[:200]))
            return None
        return resp.get_json()

    def writer():
        client = app.test_client()
        barrier.wait()
        for _ in range(ROUNDS):
            matter = post(client, "/api/v1/petitions", body, desk, 201)
            if matter is None:
                return
            base = f"/api/v1/petitions/{matter['id']}"
            matter = post(client, f"{base}/transfer", {"version": matter["version"], "to_unit_id": net.units["B1"]},
                          desk, 200)
            matter = matter and post(client, f"{base}/sign-for", {"version": matter["version"]}, bureau, 200)
            matter = matter and post(client, f"{base}/accept", {"version": matter["version"]}, bureau, 200)
            if matter:
                done.append(matter["id"])

    threads = [threading.Thread(target=writer) for _ in range(WRITERS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not failures, failures[:5]
    assert len(done) == WRITERS * ROUNDS
    states = {api.show("b1_recv", pid)["state"] for pid in done}
    assert states == {"handling"}
