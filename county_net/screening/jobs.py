"""Screening's periodic jobs (county_net/jobs/schedule.py): the same calls as `flask screening …`."""


def daily_reminders() -> str:
    from county_net.core.database import writing
    from county_net.extensions import db
    from county_net.screening import lateness
    from county_net.tenancy import system_scope

    with system_scope("screening reminders"), writing():
        sent = lateness.sweep_reminders()
        db.session.commit()
    return f"排查表提醒：即将到期 {sent['due']} 份，逾期 {sent['late']} 份"


def info_report_sweep() -> str:
    from county_net.core.database import writing
    from county_net.screening import info
    from county_net.tenancy import system_scope

    with system_scope("info report sweep"), writing():
        result = info.sweep_overdue()
    return f"即时报告超时未签收 {result['notified']} 件，已通知县信访局负责人"
