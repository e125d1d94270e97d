"""`flask repeats reindex`: rebuild the readings, word counts and retrieval index of every matter (after a key
rotation, a new reader, or to index matters registered before issue 13). Idempotent; one county at a time."""
from __future__ import annotations

import click
from flask.cli import with_appcontext

from county_net.tenancy import system_scope


@click.group("repeats")
def repeats_cli():
    """重复信访识别：重建索引。"""


@repeats_cli.command("reindex")
@click.option("--county", "county_code", default=None, help="只重建该县（根单位代码）")
@with_appcontext
def reindex(county_code):
    from county_net.core.database import writing
    from county_net.repeats.rebuild import rebuild

    with system_scope("repeat index rebuild"), writing():
        counts = rebuild(county_code)
    click.echo(f"已重建：{counts['counties']} 个县，事项 {counts['matters']} 件，其中重新分词 {counts['read']} 件")
