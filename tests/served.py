"""The product served by gunicorn on loopback, with production settings, on this run's database: for tests
that need real processes (throttling across workers, several instances against one database)."""
from __future__ import annotations

import http.client
import json
import os
import signal
import socket
import subprocess
import sys
import time
from contextlib import contextmanager
from dataclasses import dataclass
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode

import config

ROOT = Path(__file__).resolve().parents[1]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def production_env(database, instance: Path, **settings: str) -> dict:
    """The environment of a served instance: production settings with fixed keys (every instance of a
    deployment shares them), no Redis unless `settings` name it."""
    env = {k: v for k, v in os.environ.items()
           if k not in ("THROTTLE_REDIS_URL", "REDIS_URL", "TEST_DATABASE_URL")}
    env.update({
        "COUNTY_NET_CONFIG": "production", "SESSION_COOKIE_SECURE": "0",
        "SECRET_KEY": "s" * 32, "AUDIT_HMAC_KEY": "a" * 32, "DATA_ENCRYPTION_KEY": "d" * 32,
        "LOOKUP_HMAC_KEY": "l" * 32, "DATABASE_URL": database.app_url,
        "RLS_SCOPE_KEY": config.TestingConfig.RLS_SCOPE_KEY,  # the copy in the database under test
        "COUNTY_NET_INSTANCE": str(instance), "PROXY_FIX_X_FOR": "1",
        "PYTHONPATH": str(ROOT), "FLASK_APP": "wsgi.py",
    })
    env.update(settings)
    return env


def _stop(proc: subprocess.Popen) -> None:
    os.killpg(proc.pid, signal.SIGTERM)
    try:
        proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=5)


@contextmanager
def gunicorn(env: dict, log_path: Path, *, workers: int = 2, worker_class: str = "sync", threads: int = 1):
    """One gunicorn master and its workers in a process group of their own; yields the port once /login
    answers, and stops the group afterwards."""
    port = free_port()
    with open(log_path, "wb") as log:
        proc = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "--workers", str(workers), "--worker-class", worker_class,
             *(["--threads", str(threads)] if worker_class == "gthread" else []),
             "--timeout", "60", "--graceful-timeout", "5", "--bind", f"127.0.0.1:{port}", "wsgi:app"],
            cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
            start_new_session=True)
    try:
        deadline = time.monotonic() + 90
        while True:
            assert proc.poll() is None, log_path.read_text(errors="replace")[-3000:]
            try:
                if Visitor().call(port, "GET", "/login").status == 200:
                    break
            except OSError:
                pass
            assert time.monotonic() < deadline, "gunicorn did not answer:\n" + log_path.read_text(errors="replace")
            time.sleep(0.3)
        yield port
    finally:
        _stop(proc)


def flask_command(env: dict, *args: str) -> subprocess.Popen:
    """`flask …` as its own process (a cron job or a systemd timer would start it so)."""
    return subprocess.Popen([sys.executable, "-m", "flask", *args], cwd=ROOT, env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, text=True)


@dataclass
class Answer:
    status: int
    headers: http.client.HTTPMessage
    text: str

    def json(self):
        return json.loads(self.text)


class Visitor:
    """A client with one cookie jar for every port, like a browser behind a load balancer that sends it to
    one instance or another."""

    def __init__(self, forwarded_for: str | None = None):
        self.cookies: dict[str, str] = {}
        self.forwarded_for = forwarded_for

    def call(self, port: int, method: str, path: str, *, form: dict | None = None, body=None,
             headers: dict | None = None) -> Answer:
        sent = dict(headers or {})
        payload = None
        if form is not None:
            payload = urlencode(form)
            sent["Content-Type"] = "application/x-www-form-urlencoded"
        elif body is not None:
            payload = json.dumps(body)
            sent["Content-Type"] = "application/json"
        if self.cookies:
            sent["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        if self.forwarded_for:
            sent["X-Forwarded-For"] = self.forwarded_for
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        try:
            conn.request(method, path, body=payload, headers=sent)
            resp = conn.getresponse()
            answer = Answer(resp.status, resp.headers, resp.read().decode("utf-8", errors="replace"))
        finally:
            conn.close()
        for line in answer.headers.get_all("Set-Cookie") or []:
            for name, morsel in SimpleCookie(line).items():
                if morsel.value and not morsel["expires"].startswith("Thu, 01 Jan 1970"):
                    self.cookies[name] = morsel.value
                else:
                    self.cookies.pop(name, None)
        return answer
