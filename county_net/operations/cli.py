from pathlib import Path

import click
from flask.cli import with_appcontext

from county_net.audit.services import local_time
from county_net.operations import backup as service


@click.command("backup")
@click.argument("path", required=False, type=click.Path(path_type=Path))
@click.option("--no-attachments", is_flag=True, help="不含附件（附件另行同步时）")
@with_appcontext
def backup_command(path, no_attachments):
    """Write one backup file: the database, the audit checkpoints and the attachments (default: BACKUP_DIR)."""
    try:
        report = service.create_backup(path, attachments=not no_attachments)
    except service.BackupError as exc:
        raise click.ClickException(str(exc)) from exc
    kept = "不含附件" if report.attachments is None else f"附件 {report.attachments} 个"
    click.echo(f"已备份到 {report.path}（{report.size / 1024 / 1024:.1f} MB）：数据库（{report.engine}）、"
               f"审计检查点 {report.checkpoints} 条、{kept}")
    click.echo("未包含：" + "；".join(service.NOT_INCLUDED))


@click.command("restore")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--force", is_flag=True, help="目标数据库不是空的时也覆盖（其中的数据全部丢弃）")
@click.option("--verbose", "-v", is_flag=True, help="列出每个表的行数")
@with_appcontext
def restore_command(path, force, verbose):
    """Restore a backup into this service's (empty) database, then verify the audit chain; exit 1 if it fails."""
    try:
        report = service.restore_backup(path, force=force)
    except service.BackupError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"已从 {path.name}（{local_time(report.created_at)} 的备份）恢复：{len(report.rows)} 个表，"
               f"共 {sum(report.rows.values())} 行；附件 {report.attachments} 个")
    if verbose:
        for table, count in report.rows.items():
            click.echo(f"  {table}: {count}")
    for note in report.notes:
        click.echo(note)
    click.echo(report.verify.summary())
    if not report.verify.ok:
        raise SystemExit(1)
