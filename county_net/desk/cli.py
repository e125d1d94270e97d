import click
from flask.cli import AppGroup

from county_net.jobs.lock import single_run
from county_net.tenancy import system_scope

desk_cli = AppGroup("desk", help="督办看板与回访")


@desk_cli.command("sweep")
@single_run("follow-up-sweep")
def sweep():
    """Daily: remind units of the follow-ups that have fallen due (once per task; rerun writes nothing)."""
    from county_net.core.database import writing
    from county_net.desk import services

    with system_scope("follow-up sweep"), writing():
        result = services.sweep_followups()
    click.echo(f"提醒到期回访 {result['reminded']} 件")  # the scheduled twin: desk.jobs.daily_follow_up_sweep
