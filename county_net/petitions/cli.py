import click
from flask.cli import AppGroup

from county_net.petitions import services
from county_net.tenancy import system_scope

petitions_cli = AppGroup("petitions", help="信访事项")


@petitions_cli.command("sweep")
def sweep():
    """Deadline sweep: resume ended pauses, refresh stored limits (run daily, e.g. from cron)."""
    from county_net.core.database import writing

    with system_scope("deadline sweep"), writing():
        result = services.sweep()
    click.echo(f"检查 {result['checked']} 件在办事项；自动恢复计时 {result['resumed']} 件；更新期限 {result['refreshed']} 件")
