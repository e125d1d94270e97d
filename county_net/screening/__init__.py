"""矛盾纠纷排查: the monthly (half-monthly, quarterly) screening sheets of the network, their roll-ups,
immediate reports, lateness and reminders, Excel both ways."""


def init_app(app):
    from county_net.screening import models  # noqa: F401
    from county_net.screening import rollup_api, rollup_views

    app.register_blueprint(rollup_views.bp)
    rollup_api.register(app)
