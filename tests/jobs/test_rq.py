"""The periodic jobs on a real queue: Redis on 127.0.0.1:6379, RQ's cron scheduler told the schedule, and a
real `rq worker --burst` process running the supervision sweep against this run's database."""
import os
import subprocess
import sys
import uuid
from datetime import date
from pathlib import Path

import pytest

import config
from tests.supervision.helpers import Api, count, restart_clock, rows, setup_center_head, transferred

ROOT = Path(__file__).resolve().parents[2]
REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/0")


@pytest.fixture
def redis():
    from redis import Redis

    connection = Redis.from_url(REDIS_URL)
    connection.ping()  # Redis is part of the test environment (.ci/run starts it): no silent skip
    return connection


def _worker_env(database, tmp_path) -> dict:
    env = {k: v for k, v in os.environ.items() if k not in ("THROTTLE_REDIS_URL", "REDIS_URL", "TEST_DATABASE_URL")}
    env.update({
        "COUNTY_NET_CONFIG": "production", "SECRET_KEY": "s" * 32, "AUDIT_HMAC_KEY": "a" * 32,
        "DATA_ENCRYPTION_KEY": "d" * 32, "LOOKUP_HMAC_KEY": "l" * 32, "DATABASE_URL": database.app_url,
        "RLS_SCOPE_KEY": config.TestingConfig.RLS_SCOPE_KEY, "COUNTY_NET_INSTANCE": str(tmp_path / "instance"),
        "PYTHONPATH": str(ROOT), "REDIS_URL": REDIS_URL,
    })
    return env


def test_the_schedule_is_registered_with_rqs_cron_scheduler(redis):
    from rq.cron import CronScheduler

    from county_net.jobs import rq_backend
    from county_net.jobs.schedule import PERIODIC

    scheduler = CronScheduler(connection=redis, name=f"test-{uuid.uuid4().hex[:8]}")
    jobs = rq_backend.register_all(scheduler, queue_name="test-schedule")
    assert [(j.name, j.cron) for j in jobs] == [(name, cron) for name, _, cron in PERIODIC]
    assert ("supervision-sweep", "30 16 * * *") in [(j.name, j.cron) for j in jobs]
    assert {"deadline-sweep", "meeting-task-sweep", "digest-weekly"} <= {j.name for j in jobs}
    assert all(j.queue_name == "test-schedule" for j in jobs)


def test_a_real_worker_runs_the_sweep_from_the_queue(app, net, api_token, database, redis, tmp_path):
    from rq import Queue

    from county_net.jobs import rq_backend

    setup_center_head(app, net)
    api = Api(app, api_token)
    matter = transferred(api, net, "T1")
    restart_clock(app, matter["id"], "sign", date(2020, 1, 6))  # unsigned for years: red by any count
    queue_name = f"county_net-test-{uuid.uuid4().hex[:8]}"
    job = rq_backend.enqueue_now(REDIS_URL, "supervision-sweep", queue_name=queue_name)
    try:
        done = subprocess.run([sys.executable, "-m", "rq.cli", "worker", "--burst", "--url", REDIS_URL,
                               "--name", f"w-{uuid.uuid4().hex[:8]}", queue_name],
                              cwd=ROOT, env=_worker_env(database, tmp_path), capture_output=True, text=True,
                              timeout=180)
        assert done.returncode == 0, done.stderr[-3000:]
        job.refresh()
        assert job.get_status() == "finished", (job.get_status(), done.stderr[-3000:])
        assert job.return_value()["records_issued"] == 1
    finally:
        Queue(queue_name, connection=redis).delete(delete_jobs=True)
    assert rows(app, "SELECT level, source, target_unit_id FROM supervisions") == [("red", "sweep", net.units["T1"])]
    # The job is the same entry point as the command line: a second run from cron writes nothing new.
    result = app.test_cli_runner().invoke(args=["supervision", "sweep"])
    assert result.exit_code == 0, result.output
    assert count(app, "SELECT count(*) FROM supervisions") == 1
