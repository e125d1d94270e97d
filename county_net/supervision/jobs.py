"""The sweep as a job: the same entry point for the command line, cron, a systemd timer and the RQ scheduler
(county_net.jobs), so they cannot drift apart."""
from __future__ import annotations


def daily_sweep(batch: int = 500, today=None, after_batch=None) -> dict:
    from county_net.core.database import writing
    from county_net.supervision.sweep import sweep

    with writing():
        return sweep(today=today, batch=batch, after_batch=after_batch)
