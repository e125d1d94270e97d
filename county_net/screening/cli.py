"""`flask screening …`: the screening jobs by hand (the periodic schedule runs the same calls)."""
import click
from flask.cli import AppGroup

from county_net.jobs.lock import single_run

screening_cli = AppGroup("screening", help="矛盾纠纷排查与即时报告")


@screening_cli.command("info-sweep")
@single_run("info-report-sweep")
def info_sweep():
    """Immediate reports past their limit and not signed for: notify the county center's heads once."""
    from county_net.screening.jobs import info_report_sweep

    click.echo(info_report_sweep())


@screening_cli.command("remind")
@single_run("screening-reminders")
def remind():
    """Units that have not filed: the due-soon and late reminders of today (each sent once)."""
    from county_net.screening.jobs import daily_reminders

    click.echo(daily_reminders())
