"""Append-only, hash-chained audit log."""


def init_app(app):
    from county_net.audit import api, checkpoints, cli, views

    checkpoints.init_app(app)
    app.register_blueprint(views.bp)
    app.cli.add_command(cli.audit_cli)
    api.register(app)
