"""Jobs on a real queue when Redis is configured (REDIS_URL): RQ's own cron scheduler (rq >= 2.5,
`rq.cron.CronScheduler`) enqueues each periodic job on its schedule; `rq worker` processes run them. No
home-made scheduler: this module only tells RQ's scheduler what to enqueue."""
from __future__ import annotations

from county_net.jobs.schedule import PERIODIC

QUEUE = "county_net"
RUNNER = "county_net.jobs.runner.run_job"


def connection(url: str):
    from redis import Redis

    return Redis.from_url(url)


def register_all(scheduler, queue_name: str = QUEUE) -> list:
    """Every PERIODIC job on an rq CronScheduler (or the module-level `rq.cron.register`, for `rq cron`)."""
    from county_net.jobs.runner import run_job

    return [scheduler.register(run_job, queue_name=queue_name, args=(path,), cron=schedule, name=name,
                               job_timeout=3600)
            for name, path, schedule in PERIODIC]


def enqueue_now(url: str, name: str, queue_name: str = QUEUE, **kwargs):
    """Put one periodic job on the queue now (an operator's rerun, or a test)."""
    from rq import Queue

    from county_net.jobs.runner import run_job
    from county_net.jobs.schedule import by_name

    _, path, _ = by_name(name)
    queue = Queue(queue_name, connection=connection(url))
    return queue.enqueue(run_job, path, job_timeout=3600, **({"kwargs": kwargs} if kwargs else {}))


def scheduler(url: str):
    from rq.cron import CronScheduler

    cron = CronScheduler(connection=connection(url), name="county_net")
    register_all(cron)
    return cron
