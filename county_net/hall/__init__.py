"""联合接待中心: the joint reception hall — rooms, stationed units, check-in and triage, tickets and windows,
the public display board, leaders' reception days, collective visits, incidents and the day in figures."""


def init_app(app):
    from county_net.hall import api, hooks, models, views  # noqa: F401

    app.register_blueprint(views.bp)
    api.register(app)
