import click
from flask.cli import AppGroup

from county_net.audit.services import verify_chain

audit_cli = AppGroup("audit", help="审计日志")


@audit_cli.command("verify")
def verify():
    """Check the whole chain; exit 1 at the first broken link."""
    result = verify_chain()
    click.echo(result.summary())
    if not result.ok:
        raise SystemExit(1)
