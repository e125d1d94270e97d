"""领导摘报: the weekly and on-demand brief for a county's leaders (figures, charts, an A4 document, stored issues)."""


def init_app(app):
    from county_net.digest import api, cli, views

    app.cli.add_command(cli.digest_cli)
    app.register_blueprint(views.bp)
    api.register(app)
