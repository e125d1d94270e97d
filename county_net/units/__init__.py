"""Units (tenants): the three-level network as data."""


def init_app(app):
    from county_net.units import api, cli, views

    app.register_blueprint(views.bp)
    app.cli.add_command(cli.tenants_cli)
    api.register(app)
