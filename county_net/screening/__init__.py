"""矛盾纠纷排查: the monthly (half-monthly, quarterly) screening sheets of the network, their roll-ups,
immediate reports, lateness and reminders, Excel both ways."""


def init_app(app):
    from county_net.screening import (api, cli, excel_api, excel_views, info_api, info_views,  # noqa: F401
                                      models, rollup_api, rollup_views, views)

    app.cli.add_command(cli.screening_cli)
    for blueprint in (views.bp, info_views.bp, rollup_views.bp, excel_views.bp):
        app.register_blueprint(blueprint)
    for module in (api, info_api, rollup_api, excel_api):
        module.register(app)
