"""county_net: the application factory."""
from __future__ import annotations

import os
import secrets
from pathlib import Path

from flask import Flask

ROOT = Path(__file__).resolve().parent.parent


def _load_config(app: Flask, config_object) -> None:
    import config as config_module

    if config_object is None:
        name = os.environ.get("COUNTY_NET_CONFIG", "development")
        config_object = config_module.CONFIGS[name]
    app.config.from_object(config_object)
    if not app.config.get("SECRET_KEY") and config_object is config_module.DevelopmentConfig:
        # Development only: a random key kept in the instance folder, so sessions survive a restart.
        key_file = Path(app.instance_path) / "secret_key"
        if not key_file.exists():
            key_file.write_text(secrets.token_hex(32))
            key_file.chmod(0o600)
        app.config["SECRET_KEY"] = key_file.read_text().strip()
    config_object.validate(app)


def create_app(config_object=None, **overrides) -> Flask:
    app = Flask(
        __name__,
        template_folder=str(ROOT / "templates"),
        instance_path=os.environ.get("COUNTY_NET_INSTANCE", str(ROOT / "instance")),
        instance_relative_config=True,
    )
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    _load_config(app, config_object)
    app.config.update(overrides)
    _bounded_ids(app)
    app.json.ensure_ascii = False  # Chinese stays readable in JSON answers

    from county_net.core.database import engine_options

    options = engine_options(app.config["SQLALCHEMY_DATABASE_URI"], pgbouncer=app.config.get("DATABASE_PGBOUNCER"))
    options.update(app.config.get("SQLALCHEMY_ENGINE_OPTIONS") or {})
    app.config["SQLALCHEMY_ENGINE_OPTIONS"] = options

    from county_net import (accounts, api, audit, bench, coordination, deadlines, demo, desk, digest, jobs,
                            hall, notifications, operations, petitions, repeats, screening, supervision, tenancy,
                            units)
    from county_net.core import database, errors, input_guard, reference, security  # noqa: F401
    from county_net.extensions import csrf, db, migrate

    input_guard.init_app(app)  # first: bad input is refused before any other hook does work
    db.init_app(app)
    migrate.init_app(app, db, directory=str(ROOT / "migrations"), compare_type=True, render_as_batch=True)
    csrf.init_app(app)
    api.init_app(app)  # before any package registers its API blueprint
    accounts.init_app(app)  # registers the user loader, which the scope resolver needs
    tenancy.init_app(app)
    units.init_app(app)
    audit.init_app(app)
    deadlines.init_app(app)
    petitions.init_app(app)
    coordination.init_app(app)
    notifications.init_app(app)
    supervision.init_app(app)
    desk.init_app(app)
    digest.init_app(app)
    screening.init_app(app)
    hall.init_app(app)
    repeats.init_app(app)
    demo.init_app(app)
    bench.init_app(app)
    operations.init_app(app)
    jobs.init_app(app)
    errors.init_app(app)
    security.init_app(app)
    database.init_app(app)
    _template_helpers(app)
    _favicon(app)
    if app.config["PROXY_FIX_X_FOR"]:
        from werkzeug.middleware.proxy_fix import ProxyFix

        hops = app.config["PROXY_FIX_X_FOR"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)
    return app


# 0 … 2147483647 written out digit by digit: a number above the id column's range does not even match the
# URL's pattern. (Refusing it later, in the converter, makes Werkzeug answer 405 where a sibling rule on the same
# path has another method, e.g. PATCH /api/v1/users/99999999999 beside GET.)
INT32_DIGITS = ("(?:[0-9]{1,9}|1[0-9]{9}|20[0-9]{8}|21[0-3][0-9]{7}|214[0-6][0-9]{6}|2147[0-3][0-9]{5}"
                "|21474[0-7][0-9]{4}|214748[0-2][0-9]{3}|2147483[0-5][0-9]{2}|21474836[0-3][0-9]|214748364[0-7])")


def _bounded_ids(app: Flask) -> None:
    """`<int:…>` in a URL stops at the database's integer range: a larger id simply matches no route (404)."""
    from werkzeug.routing import IntegerConverter

    class BoundedInt(IntegerConverter):
        regex = INT32_DIGITS

        def __init__(self, map, fixed_digits=0, min=None, max=None, signed=False):
            super().__init__(map, fixed_digits=fixed_digits, min=min, max=2**31 - 1 if max is None else max,
                             signed=signed)

    app.url_map.converters["int"] = BoundedInt


def _favicon(app: Flask) -> None:
    """Browsers ask for /favicon.ico whatever the page links; answer with the SVG icon instead of a 404."""

    def favicon():
        return app.send_static_file("favicon.svg")

    app.add_url_rule("/favicon.ico", "favicon", favicon)


def _template_helpers(app: Flask) -> None:
    from county_net.core.timeutil import cn_date, format_local
    from county_net.units.kinds import kind_label

    app.jinja_env.filters["local"] = format_local
    app.jinja_env.filters["cn_date"] = cn_date
    app.jinja_env.filters["kind_label"] = kind_label
    app.jinja_env.globals["county_name"] = app.config.get("COUNTY_NAME", "清溪县")
