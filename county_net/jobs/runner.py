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


def run_job(path: str, **kwargs):
    """Run one job function; in an app context already (the command line), use it."""
    function = resolve(path)
    if has_app_context():
        current_app.logger.info("job %s", path)
        return function(**kwargs)
    app = _application()
    with app.app_context():
        try:
            return function(**kwargs)
        finally:
            from county_net.extensions import db

            db.session.remove()
