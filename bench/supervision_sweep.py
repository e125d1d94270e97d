#!/usr/bin/env python3
"""The escalation sweep on a generated dataset (issue 10): what installing it costs once (the clocks of every
open matter, then the backlog the synthetic data carries), then what a day's changes cost and that a second
run the same day writes nothing.

    bench/supervision_sweep.py --engine sqlite --size 1m [--days 3]

Run after `bench/run --engine … --size …` has generated the dataset. Each step runs through `flask` (as cron
would) and prints its wall time, with the sweep's own counts; the in-process time of the daily runs is the
figure the issue's budget (≤ 5 s for a day's changes) is held against.
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from datetime import date, timedelta
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from bench.harness.dataset import Dataset  # noqa: E402

TIMED = """
import json, sys, time
from datetime import date
from county_net import create_app
app = create_app()
with app.app_context():
    from county_net.supervision.jobs import daily_sweep
    started = time.perf_counter()
    counts = daily_sweep(today=date.fromisoformat(sys.argv[1]))
    counts["seconds"] = round(time.perf_counter() - started, 3)
    print("RESULT " + json.dumps(counts))
"""


def flask(env, *args) -> tuple[float, str]:
    started = time.monotonic()
    proc = subprocess.run([str(REPO / ".venv" / "bin" / "flask"), "--app", "wsgi", *args], cwd=REPO, env=env,
                          capture_output=True, text=True)
    if proc.returncode != 0:
        raise SystemExit(f"flask {' '.join(args)} failed:\n{proc.stderr[-2000:]}")
    return time.monotonic() - started, proc.stdout.strip().splitlines()[-1] if proc.stdout.strip() else ""


def timed_sweep(env, day: date) -> dict:
    proc = subprocess.run([str(REPO / ".venv" / "bin" / "python"), "-c", TIMED, day.isoformat()], cwd=REPO,
                          env=env, capture_output=True, text=True)
    if proc.returncode != 0:
        raise SystemExit(f"sweep {day} failed:\n{proc.stderr[-2000:]}")
    line = [x for x in proc.stdout.splitlines() if x.startswith("RESULT ")][-1]
    return json.loads(line[len("RESULT "):])


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--engine", choices=("sqlite", "postgresql"), default="sqlite")
    p.add_argument("--size", default="1m")
    p.add_argument("--days", type=int, default=3, help="daily runs after the backlog")
    p.add_argument("--start", default=None, help="the first day (default: today, Asia/Shanghai)")
    p.add_argument("--installed", action="store_true",
                   help="the clocks are built and the backlog swept already: measure the daily runs only")
    args = p.parse_args()
    ds = Dataset(args.engine, args.size, REPO)
    if not ds.exists():
        raise SystemExit("no dataset: run bench/run --engine … --size … first")
    env = ds.product_env()
    env.setdefault("COUNTY_NET_INSTANCE", str(REPO / "instance"))
    ds.migrate(print)
    result = {"engine": args.engine, "size": args.size, "steps": []}
    first = date.fromisoformat(args.start) if args.start else date.today()
    if not args.installed:
        seconds, line = flask(env, "supervision", "rebuild-clocks")
        print(f"rebuild-clocks (once, on install): {seconds:.1f} s  {line}")
        result["steps"].append({"step": "rebuild-clocks", "seconds": round(seconds, 1), "output": line})
        backlog = timed_sweep(env, first)
        print(f"first sweep {first} (the backlog, once): {backlog['seconds']:.1f} s  {backlog}")
        result["steps"].append({"step": "backlog", "day": first.isoformat(), **backlog})
    for n in range(1, args.days + 1):
        day = first + timedelta(days=n)
        once = timed_sweep(env, day)
        again = timed_sweep(env, day)
        print(f"day {day}: {once['seconds']:.2f} s for {once['clocks']} clocks "
              f"({once['records_issued']} records issued, {once['records_raised']} raised, "
              f"{once['warned']} warnings, {once['due_soon']} due soon, {once['overdue']} overdue); "
              f"second run {again['seconds']:.3f} s, {again['clocks']} clocks")
        result["steps"].append({"step": "day", "day": day.isoformat(), "first": once, "second": again})
    kind = "supervision-sweep-daily" if args.installed else "supervision-sweep"
    out = REPO / "bench" / "results" / f"{date.today().isoformat()}-{args.engine}-{args.size}-{kind}.json"
    out.write_text(json.dumps(result, ensure_ascii=False, indent=1))
    print(f"results: {out.relative_to(REPO)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
