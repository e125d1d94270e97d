from pathlib import Path

import click
from flask.cli import AppGroup

from county_net.audit import checkpoints
from county_net.audit.services import chain_head, verify_chain
from county_net.tenancy import system_scope

audit_cli = AppGroup("audit", help="审计日志")


@audit_cli.command("verify")
@click.option("--checkpoints", "checkpoint_path", type=click.Path(dir_okay=False, path_type=Path),
              help="核对另一份检查点文件（如异地保存的副本），而不是配置的文件")
@click.option("--from-log", "log_path", type=click.Path(dir_okay=False, path_type=Path),
              help="从应用日志中读取检查点")
def verify(checkpoint_path, log_path):
    """Check the whole chain and hold it against the latest checkpoints; exit 1 on any failure. Writes nothing."""
    if checkpoint_path and log_path:
        raise click.UsageError("--checkpoints 与 --from-log 只能选一个")
    anchors = None
    if checkpoint_path:
        anchors = checkpoints.read(checkpoint_path)
    elif log_path:
        anchors = checkpoints.read(log_path, from_log=True)
    with system_scope("audit verify"):
        result = verify_chain(anchors=anchors)
    click.echo(result.summary())
    if not result.ok:
        raise SystemExit(1)


@audit_cli.command("checkpoint")
def checkpoint():
    """Anchor the chain's head now (run it from cron, e.g. every 5 minutes); nothing when already anchored."""
    with system_scope("audit checkpoint"):
        head = chain_head()
    if head is None:
        click.echo("审计链为空：没有可写的检查点")
        return
    path = checkpoints.checkpoint_file()
    if path is not None and checkpoints.holds(path, *head):
        click.echo(f"检查点已是最新：第 {head[0]} 条")
        return
    failures = checkpoints.emit(checkpoints.make(*head))
    if failures:
        raise click.ClickException("；".join(failures))
    click.echo(f"已写入检查点：第 {head[0]} 条，链头 {head[1]}" + (f"（{path}）" if path else ""))
