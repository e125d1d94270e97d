#!/usr/bin/env python3
"""gunicorn sync against gthread on the same dataset, with the same requests, side by side (issue 14, point 7).

bench/run compares the product with the baseline under one worker class. On a shared machine, the load from
other work changes between two such runs, so this script starts both products at once and alternates short
wrk runs between them (A B, then B A, …). Both meet the same background load. It replays the request lists of
an earlier `bench/run` (its logs/…/requests folder: the cookies and tokens there stay valid for the bench's
long session settings):

    bench/process_model.py --engine sqlite --size 100k --requests bench/results/logs/<run>/requests \\
        --ops matter_page,inbox_p1,register --rounds 4 --duration 6

Per operation and class, it reports the median saturated rps over the rounds, and p95 when paced at half the
slower class's saturated rate. The machine's load average is taken at each run. Results go to
bench/results/<date>-<engine>-<size>-process-model.json.
"""
from __future__ import annotations

import os
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
VENV_PY = REPO / ".venv" / "bin" / "python"
if Path(sys.prefix).resolve() != (REPO / ".venv").resolve() and VENV_PY.exists():
    os.execv(str(VENV_PY), [str(VENV_PY), str(Path(__file__).resolve()), *sys.argv[1:]])
sys.path.insert(0, str(REPO))

import argparse  # noqa: E402
import json  # noqa: E402
import statistics  # noqa: E402
import time  # noqa: E402
from datetime import date, datetime  # noqa: E402

from bench.harness.dataset import Dataset  # noqa: E402
from bench.harness.driver import run_wrk  # noqa: E402
from bench.harness.procs import Server, stop_all  # noqa: E402

RESULTS = REPO / "bench" / "results"


def load() -> float:
    return float(Path("/proc/loadavg").read_text().split()[0])


def main() -> int:
    p = argparse.ArgumentParser(prog="bench/process_model.py", description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--engine", choices=("sqlite", "postgresql"), default="sqlite")
    p.add_argument("--size", default="100k")
    p.add_argument("--requests", type=Path, required=True, help="a bench/run logs/…/requests folder")
    p.add_argument("--ops", default="matter_page,inbox_p1,register")
    p.add_argument("--rounds", type=int, default=4)
    p.add_argument("--duration", type=float, default=6.0)
    p.add_argument("--connections", type=int, default=32)
    p.add_argument("--latency-connections", type=int, default=16)
    p.add_argument("--sync-workers", type=int, default=6)
    p.add_argument("--gthread", default="3x4", help="workers x threads")
    args = p.parse_args()

    ds = Dataset(args.engine, args.size, REPO)
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    log_dir = RESULTS / "logs" / f"{stamp}-{args.engine}-{args.size}-process-model"
    gw, gt = (int(x) for x in args.gthread.split("x"))
    servers = {
        f"gthread {gw}x{gt}": Server("gthread", "wsgi:app", ds.product_env(), repo=REPO, workers=gw, threads=gt,
                                     log_dir=log_dir, ready_path="/login", worker_class="gthread"),
        f"sync {args.sync_workers}": Server("sync", "wsgi:app", ds.product_env(), repo=REPO,
                                            workers=args.sync_workers, threads=1, log_dir=log_dir,
                                            ready_path="/login", worker_class="sync"),
    }
    names = list(servers)
    runs: dict = {op: {name: {"saturated": [], "paced": []} for name in names} for op in args.ops.split(",")}
    try:
        for s in servers.values():
            s.start()
        for s in servers.values():
            s.wait_ready()
        for op, by_class in runs.items():
            requests = args.requests / f"{op}.tsv"
            for name in names:  # warm-up
                run_wrk(servers[name], requests, duration=3, connections=args.connections, threads=2)
            for r in range(args.rounds):
                for name in (names if r % 2 == 0 else names[::-1]):
                    before = load()
                    out = run_wrk(servers[name], requests, duration=args.duration, connections=args.connections,
                                  threads=2)
                    by_class[name]["saturated"].append({"rps": out["rps"], "p95_ms": out["latency_ms"]["p95"],
                                                        "non_2xx": out["non_2xx"], "load": before})
                    print(f"{op:<12} {name:<12} sat  r{r + 1} {out['rps']:7.1f} rps  "
                          f"p95 {out['latency_ms']['p95']:7.1f} ms  load {before:.2f}", flush=True)
            rate = 0.5 * min(statistics.median(x["rps"] for x in by_class[n]["saturated"]) for n in names)
            for r in range(max(1, args.rounds // 2)):
                for name in (names if r % 2 == 0 else names[::-1]):
                    before = load()
                    out = run_wrk(servers[name], requests, duration=args.duration,
                                  connections=args.latency_connections, threads=2, rate=rate)
                    by_class[name]["paced"].append({"rps": out["rps"], "offered": rate, "non_2xx": out["non_2xx"],
                                                    "p95_ms": out["latency_ms"]["p95"], "load": before})
                    print(f"{op:<12} {name:<12} paced {rate:6.1f}/s r{r + 1} p95 {out['latency_ms']['p95']:7.1f} ms"
                          f"  load {before:.2f}", flush=True)
    finally:
        stop_all()
    summary = {}
    print(f"\n{args.engine} {args.size}: median of {args.rounds} alternating rounds x {args.duration:g} s")
    for op, by_class in runs.items():
        for name in names:
            sat, paced = by_class[name]["saturated"], by_class[name]["paced"]
            row = {"rps": round(statistics.median(x["rps"] for x in sat), 1),
                   "sat_p95_ms": round(statistics.median(x["p95_ms"] for x in sat), 1),
                   "paced_p95_ms": round(statistics.median(x["p95_ms"] for x in paced), 1),
                   "paced_rate": round(paced[0]["offered"], 1),
                   "load": [round(min(x["load"] for x in sat + paced), 2),
                            round(max(x["load"] for x in sat + paced), 2)],
                   "non_2xx": sum(x["non_2xx"] for x in sat + paced)}
            summary.setdefault(op, {})[name] = row
            print(f"{op:<12} {name:<12} {row['rps']:7.1f} rps  sat p95 {row['sat_p95_ms']:7.1f} ms  "
                  f"p95 at {row['paced_rate']}/s {row['paced_p95_ms']:7.1f} ms  load {row['load'][0]}–{row['load'][1]}"
                  f"  non-2xx {row['non_2xx']}")
    out = RESULTS / f"{date.today().isoformat()}-{args.engine}-{args.size}-process-model.json"
    out.write_text(json.dumps({"date": datetime.now().isoformat(timespec="seconds"), "engine": args.engine,
                               "size": args.size, "args": {k: str(v) for k, v in vars(args).items()},
                               "summary": summary, "runs": runs, "at": time.time()}, ensure_ascii=False, indent=1))
    print(f"results: {out.relative_to(REPO)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
