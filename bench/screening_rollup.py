#!/usr/bin/env python3
"""The county roll-up of a month (issue 11: p95 ≤ 200 ms with 2,000 reporting units × 24 months of sheets),
against a bare baseline on the same database.

    bench/screening_rollup.py --engine sqlite [--requests 60] [--regenerate]
    bench/screening_rollup.py --engine postgresql

Generates (once) a dataset of its own with the product's `flask bench generate --screening-months 24`
(2,000 units in 10 counties, a small matter history beside), under gunicorn on loopback like bench/run, logs in
as the county center of the largest county and times, one request at a time after a warm-up:
  rollup_api   GET /api/v1/screening/rollup?period=<month>  (bearer)
  rollup_page  GET /screening/rollup?period=<month>         (session cookie; the HTML table, ~thousands of links)
  disputes     GET /api/v1/screening/rollup/disputes?…       (the list behind the county's 排查 figure)
The baseline runs the same aggregates (the month's lines by unit × type × status × band × major, the year to
date by latest line per dispute, the previous month, the sheets) as bare SQL on one DB-API connection as the
owner: no Flask, ORM, tenancy criteria, RLS or rendering. Results JSON in bench/results/.
On PostgreSQL the database is `<BENCH_PG_PREFIX or rollup_bench>_screening`.
"""
from __future__ import annotations

import argparse
import http.client
import json
import os
import statistics
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
os.environ.setdefault("BENCH_PG_PREFIX", "rollup_bench")

from bench.harness import workload as wl  # noqa: E402
from bench.harness.dataset import Dataset  # noqa: E402
from bench.harness.procs import Server, stop_all  # noqa: E402

SIZE = "screening"
UNITS, PETITIONS, MONTHS, SEED = 2000, 20_000, 24, 1
BUDGET_MS = 200.0


def log(msg: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)


def generate(ds: Dataset, regenerate: bool) -> None:
    marker = ds.marker_path
    if ds.exists() and marker.exists() and not regenerate:
        return
    ds.folder.mkdir(parents=True, exist_ok=True)
    ds.drop()
    if ds.engine == "postgresql":
        subprocess.run(["createdb", "-h", "127.0.0.1", "-U", "postgres", "-O", "postgres", ds.pg_name], check=True)
    ds.migrate(log)
    log(f"generating {UNITS} units × {MONTHS} months of sheets ({PETITIONS} matters beside) …")
    started = time.monotonic()
    # The stress preset: the shape this script's figures were measured on before presets existed.
    subprocess.run([str(REPO / ".venv" / "bin" / "flask"), "--app", "wsgi", "bench", "generate", "--units",
                    str(UNITS), "--petitions", str(PETITIONS), "--seed", str(SEED), "--preset", "stress",
                    "--screening-months", str(MONTHS), "--today", date.today().isoformat(), "--manifest", str(ds.manifest_path)],
                   cwd=REPO, env=ds.product_env(), check=True)
    marker.write_text(json.dumps({"seed": SEED, "units": UNITS, "months": MONTHS, "today": date.today().isoformat(),
                                  "wall_seconds": round(time.monotonic() - started, 1)}))


def busiest_county(ds: Dataset, month_start: str) -> tuple[int, str, dict]:
    conn = ds.dbapi_connect()
    ph = ds.placeholder()
    try:
        county, = conn.execute(
            "SELECT r.county_unit_id FROM screening_reports r JOIN disputes d ON d.report_id = r.id "
            f"WHERE r.period_start >= {ph} GROUP BY r.county_unit_id ORDER BY count(*) DESC LIMIT 1",
            (month_start,)).fetchone()
        code, = conn.execute(f"SELECT code FROM units WHERE id = {ph}", (county,)).fetchone()
        sizes = {
            "reporting_units": conn.execute(
                f"SELECT count(*) FROM units WHERE kind <> 'county_center' AND path LIKE {ph}",
                (f"/{county}/%",)).fetchone()[0],
            "sheets_all": conn.execute("SELECT count(*) FROM screening_reports").fetchone()[0],
            "disputes_all": conn.execute("SELECT count(*) FROM disputes").fetchone()[0],
            "sheets_county_month": conn.execute(
                f"SELECT count(*) FROM screening_reports WHERE county_unit_id = {ph} AND period_start >= {ph} "
                f"AND period_start < {ph}", (county, month_start, _next_month(month_start))).fetchone()[0],
        }
    finally:
        conn.close()
    return int(county), code, sizes


def _next_month(start: str) -> str:
    y, m = int(start[:4]), int(start[5:7])
    return f"{y + (m == 12)}-{m % 12 + 1:02d}-01"


def _prev_month(start: str) -> str:
    y, m = int(start[:4]), int(start[5:7])
    return f"{y - (m == 1)}-{(m - 2) % 12 + 1:02d}-01"


def baseline_sql(ph: str) -> list[str]:
    """The roll-up's statements as bare SQL (the product builds the same through the ORM, plus criteria)."""
    lines = ("SELECT r.unit_id, d.dispute_type, d.status, d.scale_band, d.is_major, count(d.id) FROM disputes d "
             "JOIN screening_reports r ON d.report_id = r.id WHERE r.county_unit_id = {ph} AND r.counted = {t} "
             "AND r.period_start >= {ph} AND r.period_end <= {ph} GROUP BY 1, 2, 3, 4, 5")
    ytd = ("SELECT r.unit_id, d.dispute_type, d.status, d.scale_band, d.is_major, count(d.id) FROM disputes d "
           "JOIN screening_reports r ON d.report_id = r.id WHERE r.county_unit_id = {ph} AND r.counted = {t} "
           "AND r.period_start >= {ph} AND r.period_end <= {ph} "
           "AND (d.superseded_on IS NULL OR d.superseded_on > {ph}) GROUP BY 1, 2, 3, 4, 5")
    sheets = ("SELECT unit_id, period_start, state, late, is_nil FROM screening_reports WHERE county_unit_id = {ph} "
              "AND counted = {t} AND period_start >= {ph} AND period_end <= {ph}")
    return [s.replace("{ph}", ph) for s in (lines, ytd, sheets)]


def time_baseline(ds: Dataset, county: int, start: str, end: str, n: int) -> list[float]:
    conn = ds.dbapi_connect()
    ph = ds.placeholder()
    true = "1" if ds.engine == "sqlite" else "true"
    lines, ytd, sheets = (s.replace("{t}", true) for s in baseline_sql(ph))
    prev_start = _prev_month(start)
    prev_end = (date.fromisoformat(start).toordinal() - 1)
    prev_end = date.fromordinal(prev_end).isoformat()
    year_start = start[:4] + "-01-01"
    out = []
    try:
        for i in range(n + 10):
            t = time.perf_counter()
            conn.execute(lines, (county, start, end)).fetchall()
            conn.execute(ytd, (county, year_start, end, end)).fetchall()
            conn.execute(lines, (county, prev_start, prev_end)).fetchall()
            conn.execute(sheets, (county, start, end)).fetchall()
            conn.execute(sheets, (county, prev_start, prev_end)).fetchall()
            if i >= 10:
                out.append((time.perf_counter() - t) * 1000)
    finally:
        conn.close()
    return out


def time_requests(port: int, path: str, headers: dict, n: int) -> tuple[list[float], int]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    out, size = [], 0
    for i in range(n + 10):  # 10 warm-up requests
        t = time.perf_counter()
        conn.request("GET", path, headers=headers)
        resp = conn.getresponse()
        body = resp.read()
        ms = (time.perf_counter() - t) * 1000
        if resp.status != 200:
            raise SystemExit(f"GET {path}: {resp.status} {body[:300]!r}")
        size = len(body)
        if i >= 10:
            out.append(ms)
    conn.close()
    return out, size


def stats(ms: list[float]) -> dict:
    ordered = sorted(ms)
    p95 = ordered[max(0, int(round(0.95 * len(ordered))) - 1)]
    return {"n": len(ms), "p50_ms": round(statistics.median(ordered), 1), "p95_ms": round(p95, 1),
            "max_ms": round(ordered[-1], 1), "mean_ms": round(statistics.fmean(ordered), 1)}


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--engine", choices=("sqlite", "postgresql"), default="sqlite")
    p.add_argument("--requests", type=int, default=60, help="timed requests per operation (after 10 warm-up)")
    p.add_argument("--period", default=None, help="the month (default: this month, the fullest year to date)")
    p.add_argument("--regenerate", action="store_true")
    p.add_argument("--workers", type=int, default=2)
    args = p.parse_args()
    ds = Dataset(args.engine, SIZE, REPO)
    generate(ds, args.regenerate)
    ds.migrate(log)
    today = date.today()
    period = args.period or f"{today:%Y-%m}"
    start = f"{period}-01"
    end = (date.fromisoformat(_next_month(start)).toordinal() - 1)
    end = date.fromordinal(end).isoformat()
    county, code, sizes = busiest_county(ds, start)
    log(f"county {code} ({county}): {sizes}")
    env = ds.product_env()
    env.setdefault("COUNTY_NET_INSTANCE", str(REPO / "instance"))
    server = Server("screening-rollup", "wsgi:app", env, repo=REPO, workers=args.workers, threads=2,
                    log_dir=REPO / "instance" / "bench" / "logs", ready_path="/login").start()
    result = {"engine": args.engine, "period": period, "county_unit_id": county, "sizes": sizes,
              "budget_ms": BUDGET_MS, "ops": {}}
    try:
        server.wait_ready()
        user = f"{code.lower()}r1"  # the generator's first receptionist of the county center
        token = wl.api_login(server.port, user, "Bench-2026!")
        cookie = wl.web_login(server.port, user, "Bench-2026!")
        bearer = {"Authorization": f"Bearer {token}"}
        ops = {
            "rollup_api": (f"/api/v1/screening/rollup?period={period}", bearer),
            "rollup_page": (f"/screening/rollup?period={period}", {"Cookie": cookie}),
            "disputes": (f"/api/v1/screening/rollup/disputes?period={period}&unit={county}&measure=screened",
                         bearer),
            "rollup_ytd_year": (f"/api/v1/screening/rollup?period={period[:4]}", bearer),
        }
        base = stats(time_baseline(ds, county, start, end, args.requests))
        result["baseline"] = base
        print(f"baseline (bare SQL, same statements): p50 {base['p50_ms']} ms, p95 {base['p95_ms']} ms")
        for name, (path, headers) in ops.items():
            ms, size = time_requests(server.port, path, headers, args.requests)
            s = stats(ms)
            s["bytes"] = size
            s["ratio_p95_vs_baseline"] = round(s["p95_ms"] / base["p95_ms"], 1) if base["p95_ms"] else None
            result["ops"][name] = s
            verdict = "" if name not in ("rollup_api", "rollup_page") else \
                ("  within budget" if s["p95_ms"] <= BUDGET_MS else "  OVER BUDGET")
            print(f"{name:<16} p50 {s['p50_ms']:>7} ms  p95 {s['p95_ms']:>7} ms  max {s['max_ms']:>7} ms  "
                  f"×{s['ratio_p95_vs_baseline']} baseline  {size} bytes{verdict}")
    finally:
        stop_all()
    out = REPO / "bench" / "results" / f"{today.isoformat()}-{args.engine}-screening-rollup.json"
    out.write_text(json.dumps(result, ensure_ascii=False, indent=1))
    print(f"results: {out.relative_to(REPO)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
