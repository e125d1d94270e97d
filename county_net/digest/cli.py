import click
from flask.cli import AppGroup

from county_net.digest import services
from county_net.digest.queries import week_of
from county_net.jobs.lock import single_run

digest_cli = AppGroup("digest", help="领导摘报")


@digest_cli.command("publish")
@click.option("--week", default=None, help="ISO 周，如 2026-W48（默认：上一个完整周，周一至周日，北京时间）")
@click.option("--county", "county_code", default=None, help="只生成该县（县信访局单位代码）")
@single_run("digest-weekly")
def publish(week, county_code):
    """Store the weekly digest of every county (or one) and notify the county center's heads; safe to rerun."""
    from sqlalchemy import select

    from county_net.extensions import db
    from county_net.tenancy import system_scope
    from county_net.units.models import Unit

    period = None
    if week:
        period = week_of(week)
        if period is None:
            raise click.BadParameter("须为 ISO 周，如 2026-W48", param_hint="--week")
    county = None
    if county_code:
        with system_scope("digest: find county"):
            county = db.session.scalar(select(Unit.id).where(Unit.code == county_code, Unit.parent_id.is_(None)))
        if county is None:
            raise click.BadParameter("没有该县信访局单位代码", param_hint="--county")
    results = services.publish_weekly(county_unit_id=county, period=period)
    for r in results:
        state = "新生成" if r["created"] else "已存在，未重复生成"
        click.echo(f"县 {r['county_unit_id']} · {r['label']}：{state}；通知 {r['notified']} 人")
