"""The reception days' periodic job (county_net/jobs/schedule.py): the same call as `flask hall-reception sweep`."""


def daily_sweep() -> str:
    from county_net.core.database import writing
    from county_net.extensions import db
    from county_net.hall import rota_services
    from county_net.tenancy import system_scope

    with system_scope("reception sweep"), writing():
        sent = rota_services.sweep()
        db.session.commit()
    return f"领导接访日：提醒接访领导 {sent['notice']} 次，送预约名单 {sent['briefing']} 次"
