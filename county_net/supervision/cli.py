import click
from flask.cli import AppGroup

from county_net.jobs.lock import single_run

supervision_cli = AppGroup("supervision", help="督办")


@supervision_cli.command("sweep")
@click.option("--batch", default=500, show_default=True, help="每批处理的计时条数（每批提交一次）")
@click.option("--today", type=click.DateTime(["%Y-%m-%d"]), default=None,
              help="按哪一天计算（默认今天，北京时间；用于测算）")
@single_run("supervision-sweep")
def sweep(batch, today):
    """Escalation sweep: warnings, cards, due-soon and overdue notices (run daily; safe to rerun)."""
    from county_net.supervision.jobs import daily_sweep

    counts = daily_sweep(batch=batch, today=today.date() if today else None)
    click.echo(f"处理计时 {counts['clocks']} 条：预警 {counts['warned']}，黄牌/红牌 {counts['cards']}"
               f"（新下发 {counts['records_issued']}，升级 {counts['records_raised']}），"
               f"即将到期 {counts['due_soon']}，超期 {counts['overdue']}")


@supervision_cli.command("rebuild-clocks")
def rebuild_clocks():
    """Recompute every open matter's clocks (after installing, a holiday import or a change of the card settings)."""
    from county_net.core.database import writing
    from county_net.supervision import clocks

    with writing():
        result = clocks.rebuild()
    click.echo(f"已重算 {result['matters']} 件在办事项的督办计时")
