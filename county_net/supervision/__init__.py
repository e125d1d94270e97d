"""督办: graded supervision records, the escalation sweep and its clocks, the per-unit score ledger."""


def init_app(app):
    from county_net.supervision import api, cli, clocks, models, views  # noqa: F401

    app.cli.add_command(cli.supervision_cli)
    app.register_blueprint(views.bp)
    api.register(app)
    clocks.connect()
    app.jinja_env.globals["supervision_panel"] = views.panel_for
