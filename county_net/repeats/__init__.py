"""初信初访 or 重复信访: the desk's two lists (the person's other matters; suggested repeats with their reasons),
the reading of a petition's text, the county's word counts and the retrieval index. docs/repeats.md."""


def init_app(app):
    from county_net.repeats import api, cli, models, views  # noqa: F401

    app.register_blueprint(views.bp)
    api.register(app)
    app.cli.add_command(cli.repeats_cli)
