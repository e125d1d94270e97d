"""The county center's desk: the review queue (审查回告), the board (督办看板) and follow-up (回访)."""


def init_app(app):
    from county_net.desk import api, cli, services, views  # noqa: F401  (services connects its receiver)

    app.cli.add_command(cli.desk_cli)
    app.register_blueprint(views.bp)
    api.register(app)
