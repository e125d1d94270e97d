"""Periodic jobs (county_net/jobs/schedule.py): on RQ's scheduler and workers when REDIS_URL is set, else from
cron or a systemd timer through `flask jobs run NAME` (or each package's own command). See docs/jobs.md."""


def init_app(app):
    from county_net.jobs.cli import jobs_cli

    app.cli.add_command(jobs_cli)
