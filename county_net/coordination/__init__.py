"""协调会 and the county center's other meetings: 信息通报例会, 带案下访, 培训; minutes, decisions, follow-up tasks."""


def init_app(app):
    from county_net.coordination import api, cli, views

    app.cli.add_command(cli.coordination_cli)
    app.register_blueprint(views.bp)
    api.register(app)
