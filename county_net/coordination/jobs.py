"""Overdue meeting tasks as a periodic job (county_net/jobs/schedule.py): the same call as `flask coordination sweep`."""


def daily_task_sweep() -> str:
    from county_net.coordination import services
    from county_net.core.database import writing
    from county_net.tenancy import system_scope

    with system_scope("meeting task sweep"), writing():
        result = services.sweep_tasks()
    return f"meeting tasks: {result['notified']} newly overdue"
