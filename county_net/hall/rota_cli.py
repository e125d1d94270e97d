"""`flask hall-reception …`: the reception days' job by hand (the periodic schedule runs the same call)."""
import click
from flask.cli import AppGroup

from county_net.jobs.lock import single_run

hall_reception_cli = AppGroup("hall-reception", help="领导接访日")


@hall_reception_cli.command("sweep")
@single_run("reception-sweep")
def sweep():
    """Leaders told of their sessions ahead and sent the briefing list the day before (each once)."""
    from county_net.hall.rota_jobs import daily_sweep

    click.echo(daily_sweep())
