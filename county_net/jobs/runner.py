"""What a worker executes: a periodic job by its dotted path, inside an app context. A worker process has
no Flask app of its own, so it makes one (once per process) from the environment, like wsgi.py does."""
from __future__ import annotations

import importlib

from flask import current_app, has_app_context

_app = None


def _application():
    global _app
    if _app is None:
        from county_net import create_app

        _app = create_app()
    return _app


def resolve(path: str):
    module, _, name = path.rpartition(".")
    return getattr(importlib.import_module(module), name)


def job_name(path: str) -> str:
    """The schedule's name for a job (the lock's key), or its dotted path when it is not scheduled."""
    from county_net.jobs.schedule import PERIODIC

    return next((name for name, dotted, _ in PERIODIC if dotted == path), path)


def _run_once(path: str, kwargs: dict):
    """The job under its lock (county_net/jobs/lock.py): a second runner, on this host or another, says
    that the job is running elsewhere and returns that line instead of doing the work."""
    from county_net.jobs.lock import exclusive, report_elsewhere

    name = job_name(path)
    function = resolve(path)
    with exclusive(name) as mine:
        if not mine:
            return report_elsewhere(name)
        current_app.logger.info("job %s", path)
        return function(**kwargs)


def run_job(path: str, **kwargs):
    """Run one job function; in an app context already (the command line), use it."""
    if has_app_context():
        return _run_once(path, kwargs)
    app = _application()
    with app.app_context():
        try:
            return _run_once(path, kwargs)
        finally:
            from county_net.extensions import db

            db.session.remove()
