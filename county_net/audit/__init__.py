"""Append-only, hash-chained audit log."""


def init_app(app):
    from county_net.audit import api, checkpoints, cli, export, views

    checkpoints.init_app(app)
    app.register_blueprint(views.bp)
    if "export" not in cli.audit_cli.commands:
        cli.audit_cli.add_command(export.export_command)  # the system administrator's cross-county path
    app.cli.add_command(cli.audit_cli)
    api.register(app)
