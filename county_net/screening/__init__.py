"""矛盾纠纷排查: the monthly (half-monthly, quarterly) screening sheets of the network, their roll-ups,
immediate reports, lateness and reminders, Excel both ways."""


def init_app(app):
    from county_net.screening import api, excel_api, excel_views, models, views  # noqa: F401

    app.register_blueprint(views.bp)
    app.register_blueprint(excel_views.bp)
    api.register(app)
    excel_api.register(app)
