"""信访事项: registration, petitioner files, repeats, the course across units, deadlines, documents."""


def init_app(app):
    from county_net.petitions import api, cli, public, views

    app.cli.add_command(cli.petitions_cli)
    app.register_blueprint(views.bp)
    app.register_blueprint(public.bp)
    api.register(app)
