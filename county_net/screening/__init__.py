"""矛盾纠纷排查: the monthly (half-monthly, quarterly) screening sheets of the network, their roll-ups,
immediate reports, lateness and reminders, Excel both ways."""


def init_app(app):
    from county_net.screening import api, models, views  # noqa: F401

    app.register_blueprint(views.bp)
    api.register(app)
