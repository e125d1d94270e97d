"""矛盾纠纷排查: the monthly (half-monthly, quarterly) screening sheets of the network, their roll-ups,
immediate reports, lateness and reminders, Excel both ways."""


def init_app(app):
    from county_net.screening import (api, cli, info_api, info_views, models, rollup_api,  # noqa: F401
                                      rollup_views, views)

    app.cli.add_command(cli.screening_cli)
    app.register_blueprint(views.bp)
    app.register_blueprint(info_views.bp)
    app.register_blueprint(rollup_views.bp)
    api.register(app)
    info_api.register(app)
    rollup_api.register(app)
