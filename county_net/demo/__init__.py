"""The demo county: `flask demo load` syncs tenants/demo_county.toml and its demo accounts."""


def init_app(app):
    from county_net.demo.cli import demo_cli

    app.cli.add_command(demo_cli)
