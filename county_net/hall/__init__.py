"""联合接待中心: the joint reception hall — rooms, stationed units, check-in and triage, tickets and windows,
the public display board, leaders' reception days, collective visits, incidents and the day in figures."""


def init_app(app):
    from county_net.hall import models  # noqa: F401

    # Incidents and the day in figures.
    from county_net.hall import figures_api, figures_views, incident_api, incident_views

    app.register_blueprint(incident_views.bp)
    app.register_blueprint(figures_views.bp)
    incident_api.register(app)
    figures_api.register(app)
