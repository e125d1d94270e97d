"""The deadline sweep as a periodic job (county_net/jobs/schedule.py): the same call as `flask petitions sweep`."""


def daily_deadline_sweep() -> str:
    from county_net.core.database import writing
    from county_net.petitions import services
    from county_net.tenancy import system_scope

    with system_scope("deadline sweep"), writing():
        result = services.sweep()
    return (f"deadlines: {result['checked']} checked, {result['counted']} counted, {result['resumed']} resumed, "
            f"{result['refreshed']} refreshed")
