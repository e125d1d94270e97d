"""Due follow-ups as a periodic job (county_net/jobs/schedule.py): the same call as `flask desk sweep`."""


def daily_follow_up_sweep() -> str:
    from county_net.core.database import writing
    from county_net.desk import services
    from county_net.tenancy import system_scope

    with system_scope("follow-up sweep"), writing():
        result = services.sweep_followups()
    return f"follow-ups: {result['reminded']} reminded"
