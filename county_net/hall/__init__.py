"""联合接待中心: the joint reception hall — rooms, stationed units, check-in and triage, tickets and windows,
the public display board, leaders' reception days, collective visits, incidents and the day in figures."""


def init_app(app):
    from county_net.hall import api, hooks, models, views  # noqa: F401
    from county_net.hall import rota_api, rota_cli, rota_views  # leaders' reception days
    from county_net.hall import setup_api, setup_views  # the hall as data
    from county_net.hall import public_views  # the display board and the published rota
    from county_net.hall import figures_api, figures_views, incident_api, incident_views  # incidents, the day

    app.register_blueprint(views.bp)
    api.register(app)
    app.register_blueprint(rota_views.bp)
    rota_api.register(app)
    app.cli.add_command(rota_cli.hall_reception_cli)
    app.register_blueprint(setup_views.bp)
    setup_api.register(app)
    app.register_blueprint(public_views.bp)
    app.register_blueprint(incident_views.bp)
    app.register_blueprint(figures_views.bp)
    incident_api.register(app)
    figures_api.register(app)
