import click
from flask.cli import AppGroup

from county_net.coordination import services
from county_net.jobs.lock import single_run
from county_net.tenancy import system_scope

coordination_cli = AppGroup("coordination", help="会议：协调会、例会、带案下访、培训")


@coordination_cli.command("sweep")
@single_run("meeting-task-sweep")
def sweep():
    """Overdue meeting tasks: notify each task's unit and the convening unit once (run daily)."""
    from county_net.core.database import writing

    with system_scope("meeting task sweep"), writing():
        result = services.sweep_tasks()
    click.echo(f"新超期的会议任务 {result['notified']} 项，已通知承办单位和召集单位")
