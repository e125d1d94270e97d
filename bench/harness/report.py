"""Budgets (issue 4) as data, the per-operation summary, the stdout tables and the plot."""
from __future__ import annotations

import statistics
from pathlib import Path

# op: minimum ratio (median over rounds; the worst round may be at most 0.05 below).
# For the two "switch" figures the ratio is product-as-shipped / product-with-the-layer-off.
THROUGHPUT_BUDGETS = {
    "matter_page": 0.40,
    "inbox_p1": 0.30,
    "inbox_p50": 0.30,
    "search": 0.30,
    "timeline": 0.30,
    "api_list": 0.30,
    "register": 0.30,
    "transfer": 0.30,
    "mix": 0.30,
    "matter_page_nocrit": 0.95,   # ORM tenant criteria cost <= 5 %
    "matter_page_rls_off": 0.90,  # PostgreSQL RLS on/off
    "b1r": 0.85,                  # perf-security.md 6.2: B1r/B1 (RLS + scope in the transaction)
}
WORST_SLACK = 0.05
# p95 at half the baseline's saturated rate, in ms.
P95_BUDGETS = {"matter_page": 50, "inbox_p1": 50, "inbox_p50": 50, "lookup": 50, "api_list": 50,
               "search": 150, "register": 150, "repeat_preview": 150}
P99_BUDGET = 250  # every product operation
SWEEP_BUDGET_S = 10.0
GROWTH_BUDGET = 2.0  # p95 at the largest size / p95 at the smallest

RATIO_LABELS = {
    "matter_page_nocrit": "criteria on/off",
    "matter_page_rls_off": "RLS on/off",
    "b1r": "B1r/B1",
}
PRODUCT_OPS = ("matter_page", "matter_page_nocrit", "matter_page_rls_off", "inbox_p1", "inbox_p50", "search",
               "timeline", "lookup", "api_list", "register", "transfer", "mix", "repeat_preview")


def latency_stats(ms: list[float], digits: int = 1) -> dict:
    """n, p50, p95 (nearest rank), max and mean of timed requests, in ms (the scripts that time requests
    one by one, outside wrk)."""
    ordered = sorted(ms)
    p95 = ordered[max(0, int(round(0.95 * len(ordered))) - 1)]
    return {"n": len(ms), "p50_ms": round(statistics.median(ordered), digits), "p95_ms": round(p95, digits),
            "max_ms": round(ordered[-1], digits), "mean_ms": round(statistics.fmean(ordered), digits)}


def med(values):
    values = [v for v in values if v is not None]
    return statistics.median(values) if values else None


def summarise_op(op: str, subject: dict, reference: dict, ratio_of: tuple[str, str] | None, runs: dict) -> dict:
    """subject/reference: {"saturated": [run...], "half_rate": [run...]} for one target each."""
    sat = subject["saturated"]
    half = subject.get("half_rate", [])
    own = subject.get("own_half", [])
    ratios = []
    if ratio_of:
        num, den = runs[ratio_of[0]]["saturated"], runs[ratio_of[1]]["saturated"]
        ratios = [n["rps"] / d["rps"] for n, d in zip(num, den) if d["rps"] > 0]
    ref_sat = reference["saturated"]
    ref_half = reference.get("half_rate", [])
    base_rps = [r["rps"] for r in ref_sat]

    def lat(runs_, q):
        return med([r["latency_ms"][q] for r in runs_ if r["responses"] > 0])

    cv = None
    if len(base_rps) > 1 and statistics.mean(base_rps) > 0:
        cv = statistics.pstdev(base_rps) / statistics.mean(base_rps)
    return {
        "op": op,
        "rps": med([r["rps"] for r in sat]),
        "rps_rounds": [round(r["rps"], 1) for r in sat],
        "baseline_rps": med(base_rps),
        "baseline_rps_rounds": [round(v, 1) for v in base_rps],
        "baseline_cv": round(cv, 3) if cv is not None else None,
        "ratio_median": med(ratios),
        "ratio_worst": min(ratios) if ratios else None,
        "ratio_rounds": [round(v, 3) for v in ratios],
        "saturated_ms": {q: lat(sat, q) for q in ("p50", "p95", "p99")},
        "half_rate_ms": {q: lat(half, q) for q in ("p50", "p95", "p99")},
        "half_rate_offered_rps": med([r["offered_rps"] for r in half]),
        "half_rate_achieved_rps": med([r["rps"] for r in half]),
        "baseline_half_rate_ms": {q: lat(ref_half, q) for q in ("p50", "p95", "p99")},
        "own_half_ms": {q: lat(own, q) for q in ("p50", "p95", "p99")},
        "own_half_offered_rps": med([r["offered_rps"] for r in own]),
        "own_half_achieved_rps": med([r["rps"] for r in own]),
        # The product could not take the offered rate: the paced run was in fact saturated (closed loop).
        "half_rate_overloaded": any(r["rps"] < 0.95 * r["offered_rps"] for r in half) if half else None,
        "non_2xx": sum(r["non_2xx"] for r in sat + half + own),
        "status": _merge_status(sat + half + own),
        "socket_errors": sum(r["errors"]["connect"] + r["errors"]["read"] + r["errors"]["write"]
                             + r["errors"]["timeout"] for r in sat + half + own),
    }


def _merge_status(runs) -> dict:
    out: dict = {}
    for r in runs:
        for k, v in r["status"].items():
            out[str(k)] = out.get(str(k), 0) + v
    return out


def budgets(ops: dict, sweep: dict | None) -> list[dict]:
    rows = []
    for op, minimum in THROUGHPUT_BUDGETS.items():
        s = ops.get(op)
        if not s or s["ratio_median"] is None:
            continue
        ok = s["ratio_median"] >= minimum and s["ratio_worst"] >= minimum - WORST_SLACK
        rows.append({"figure": f"throughput {RATIO_LABELS.get(op, op + '/baseline')}", "op": op,
                     "value": round(s["ratio_median"], 3), "worst": round(s["ratio_worst"], 3),
                     "budget": f">= {minimum:.2f}", "pass": ok})
    for op, limit in P95_BUDGETS.items():
        s = ops.get(op)
        if not s or s["half_rate_ms"]["p95"] is None:
            continue
        rows.append({"figure": f"p95 @half-rate {op} (ms)", "op": op, "value": round(s["half_rate_ms"]["p95"], 1),
                     "budget": f"<= {limit}", "pass": s["half_rate_ms"]["p95"] <= limit})
    for op in PRODUCT_OPS:
        s = ops.get(op)
        if not s or s["half_rate_ms"]["p99"] is None:
            continue
        rows.append({"figure": f"p99 @half-rate {op} (ms)", "op": op, "value": round(s["half_rate_ms"]["p99"], 1),
                     "budget": f"<= {P99_BUDGET}", "pass": s["half_rate_ms"]["p99"] <= P99_BUDGET})
    for op, limit in P95_BUDGETS.items():  # the same limits at the product's own operating point
        s = ops.get(op)
        if not s or not s.get("own_half_ms") or s["own_half_ms"]["p95"] is None:
            continue
        rows.append({"figure": f"p95 @half own rate {op} (ms)", "op": op, "value": round(s["own_half_ms"]["p95"], 1),
                     "budget": f"<= {limit}", "pass": s["own_half_ms"]["p95"] <= limit})
    for op in PRODUCT_OPS:
        s = ops.get(op)
        if not s or not s.get("own_half_ms") or s["own_half_ms"]["p99"] is None:
            continue
        rows.append({"figure": f"p99 @half own rate {op} (ms)", "op": op, "value": round(s["own_half_ms"]["p99"], 1),
                     "budget": f"<= {P99_BUDGET}", "pass": s["own_half_ms"]["p99"] <= P99_BUDGET})
    if sweep and sweep.get("runs"):
        first = sweep["runs"][0]
        rows.append({"figure": "sweep, first run (s)", "op": "sweep", "value": first["seconds"],
                     "budget": f"<= {SWEEP_BUDGET_S:g}", "pass": first["ok"] and first["seconds"] <= SWEEP_BUDGET_S})
        if len(sweep["runs"]) > 1:
            second = sweep["runs"][1]
            rows.append({"figure": "sweep, second run (s)", "op": "sweep", "value": second["seconds"],
                         "budget": f"<= {SWEEP_BUDGET_S:g}",
                         "pass": second["ok"] and second["seconds"] <= SWEEP_BUDGET_S})
    return rows


def _f(value, fmt="{:.1f}") -> str:
    return "—" if value is None else fmt.format(value)


def print_tables(title: str, ops: dict, rows: list[dict], sweep: dict | None, out) -> None:
    print(f"\n== {title}", file=out)
    head = (f"{'operation':<20} {'rps':>7} {'base':>7} {'ratio':>6} {'worst':>6} | {'sat p50':>7} {'p95':>6} "
            f"{'p99':>6} | {'half@':>6} {'got':>6} {'p50':>6} {'p95':>6} {'p99':>6} | {'own@':>5} {'p95':>6} {'p99':>6} "
            f"| {'non2xx':>6}")
    print(head, file=out)
    print("-" * len(head), file=out)
    for op, s in ops.items():
        sm, hm = s["saturated_ms"], s["half_rate_ms"]
        print(f"{op:<20} {_f(s['rps'], '{:.0f}'):>7} {_f(s['baseline_rps'], '{:.0f}'):>7} "
              f"{_f(s['ratio_median'], '{:.2f}'):>6} {_f(s['ratio_worst'], '{:.2f}'):>6} | "
              f"{_f(sm['p50']):>7} {_f(sm['p95']):>6} {_f(sm['p99']):>6} | "
              f"{_f(s['half_rate_offered_rps'], '{:.0f}'):>6} {_f(s['half_rate_achieved_rps'], '{:.0f}'):>6} "
              f"{_f(hm['p50']):>6} {_f(hm['p95']):>6} {_f(hm['p99']):>6} | "
              f"{_f(s.get('own_half_offered_rps'), '{:.0f}'):>5} {_f((s.get('own_half_ms') or {}).get('p95')):>6} "
              f"{_f((s.get('own_half_ms') or {}).get('p99')):>6} | {s['non_2xx']:>6}", file=out)
    if sweep and sweep.get("runs"):
        for i, r in enumerate(sweep["runs"], 1):
            print(f"sweep run {i}: {r['seconds']:.2f} s  {r.get('counts')}", file=out)
    print(f"\n{'figure':<40} {'value':>9} {'worst':>7} {'budget':>9}  result", file=out)
    for r in rows:
        worst = _f(r.get("worst"), "{:.3f}") if "worst" in r else ""
        print(f"{r['figure']:<40} {r['value']:>9} {worst:>7} {r['budget']:>9}  {'PASS' if r['pass'] else 'MISS'}",
              file=out)


def growth(per_size: list[tuple[str, int, dict]]) -> list[dict]:
    """p95 (at half the product's own rate) at the largest size over the smallest, per operation."""
    if len(per_size) < 2:
        return []
    ordered = sorted(per_size, key=lambda x: x[1])
    (small_name, _, small), (large_name, _, large) = ordered[0], ordered[-1]
    rows = []
    for op in PRODUCT_OPS:
        a = (small.get(op) or {}).get("own_half_ms", {}).get("p95")
        b = (large.get(op) or {}).get("own_half_ms", {}).get("p95")
        if a and b:
            ratio = b / a
            rows.append({"figure": f"p95 growth {op} {large_name}/{small_name}", "op": op, "value": round(ratio, 2),
                         "budget": f"<= {GROWTH_BUDGET:g}", "pass": ratio <= GROWTH_BUDGET})
    return rows


def plot(per_size: list[tuple[str, int, dict]], path: Path, title: str) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    ordered = sorted(per_size, key=lambda x: x[1])
    fig, ax = plt.subplots(figsize=(8, 5))
    for op in PRODUCT_OPS:
        xs, ys = [], []
        for _, n, ops in ordered:
            p95 = (ops.get(op) or {}).get("own_half_ms", {}).get("p95")
            if p95:
                xs.append(n)
                ys.append(p95)
        if xs:
            ax.plot(xs, ys, marker="o", label=op)
    ax.set_xscale("log")
    ax.set_xlabel("matters in the database")
    ax.set_ylabel("p95 latency at half the product's saturated rate (ms)")
    ax.set_title(title)
    ax.grid(True, which="both", alpha=0.3)
    ax.legend(fontsize=8)
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=120)
    plt.close(fig)
