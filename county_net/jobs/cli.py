import os

import click
from flask import current_app
from flask.cli import AppGroup

jobs_cli = AppGroup("jobs", help="定时任务")


def _redis_url() -> str | None:
    return current_app.config.get("REDIS_URL") or os.environ.get("REDIS_URL") or None


@jobs_cli.command("list")
def list_jobs():
    """The periodic jobs and their schedules (cron, UTC)."""
    from county_net.jobs.schedule import PERIODIC

    for name, path, schedule in PERIODIC:
        click.echo(f"{name}\t{schedule}\t{path}")


@jobs_cli.command("run")
@click.argument("name")
def run(name):
    """Run one periodic job here and now (cron, a systemd timer, or by hand)."""
    from county_net.jobs.runner import run_job
    from county_net.jobs.schedule import by_name

    try:
        _, path, _ = by_name(name)
    except KeyError:
        raise click.BadParameter(f"没有名为 {name} 的定时任务（见 flask jobs list）") from None
    click.echo(f"{name}: {run_job(path)}")


@jobs_cli.command("enqueue")
@click.argument("name")
def enqueue(name):
    """Put one periodic job on the RQ queue now (needs REDIS_URL)."""
    from county_net.jobs import rq_backend

    url = _redis_url()
    if not url:
        raise click.UsageError("未配置 REDIS_URL：请直接用 flask jobs run")
    job = rq_backend.enqueue_now(url, name)
    click.echo(f"已加入队列 {rq_backend.QUEUE}：{job.id}")


@jobs_cli.command("scheduler")
def scheduler():
    """RQ's cron scheduler with every periodic job (needs REDIS_URL); run `rq worker county_net` beside it."""
    from county_net.jobs import rq_backend

    url = _redis_url()
    if not url:
        raise click.UsageError("未配置 REDIS_URL：没有 Redis 时请用 cron 或 systemd 定时运行 flask jobs run")
    rq_backend.scheduler(url).start()
