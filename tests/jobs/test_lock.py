"""One run of a job at a time (county_net/jobs/lock.py): while the job's lock is held elsewhere, `run_job` (cron,
systemd, RQ) and every command that runs the job by hand say so and do nothing; once it is released they run.
The two-process, two-host version is tests/scaleout/test_two_instances.py."""
import pytest

from county_net.extensions import db
from county_net.jobs.lock import ELSEWHERE, exclusive, lock_key
from county_net.jobs.runner import run_job
from county_net.jobs.schedule import PERIODIC, by_name

COMMANDS = [
    (["petitions", "sweep"], "deadline-sweep"),
    (["supervision", "sweep"], "supervision-sweep"),
    (["coordination", "sweep"], "meeting-task-sweep"),
    (["desk", "sweep"], "follow-up-sweep"),
    (["screening", "remind"], "screening-reminders"),
    (["screening", "info-sweep"], "info-report-sweep"),
    (["hall-reception", "sweep"], "reception-sweep"),
    (["digest", "publish"], "digest-weekly"),
    (["jobs", "run", "deadline-sweep"], "deadline-sweep"),
]


def test_the_lock_keys_of_the_jobs_are_distinct_and_stable():
    keys = {lock_key(name) for name, _, _ in PERIODIC}
    assert len(keys) == len(PERIODIC)
    assert all(-2**31 <= key < 2**31 for key in keys)  # pg_try_advisory_lock(int, int)
    assert lock_key("deadline-sweep") == lock_key("deadline-sweep")


def test_a_job_whose_lock_is_held_elsewhere_is_skipped_and_runs_once_released(app, net):
    _, path, _ = by_name("deadline-sweep")
    with app.app_context():
        with exclusive("deadline-sweep") as mine:
            assert mine
            with exclusive("deadline-sweep") as again:
                assert not again  # another connection (PostgreSQL) or open file (SQLite) cannot take it
            assert run_job(path) == ELSEWHERE.format(name="deadline-sweep")
            with exclusive("supervision-sweep") as other:
                assert other  # one lock per job name
        assert run_job(path).startswith("deadlines: ")
        db.session.remove()


@pytest.mark.parametrize("args,name", COMMANDS, ids=[" ".join(a) for a, _ in COMMANDS])
def test_every_command_that_runs_a_job_takes_the_same_lock(app, net, args, name):
    with app.app_context():
        with exclusive(name) as mine:
            assert mine
            result = app.test_cli_runner().invoke(args=args)
        db.session.remove()
    assert result.exit_code == 0, result.output
    assert ELSEWHERE.format(name=name) in result.output
