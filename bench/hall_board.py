#!/usr/bin/env python3
"""The hall's display board under its TVs (issue 12 item 4: p95 ≤ 30 ms, ≤ 2 statements a poll), against a
bare baseline on the same database.

    bench/hall_board.py --engine sqlite [--size tiny] [--rounds 15] [--pollers 20]
    bench/hall_board.py --engine postgresql

Uses the harness's dataset (`flask bench generate`, default the tiny preset: 200 units, 10,000 matters; made
once), then seeds the first county center's hall for today: 20 active windows and 200 visits (per window one
interviewing, one just called, eight waiting in mixed ranks) and a few published leaders' sessions. Runs the
product under gunicorn on loopback like bench/run, and times while `--pollers` threads (one keep-alive
connection each) poll like the hall's TVs, every `--period` seconds:
  board_poll    GET /hall/board/<code>/state.json        (no login; two statements)
  window_queue  county_net.hall.board.window_queue(…)     (in this process through the product's ORM, tenancy
                                                          criteria and on PostgreSQL RLS, during the polls)
  window_desk   GET /api/v1/hall/windows/<id>/queue      (each of the 20 windows' screens, signed in as the
                                                          center's receptionist, at the boards' pace)
The baseline runs the same statements as bare SQL on DB-API connections as the owner (no Flask, ORM,
criteria, RLS or JSON), paced the same way. Also counts the statements of one poll. Results JSON in
bench/results/. On PostgreSQL the database is `<BENCH_PG_PREFIX or hall_board_bench>_<size>`.
"""
from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import sys
import threading
import time
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
os.environ.setdefault("BENCH_PG_PREFIX", "hall_board_bench")

from bench.harness.dataset import Dataset  # noqa: E402
from bench.harness.procs import Server, stop_all  # noqa: E402
from bench.harness.report import latency_stats  # noqa: E402
from bench.harness.workload import api_login  # noqa: E402

WINDOWS, VISITS, SEED = 20, 200, 1
BUDGET_MS, BUDGET_STATEMENTS = 30.0, 2


def log(msg: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)


def hall_today() -> date:
    return datetime.now(timezone.utc).astimezone(ZoneInfo("Asia/Shanghai")).date()


def first_county(ds: Dataset) -> tuple[int, str]:
    conn = ds.dbapi_connect()
    try:
        unit_id, code = conn.execute("SELECT id, code FROM units WHERE kind = 'county_center' ORDER BY id LIMIT 1"
                                     ).fetchone()
    finally:
        conn.close()
    return int(unit_id), code


def clear_hall(ds: Dataset, county: int) -> None:
    """As the owner: the bench's earlier hall rows of this county go (the app role may not delete them)."""
    conn = ds.dbapi_connect()
    ph = ds.placeholder()
    try:
        for table in ("hall_visit_people", "hall_visit_events", "hall_visits", "hall_reception_days", "windows"):
            conn.execute(f"DELETE FROM {table} WHERE unit_id = {ph}", (county,))
        if ds.engine == "sqlite":
            conn.commit()
    finally:
        conn.close()


def analyse(ds: Dataset) -> None:
    """Fresh statistics for the seeded tables, so the planner sees 200 visits and not an empty table (a live
    hall's tables are analysed by autovacuum long before the morning queue)."""
    conn = ds.dbapi_connect()
    try:
        for table in ("hall_visits", "windows", "hall_reception_days"):
            conn.execute(f"ANALYZE {table}")
        if ds.engine == "sqlite":
            conn.commit()
    finally:
        conn.close()


def product_app(ds: Dataset):
    """The product in this process, configured exactly as the server (for seeding and the queue reads)."""
    env = ds.product_env()
    env.setdefault("COUNTY_NET_INSTANCE", str(REPO / "instance"))
    os.environ.update(env)
    from county_net import create_app

    return create_app()


def seed(app, county: int, day: date, history_days: int) -> list[int]:
    """20 windows, 200 visits for `day`, leaders' sessions, and `history_days` past days of 200 finished visits
    each (a hall's table after months of use: the poll must find today's rows by index, not scan a window's
    history); through the ORM in system scope, the history as one bulk insert."""
    from sqlalchemy import insert

    from county_net.extensions import db
    from county_net.hall.models import RANK_BOOKED, RANK_PRIORITY, RANK_WALK_IN, ReceptionDay, Visit
    from county_net.tenancy import system_scope
    from county_net.units.models import Window

    rng = random.Random(SEED)
    now = datetime.now(timezone.utc)
    with app.app_context(), system_scope("bench: hall board seed"):
        windows = [Window(unit_id=county, number=n, name=f"基准窗口{n}", is_active=True) for n in range(1, WINDOWS + 1)]
        db.session.add_all(windows)
        db.session.flush()
        per_window = VISITS // WINDOWS
        ticket = 0
        for w in windows:
            for k in range(per_window):
                ticket += 1
                state = "interviewing" if k == 0 else "called" if k == 1 else "waiting"
                rank = rng.choice((RANK_PRIORITY, RANK_BOOKED, RANK_WALK_IN, RANK_WALK_IN))
                db.session.add(Visit(
                    unit_id=county, day=day, ticket_no=ticket, state=state, window_id=w.id,
                    booked=rank == RANK_BOOKED, queue_rank=rank,
                    checked_in_at=now - timedelta(minutes=rng.randint(1, 180)),
                    called_at=now - timedelta(seconds=rng.randint(0, 600)) if state != "waiting" else None,
                    purpose="基准来访事项", registered_by_name="基准"))
        past = [dict(unit_id=county, day=day - timedelta(days=d), ticket_no=n, state="left",
                     window_id=windows[n % WINDOWS].id, queue_rank=RANK_WALK_IN, checked_in_at=now - timedelta(days=d), purpose="基准来访事项",
                     registered_by_name="基准", outcome="oral")
                for d in range(1, history_days + 1) for n in range(1, VISITS + 1)]
        if past:
            db.session.execute(insert(Visit), past)
        for offset, state in ((0, "held"), (0, "published"), (1, "published"), (7, "published"), (10, "planned")):
            db.session.add(ReceptionDay(unit_id=county, day=day + timedelta(days=offset), state=state,
                                        leader_name="基准领导", leader_post="副县长", place="县领导接待室",
                                        published_at=now if state != "planned" else None))
        db.session.commit()
        ids = [w.id for w in windows]
        db.session.remove()
    return ids


def count_poll_statements(app, code: str) -> int:
    from sqlalchemy import event

    from county_net.extensions import db

    client = app.test_client()
    client.get(f"/hall/board/{code}/state.json")  # warm: the map of county centers
    seen = []
    with app.app_context():
        engine = db.engine
    listener = lambda conn, cursor, statement, *a: seen.append(statement)  # noqa: E731
    event.listen(engine, "before_cursor_execute", listener)
    try:
        resp = client.get(f"/hall/board/{code}/state.json")
    finally:
        event.remove(engine, "before_cursor_execute", listener)
    if resp.status_code != 200:
        raise SystemExit(f"state.json: {resp.status_code}")
    return len([s for s in seen if not s.startswith("BEGIN")])


# ---- baseline: the same statements, bare ------------------------------------------------------------------

def baseline_sql(ds: Dataset) -> dict[str, str]:
    ph = ds.placeholder()
    true = "1" if ds.engine == "sqlite" else "true"
    return {
        "windows": (f"SELECT w.id, w.number, w.name, s.ticket_no, s.booked, s.state, s.called_at, "
                    f"(SELECT count(q.id) FROM hall_visits q WHERE q.unit_id = {ph} AND q.day = {ph} "
                    f"AND q.window_id = w.id AND q.state = 'waiting') FROM windows w LEFT OUTER JOIN hall_visits s "
                    f"ON s.unit_id = {ph} AND s.day = {ph} AND s.window_id = w.id "
                    f"AND s.state IN ('called', 'interviewing') WHERE w.unit_id = {ph} AND w.is_active = {true} "
                    f"ORDER BY w.number, s.called_at DESC, s.id DESC"),
        "rota": (f"SELECT day, starts, ends, form, place, topic, leader_name, leader_post, leader_portfolio, state "
                 f"FROM hall_reception_days WHERE unit_id = {ph} AND published_at IS NOT NULL AND day >= {ph} "
                 f"AND day <= {ph} AND (state = 'published' OR (state = 'held' AND day = {ph})) "
                 f"ORDER BY day, starts, id"),
        "queue": (f"SELECT * FROM hall_visits WHERE unit_id = {ph} AND day = {ph} AND window_id = {ph} "
                  f"AND state = 'waiting' ORDER BY queue_rank, checked_in_at, id"),
    }


# ---- pacing -----------------------------------------------------------------------------------------------

def paced(make_call, pollers: int, period: float, rounds: int) -> tuple[list[float], list[str]]:
    """`pollers` threads, each with its own connection (`make_call()` → (call, close)), call once to warm up
    and then every `period` seconds for `rounds` rounds, starting spread over the first period."""
    times, errors, lock = [], [], threading.Lock()

    def run(i: int) -> None:
        call, close = make_call()
        try:
            call()
            time.sleep(period * i / pollers)
            start = time.monotonic()
            for r in range(rounds):
                t = time.perf_counter()
                call()
                ms = (time.perf_counter() - t) * 1000
                with lock:
                    times.append(ms)
                time.sleep(max(0.0, start + (r + 1) * period - time.monotonic()))
        except Exception as exc:  # noqa: BLE001  (reported, and the run fails)
            with lock:
                errors.append(repr(exc))
        finally:
            close()

    threads = [threading.Thread(target=run, args=(i,), daemon=True) for i in range(pollers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return times, errors


def http_poller(port: int, path: str):
    def make():
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)

        def call():
            conn.request("GET", path, headers={"Accept": "application/json"})
            resp = conn.getresponse()
            body = resp.read()
            if resp.status != 200:
                raise RuntimeError(f"GET {path}: {resp.status} {body[:200]!r}")

        return call, conn.close
    return make


def _one_window_each(windows: list[int]):
    """Hands each new poller the next window, round the list."""
    turn, lock = iter(range(10 ** 6)), threading.Lock()

    def next_window() -> int:
        with lock:
            return windows[next(turn) % len(windows)]
    return next_window


def desk_poller(port: int, token: str, windows: list[int]):
    """The window clerks' screens: poller i reads window i's desk (`GET /api/v1/hall/windows/<id>/queue`: the
    ticket at the window, the queue with positions and waits, today's done) with a bearer token."""
    next_window = _one_window_each(windows)

    def make():
        window_id = next_window()
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        path = f"/api/v1/hall/windows/{window_id}/queue"

        def call():
            conn.request("GET", path, headers={"Accept": "application/json", "Authorization": f"Bearer {token}"})
            resp = conn.getresponse()
            body = resp.read()
            if resp.status != 200:
                raise RuntimeError(f"GET {path}: {resp.status} {body[:200]!r}")

        return call, conn.close
    return make


def baseline_desk(ds: Dataset, county: int, day: date, windows: list[int]):
    """The bare counterpart of a desk read: the window's queue statement."""
    sql = baseline_sql(ds)
    next_window = _one_window_each(windows)

    def make():
        window_id = next_window()
        conn = ds.dbapi_connect()

        def call():
            conn.execute(sql["queue"], (county, day.isoformat(), window_id)).fetchall()
            if ds.engine == "sqlite":
                conn.rollback()

        return call, conn.close
    return make


def center_receptionist(ds: Dataset, county: int) -> str:
    conn = ds.dbapi_connect()
    try:
        row = conn.execute(f"SELECT username FROM users WHERE unit_id = {ds.placeholder()} AND roles = 'receptionist' "
                           "AND is_enabled ORDER BY id LIMIT 1", (county,)).fetchone()
    finally:
        conn.close()
    if row is None:
        raise SystemExit("the county center has no receptionist in this dataset")
    return row[0]


def baseline_poller(ds: Dataset, county: int, day: date):
    sql = baseline_sql(ds)
    d, last = day.isoformat(), (day + timedelta(days=14)).isoformat()

    def make():
        conn = ds.dbapi_connect()

        def call():
            conn.execute(sql["windows"], (county, d, county, d, county)).fetchall()
            conn.execute(sql["rota"], (county, d, last, d)).fetchall()
            if ds.engine == "sqlite":
                conn.rollback()

        return call, conn.close
    return make


def queue_reads(make_read, windows: list[int], stop: threading.Event, pause: float) -> list[float]:
    """One reader (the desk calling the next ticket), in its own thread and connection, until `stop`."""
    out, rng = [], random.Random(SEED)
    read, close = make_read()
    try:
        read(windows[0])  # warm
        while not stop.is_set():
            w = rng.choice(windows)
            t = time.perf_counter()
            read(w)
            out.append((time.perf_counter() - t) * 1000)
            time.sleep(pause)
    finally:
        close()
    return out


def stats(ms: list[float]) -> dict:
    return latency_stats(ms, digits=2)


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--engine", choices=("sqlite", "postgresql"), default="sqlite")
    p.add_argument("--size", default="tiny", help="the harness's dataset preset (tiny, 10k, 100k, 1m)")
    p.add_argument("--pollers", type=int, default=20)
    p.add_argument("--period", type=float, default=2.0, help="seconds between one poller's polls")
    p.add_argument("--rounds", type=int, default=15, help="timed polls per poller")
    p.add_argument("--workers", type=int, default=2)
    p.add_argument("--threads", type=int, default=4)
    p.add_argument("--history-days", type=int, default=120,
                   help="past days of 200 finished visits each, seeded beside today's")
    p.add_argument("--regenerate", action="store_true")
    args = p.parse_args()

    ds = Dataset(args.engine, args.size, REPO)
    if args.regenerate or not ds.marker_matches(SEED):
        ds.generate(SEED, log)
    ds.migrate(log)
    county, code = first_county(ds)
    day = hall_today()
    clear_hall(ds, county)
    app = product_app(ds)
    windows = seed(app, county, day, args.history_days)
    analyse(ds)
    statements = count_poll_statements(app, code)
    log(f"county {code} ({county}): {len(windows)} windows, {VISITS} visits on {day} "
        f"(+{VISITS * args.history_days} past); {statements} statements a poll")

    from county_net.extensions import db
    from county_net.hall import board
    from county_net.tenancy import system_scope

    def product_queue(window_id: int) -> None:
        with app.app_context(), system_scope("bench: a window's queue"):
            rows = board.window_queue(county, window_id, day)
            db.session.rollback()
            db.session.remove()
        if not rows:
            raise SystemExit("an empty queue: the seed did not take")

    def product_reader():
        return product_queue, lambda: None

    sql = baseline_sql(ds)

    def baseline_reader():
        bare = ds.dbapi_connect()

        def read(window_id: int) -> None:
            bare.execute(sql["queue"], (county, day.isoformat(), window_id)).fetchall()
            if ds.engine == "sqlite":
                bare.rollback()

        return read, bare.close

    result = {"engine": args.engine, "size": args.size, "county_unit_id": county, "day": day.isoformat(),
              "windows": WINDOWS, "visits": VISITS,
              "past_visits": VISITS * args.history_days, "pollers": args.pollers, "period_s": args.period,
              "statements_per_poll": statements, "budget_ms": BUDGET_MS, "ops": {}}

    def timed(name: str, poller, queue_reader, desks) -> dict:
        stop = threading.Event()
        reads: list[float] = []
        desk_times: list[float] = []
        desk_errors: list[str] = []
        reader = threading.Thread(target=lambda: reads.extend(queue_reads(queue_reader, windows, stop, 0.05)),
                                  daemon=True)
        reader.start()
        # The windows' screens poll their desks as the boards poll theirs, at the same pace.
        def desk_polls() -> None:
            got, failed = paced(desks, len(windows), args.period, args.rounds)
            desk_times.extend(got)
            desk_errors.extend(failed)

        desk_thread = threading.Thread(target=desk_polls, daemon=True)
        desk_thread.start()
        polls, errors = paced(poller, args.pollers, args.period, args.rounds)
        desk_thread.join()
        stop.set()
        reader.join()
        if errors or desk_errors:
            first = (errors or desk_errors)[0]
            raise SystemExit(f"{name}: {len(errors) + len(desk_errors)} poller errors, first: {first}")
        return {"board_poll": stats(polls), "window_queue": stats(reads), "window_desk": stats(desk_times)}

    env = ds.product_env()
    env.setdefault("COUNTY_NET_INSTANCE", str(REPO / "instance"))
    server = Server("hall-board", "wsgi:app", env, repo=REPO, workers=args.workers, threads=args.threads,
                    log_dir=REPO / "instance" / "bench" / "logs", ready_path="/login").start()
    try:
        server.wait_ready()
        log(f"baseline: {args.pollers} pollers × {args.rounds} rounds every {args.period} s …")
        base = timed("baseline", baseline_poller(ds, county, day), baseline_reader,
                     baseline_desk(ds, county, day, windows))
        token = api_login(server.port, center_receptionist(ds, county), ds.manifest()["password"])
        log(f"product: {args.pollers} pollers × {args.rounds} rounds every {args.period} s, "
            f"{len(windows)} window desks likewise …")
        prod = timed("product", http_poller(server.port, f"/hall/board/{code}/state.json"), product_reader,
                     desk_poller(server.port, token, windows))
    finally:
        stop_all()
    result["baseline"] = base
    # Latency on a shared machine follows its load: recorded beside the figures.
    result["load_average"] = [round(v, 2) for v in os.getloadavg()]
    result["cpus"] = os.cpu_count()
    print(f"machine: {result['cpus']} CPUs, load average {result['load_average']} (1, 5, 15 min)")
    print(f"statements per poll: {statements} (budget {BUDGET_STATEMENTS})"
          + ("" if statements <= BUDGET_STATEMENTS else "  OVER BUDGET"))
    for op in ("board_poll", "window_queue", "window_desk"):
        s, b = prod[op], base[op]
        s["ratio_p50_vs_baseline"] = round(s["p50_ms"] / b["p50_ms"], 1) if b["p50_ms"] else None
        s["ratio_p95_vs_baseline"] = round(s["p95_ms"] / b["p95_ms"], 1) if b["p95_ms"] else None
        result["ops"][op] = s
        verdict = "within budget" if s["p95_ms"] <= BUDGET_MS else "OVER BUDGET"
        print(f"{op:<13} p50 {s['p50_ms']:>6} ms  p95 {s['p95_ms']:>6} ms  max {s['max_ms']:>7} ms  (n {s['n']})  "
              f"baseline p50 {b['p50_ms']} / p95 {b['p95_ms']} ms  ×{s['ratio_p95_vs_baseline']} at p95  {verdict}")
    out = REPO / "bench" / "results" / f"{date.today().isoformat()}-{args.engine}-hall-board.json"
    out.write_text(json.dumps(result, ensure_ascii=False, indent=1))
    print(f"results: {out.relative_to(REPO)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
