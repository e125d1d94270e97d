"""Screening reminders as a periodic job (county_net/jobs/schedule.py): the same call as `flask screening remind`."""


def daily_reminders() -> str:
    from county_net.core.database import writing
    from county_net.extensions import db
    from county_net.screening import lateness
    from county_net.tenancy import system_scope

    with system_scope("screening reminders"), writing():
        sent = lateness.sweep_reminders()
        db.session.commit()
    return f"screening: {sent['due']} due-soon and {sent['late']} late reminders"
