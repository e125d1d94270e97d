"""Runs wrk with bench/wrk/requests.lua and reads back its JSON line (plus CPU use during the run)."""
from __future__ import annotations

import json
import subprocess
from pathlib import Path

from bench.harness.procs import Server, system_cpu

LUA = Path(__file__).resolve().parent.parent / "wrk" / "requests.lua"


class DriverError(RuntimeError):
    pass


def run_wrk(server: Server, request_file: Path, *, duration: float, connections: int, threads: int,
            rate: float = 0.0, mode: str = "cycle", timeout_s: int = 10) -> dict:
    threads = max(1, min(threads, connections))
    cmd = ["wrk", f"-t{threads}", f"-c{connections}", f"-d{max(1, round(duration))}s", f"--timeout",
           f"{timeout_s}s", "-s", str(LUA), server.url, "--", str(request_file), f"{rate:.3f}", mode, str(threads)]
    busy0, total0 = system_cpu()
    server_cpu0 = server.cpu_seconds()
    proc = subprocess.run(cmd, capture_output=True, text=True)
    busy1, total1 = system_cpu()
    server_cpu1 = server.cpu_seconds()
    line = next((ln for ln in reversed(proc.stdout.splitlines()) if ln.startswith("{")), None)
    if proc.returncode != 0 or line is None:
        raise DriverError(f"wrk failed ({proc.returncode}): {proc.stderr.strip()[:400]} {proc.stdout[-400:]}")
    result = json.loads(line)
    status = {int(k): v for k, v in result.pop("status").items()}
    ok = sum(v for k, v in status.items() if 200 <= k < 300)
    responses = sum(status.values())
    # A thread that used up a "once" list stops early: rate over the time it was active.
    if result.get("exhausted_threads") and result.get("active_s"):
        seconds = result["active_s"]
    else:
        seconds = result["duration_s"]
    result.update({
        "status": status,
        "responses": responses,
        "non_2xx": responses - ok,
        "rps": responses / seconds if seconds > 0 else 0.0,
        "offered_rps": rate,
        "connections": connections,
        "threads": threads,
        "cpu_busy_pct": round(100.0 * (busy1 - busy0) / max(1, total1 - total0), 1),
        "server_cpu_s": round(server_cpu1 - server_cpu0, 2),
    })
    return result
