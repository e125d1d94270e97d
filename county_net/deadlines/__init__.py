"""The only module that computes legal dates: rules as data, a working-day calendar, Asia/Shanghai dates."""
from county_net.deadlines.calendar import WorkCalendar, national_calendar, provisional_days_off  # noqa: F401
from county_net.deadlines.rules import NATIONAL_RULES, PRACTICE_RULES, Rule, resolve_rules  # noqa: F401
from county_net.deadlines.compute import (Deadline, compute_due, deadline_status,  # noqa: F401
                                          rests_on_provisional, warning_window)


def init_app(app):
    from county_net.deadlines import cli, models, views  # noqa: F401

    app.register_blueprint(views.bp)
    app.cli.add_command(cli.deadlines_cli)
    app.jinja_env.globals["holiday_warning"] = views.holiday_warning
