"""Screening's periodic jobs (county_net/jobs/schedule.py): the same calls as `flask screening …`."""


def info_report_sweep() -> str:
    from county_net.core.database import writing
    from county_net.screening import info
    from county_net.tenancy import system_scope

    with system_scope("info report sweep"), writing():
        result = info.sweep_overdue()
    return f"即时报告超时未签收 {result['notified']} 件，已通知县信访局负责人"
