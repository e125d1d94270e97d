"""Servers under gunicorn on loopback: start in their own process group, poll for readiness, stop cleanly."""
from __future__ import annotations

import http.client
import os
import signal
import socket
import subprocess
import time
from pathlib import Path

_RUNNING: list["Server"] = []


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    def __init__(self, name: str, app_spec: str, env: dict, *, repo: Path, workers: int, threads: int,
                 log_dir: Path, ready_path: str, worker_class: str = "gthread"):
        self.name, self.app_spec, self.env, self.repo = name, app_spec, env, repo
        self.workers, self.threads, self.worker_class = workers, threads, worker_class
        self.port = free_port()
        self.log_path = log_dir / f"{name}.log"
        self.ready_path = ready_path
        self.proc: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def command(self) -> list[str]:
        # gunicorn turns a sync worker with --threads > 1 into gthread silently: sync gets no --threads.
        threads = ["--threads", str(self.threads)] if self.worker_class != "sync" else []
        return [str(self.repo / ".venv" / "bin" / "gunicorn"), "-k", self.worker_class, "--workers", str(self.workers),
                *threads, "--bind", f"127.0.0.1:{self.port}", "--timeout", "120",
                # Paced runs send a request on each connection every few seconds at low rates; gunicorn's 2 s
                # default closes idle connections under wrk's feet (socket read errors), so keep them alive
                # longer, the same for the baseline and the product.
                "--keep-alive", "30", "--graceful-timeout", "5", self.app_spec]

    def start(self) -> "Server":
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        log = open(self.log_path, "ab")
        self.proc = subprocess.Popen(self.command(), cwd=self.repo, env=self.env, stdout=log,
                                     stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, start_new_session=True)
        log.close()
        _RUNNING.append(self)
        return self

    def wait_ready(self, timeout: float = 90.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc is not None and self.proc.poll() is not None:
                raise RuntimeError(f"server {self.name} exited with {self.proc.returncode}; see {self.log_path}")
            try:
                conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=5)
                conn.request("GET", self.ready_path)
                status = conn.getresponse().status
                conn.close()
                if status < 500:
                    return
            except OSError:
                pass
            time.sleep(0.3)
        raise RuntimeError(f"server {self.name} not ready after {timeout:.0f} s; see {self.log_path}")

    def pids(self) -> list[int]:
        """Every live process of this server's process group (master and workers)."""
        if self.proc is None:
            return []
        out = []
        for entry in os.listdir("/proc"):
            if not entry.isdigit():
                continue
            try:
                fields = Path(f"/proc/{entry}/stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[2]) == self.proc.pid:  # pgrp
                out.append(int(entry))
        return out

    def cpu_seconds(self) -> float:
        tick = os.sysconf("SC_CLK_TCK")
        total = 0.0
        for pid in self.pids():
            try:
                fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
                total += (int(fields[11]) + int(fields[12])) / tick
            except OSError:
                continue
        return total

    def stop(self) -> None:
        if self.proc is None:
            return
        if self.proc.poll() is None:
            try:
                os.killpg(self.proc.pid, signal.SIGTERM)
            except ProcessLookupError:
                pass
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                try:
                    os.killpg(self.proc.pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
                self.proc.wait(timeout=5)
        if self in _RUNNING:
            _RUNNING.remove(self)

    def log_text(self) -> str:
        try:
            return self.log_path.read_text(errors="replace")
        except OSError:
            return ""


def stop_all() -> None:
    for server in list(_RUNNING):
        try:
            server.stop()
        except Exception:  # noqa: BLE001  (best effort at exit)
            pass


def system_cpu() -> tuple[int, int]:
    """(busy, total) jiffies over all CPUs, from /proc/stat."""
    values = [int(v) for v in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    idle = values[3] + (values[4] if len(values) > 4 else 0)
    total = sum(values[:8])
    return total - idle, total
