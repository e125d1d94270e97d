"""The periodic jobs: (name, dotted path of the function, cron schedule in UTC). Each function takes no
arguments, runs in an app context and returns something printable. Other capabilities add their lines here
(e.g. ("meetings-overdue", "county_net.meetings.jobs.overdue_tasks", "0 17 * * *")); nothing else needs to
change: the RQ scheduler, `flask jobs run` and the documented cron/systemd lines read this list."""

PERIODIC: list[tuple[str, str, str]] = [
    # 00:10 Asia/Shanghai: stored limits first (pauses ended, a holiday schedule imported), since the
    # supervision clocks read them.
    ("deadline-sweep", "county_net.petitions.jobs.daily_deadline_sweep", "10 16 * * *"),
    # 00:30 Asia/Shanghai: after midnight, so the day's marks are due; before anyone opens the inbox.
    ("supervision-sweep", "county_net.supervision.jobs.daily_sweep", "30 16 * * *"),
    ("meeting-task-sweep", "county_net.coordination.jobs.daily_task_sweep", "40 16 * * *"),
    # 00:50 Asia/Shanghai: follow-ups whose day has come remind their unit's handlers (once per task).
    ("follow-up-sweep", "county_net.desk.jobs.daily_follow_up_sweep", "50 16 * * *"),
    # 08:00 Asia/Shanghai: units that have not filed their screening sheet are reminded before and after the
    # due day (once per unit, period and kind).
    ("screening-reminders", "county_net.screening.jobs.daily_reminders", "0 0 * * *"),
    # Every 15 minutes: an immediate report's limit is hours, not days.
    ("info-report-sweep", "county_net.screening.jobs.info_report_sweep", "*/15 * * * *"),
    # 07:30 Asia/Shanghai: leaders told of their reception session ahead, the briefing list the day before.
    ("reception-sweep", "county_net.hall.rota_jobs.daily_sweep", "30 23 * * *"),
    # Monday 00:05 Asia/Shanghai, just after the week closes (publish_weekly is idempotent).
    ("digest-weekly", "county_net.digest.jobs.weekly_issue", "5 16 * * 0"),
]


def by_name(name: str) -> tuple[str, str, str]:
    for entry in PERIODIC:
        if entry[0] == name:
            return entry
    raise KeyError(name)
