import click
from flask.cli import AppGroup

from county_net.jobs.lock import single_run
from county_net.petitions import services
from county_net.tenancy import system_scope

petitions_cli = AppGroup("petitions", help="信访事项")


@petitions_cli.command("sweep")
@single_run("deadline-sweep")
def sweep():
    """Deadline sweep: resume ended pauses, refresh stored limits (run daily, e.g. from cron)."""
    from county_net.core.database import writing

    with system_scope("deadline sweep"), writing():
        result = services.sweep()
    click.echo(f"检查 {result['checked']} 件在办事项（重新计算 {result['counted']} 件）；自动恢复计时 {result['resumed']} 件；"
               f"更新期限 {result['refreshed']} 件")


@petitions_cli.command("rekey")
def rekey():
    """Re-seal ID numbers and phones under the current DATA_ENCRYPTION_KEY and recompute the lookup hashes
    under the current LOOKUP_HMAC_KEY (key rotation; see docs/security.md)."""
    from county_net.accounts.services import SystemActor
    from county_net.core.database import writing

    with system_scope("key rotation"), writing():
        counts = services.rekey_people(SystemActor("cli"))
        from county_net.repeats.rebuild import rebuild

        index = rebuild()  # the repeat index's terms are keyed hashes too
    click.echo(f"已更新：信访人 {counts['petitioners']} 人，事项当事人 {counts['parties']} 条，"
               f"联系方式变更记录 {counts['contact_changes']} 条；重复信访索引 {index['matters']} 件")


@petitions_cli.command("recount")
def recount():
    """Rebuild every unit's inbox counters from the matters (after a bulk load, or to check them)."""
    from county_net.core.database import writing
    from county_net.extensions import db
    from county_net.petitions import boxes

    with system_scope("inbox recount"), writing():
        units = boxes.recount()
        db.session.commit()
    click.echo(f"收件箱计数已按事项重算：{units} 个单位")
