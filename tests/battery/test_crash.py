"""kill -9 of gunicorn while desks register matters through the JSON API: the whole process group, the master
alone, or one worker, at a seeded random moment; the server is restarted and the desks carry on. Afterwards
every registration that was answered 2xx is in the database and whole, nothing half-written is there, the
county's numbers run without gap or duplicate, `flask audit verify` passes and (SQLite) the file is sound."""
from __future__ import annotations

import http.client
import random
import threading
import time
from collections import Counter
from dataclasses import dataclass

import sqlalchemy as sa

from tests.battery import served
from tests.conftest import NETWORK
from tests.petitions.helpers import id_number

SEED = 20261130
# Every kind at least once; the group kill (nothing left to finish anything) most often.
KILLS = ("group", "worker", "master", "group", "worker", "group") * served.SCALE
DESKS = [("c_recv", "C0", ["receptionist"]), ("t1_recv", "T1", ["receptionist"]), ("b1_recv", "B1", ["receptionist"])]
CLIENTS = 6
ACKS_BEFORE_KILL = 5  # the load is really running when the kill comes
WAIT = 90.0


@dataclass(frozen=True)
class Ack:
    id: int
    number: str
    people: int
    accusation: bool


class Desks:
    """Client threads registering matters; each keeps to its own petitioners, so no two race on one file."""

    def __init__(self, server: served.Served, tokens: list[dict], units: dict, category_id: int):
        self.server, self.tokens, self.units, self.category_id = server, tokens, units, category_id
        self.acks: list[Ack] = []
        self.unexpected: list[tuple] = []
        self.cut = 0  # sent, and the connection died before an answer: may or may not have been written
        self.refused = 0
        self.stop = threading.Event()
        self.threads = [threading.Thread(target=self._run, args=(k,), daemon=True) for k in range(CLIENTS)]

    def start(self) -> None:
        for t in self.threads:
            t.start()

    def join(self) -> None:
        self.stop.set()
        for t in self.threads:
            t.join(timeout=120)

    def body(self, k: int, n: int) -> dict:
        people = [{"name": f"断电测试{k}", "id_number": id_number(n % 1000, f"19{70 + k:02d}0101"),
                   "phone": f"1380{k:02d}{n % 100000:05d}", "address": "东镇甲村"}]
        if n % 3 == 0:
            people.append({"name": f"同行人{k}", "phone": f"1390{k:02d}{n % 100000:05d}"})
        body = {"channel": "visit", "petitioners": people, "category_id": self.category_id, "nature": "demand",
                "summary": f"第{k}号窗口第{n}件：反映工资拖欠问题，要求依法处理。"}
        if n % 5 == 0:  # an accusation also writes an audit record in the same transaction
            body.update(nature="accusation", accused_unit_id=self.units["T2"], accused_description="西镇某办")
        return body

    def _run(self, k: int) -> None:
        client = served.Client(self.server, self.tokens[k % len(self.tokens)])
        n = 0
        while not self.stop.is_set():
            n += 1
            body = self.body(k, n)
            try:
                status, data = client.request("POST", "/api/v1/petitions", body)
            except ConnectionRefusedError:
                self.refused += 1
                time.sleep(0.05)
                continue
            except (OSError, http.client.HTTPException):
                self.cut += 1
                time.sleep(0.05)
                continue
            if status == 201:
                self.acks.append(Ack(data["id"], data["number"], len(body["petitioners"]),
                                     body["nature"] == "accusation"))
            else:
                self.unexpected.append((status, data))
        client.close()

    def wait_for(self, count: int, server: served.Served) -> None:
        deadline = time.monotonic() + WAIT
        while len(self.acks) < count:
            assert not self.unexpected, self.unexpected[:3]
            assert time.monotonic() < deadline, f"no progress at {len(self.acks)} acks:\n{server.log_text()[-3000:]}"
            time.sleep(0.02)


def test_kill_9_under_registration_load_loses_nothing_acknowledged(app, database, tmp_path, monkeypatch, capsys):
    started = time.monotonic()
    rng = random.Random(SEED)
    under = served.sqlite_copy(database, tmp_path) if database.kind == "sqlite" else database
    instance = tmp_path / "instance"
    seeded = served.seed(under, instance, NETWORK, DESKS, monkeypatch)
    env = served.product_env(under, instance)
    server = served.Served(env, tmp_path).up()
    killed, desks = [], None
    try:
        tokens = [served.token(server, username) for username, _, _ in DESKS]
        desks = Desks(server, tokens, seeded.units, seeded.category_id)
        desks.start()
        for kind in KILLS:
            desks.wait_for(len(desks.acks) + ACKS_BEFORE_KILL, server)
            time.sleep(rng.uniform(0.0, 0.5))
            killed.append(server.kill(kind, rng))
            if kind != "worker":
                server.up()
        desks.wait_for(len(desks.acks) + ACKS_BEFORE_KILL, server)  # it carries on after the last one
        desks.join()
    finally:
        if desks is not None:
            desks.stop.set()
        server.stop()
    assert not desks.unexpected, desks.unexpected[:5]
    acks = desks.acks

    engine = served.owner_engine(under)
    with engine.connect() as conn:
        rows = {r.id: r for r in conn.execute(sa.text(
            "SELECT id, number, year, seq, county_unit_id, nature FROM petitions"))}
        parties = dict(conn.execute(sa.text(
            "SELECT petition_id, count(*) FROM petition_parties GROUP BY petition_id")).all())
        registered = dict(conn.execute(sa.text(
            "SELECT petition_id, count(*) FROM petition_events WHERE kind = 'register' GROUP BY petition_id")).all())
        audited = Counter(int(t) for t in conn.scalars(sa.text(
            "SELECT target_id FROM audit_records WHERE action = 'petition.confidential_registered'")))
        counters = {(c, y): last for c, y, last in conn.execute(sa.text(
            "SELECT county_unit_id, year, last_seq FROM petition_counters"))}
        integrity = conn.scalar(sa.text("PRAGMA integrity_check")) if under.kind == "sqlite" else "ok"
    engine.dispose()

    # Acknowledged ⇒ present and whole.
    assert len({a.id for a in acks}) == len(acks) and len({a.number for a in acks}) == len(acks)
    missing = [a for a in acks if a.id not in rows]
    assert not missing, f"{len(missing)} acknowledged registrations lost: {missing[:5]}"
    for a in acks:
        row = rows[a.id]
        assert row.number == a.number, (a, row.number)
        assert parties.get(a.id) == a.people, (a, parties.get(a.id))
        assert (row.nature == "accusation") == a.accusation
    # Nothing half-written, answered or not: each matter has its parties, one registration event and, for an
    # accusation, one audit record.
    for pid, row in rows.items():
        assert parties.get(pid, 0) >= 1, f"matter {pid} without parties"
        assert registered.get(pid) == 1, f"matter {pid} has {registered.get(pid)} registration events"
        assert audited.get(pid, 0) == (1 if row.nature == "accusation" else 0), f"matter {pid} audit records"
    assert set(audited) <= set(rows), "an audit record for a matter that is not there"
    # Numbering: 1..N per county and year, the counter at N, each number the county's pattern of its seq.
    seqs: dict[tuple, list[int]] = {}
    for row in rows.values():
        seqs.setdefault((row.county_unit_id, row.year), []).append(row.seq)
        assert row.number == f"清信〔{row.year}〕{row.seq:05d}号", row.number
    for key, found in seqs.items():
        assert sorted(found) == list(range(1, len(found) + 1)), f"gap or duplicate in {key}"
        assert counters[key] == len(found), (key, counters[key], len(found))

    verify = served.flask_cli(env, "audit", "verify")
    assert verify.returncode == 0, verify.stdout + verify.stderr
    assert integrity == "ok", integrity

    seconds = time.monotonic() - started
    with capsys.disabled():
        print(f"\n[crash battery, {under.kind}] {len(KILLS)} trials, {len(killed)} kill -9 "
              f"({Counter(k.split()[0] for k in killed)}), {len(acks)} acknowledged registrations, "
              f"{len(rows)} stored, {desks.cut} cut off unanswered, {sum(audited.values())} accusation audit "
              f"records, chain: {verify.stdout.strip()}, {seconds:.0f} s")
