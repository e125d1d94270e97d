"""联合接待中心: the joint reception hall — rooms, stationed units, check-in and triage, tickets and windows,
the public display board, leaders' reception days, collective visits, incidents and the day in figures."""


def init_app(app):
    from county_net.hall import models  # noqa: F401
    from county_net.hall import public_views

    app.register_blueprint(public_views.bp)
