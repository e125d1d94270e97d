"""矛盾纠纷排查: the monthly (half-monthly, quarterly) screening sheets of the network, their roll-ups,
immediate reports, lateness and reminders, Excel both ways."""


def init_app(app):
    from county_net.screening import cli, info_api, info_views, models  # noqa: F401

    app.cli.add_command(cli.screening_cli)
    app.register_blueprint(info_views.bp)
    info_api.register(app)
