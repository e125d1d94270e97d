import json
import os
from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup

bench_cli = AppGroup("bench", help="性能测试数据（合成的全省数据集）")


@bench_cli.command("generate")
@click.option("--size", type=click.Choice(["tiny", "10k", "100k", "1m"]), default=None,
              help="预设规模（覆盖 --units/--petitions）")
@click.option("--units", type=int, default=2000, show_default=True)
@click.option("--petitions", type=int, default=1_000_000, show_default=True)
@click.option("--seed", type=int, default=1, show_default=True)
@click.option("--today", type=click.DateTime(["%Y-%m-%d"]), default=None, help="数据截止日（默认今天）")
@click.option("--screening-months", type=int, default=0, show_default=True,
              help="再生成各报送单位最近若干个月的矛盾纠纷排查表（0：不生成）")
@click.option("--preset", type=click.Choice(["realistic", "stress"]), default="realistic", show_default=True,
              help="事项分布：realistic 接近实际（最忙的乡镇、部门在办数百件），stress 为压力测试的高度集中分布")
@click.option("--manifest", type=click.Path(dir_okay=False), default=None,
              help="写出压测脚本所需的样本（用户、事项、身份证号）")
def generate(size, units, petitions, seed, today, screening_months, preset, manifest):
    """Fill an empty, freshly migrated database with a synthetic province (fictional people only)."""
    from county_net.bench.generate import SIZES, BulkWriter, Generator, bulk_url
    from county_net.core.timeutil import local_today
    from county_net.tenancy import system_scope

    if size:
        units, petitions = SIZES[size]
    writer = BulkWriter(bulk_url(current_app.config))
    with system_scope("bench generate"):
        generator = Generator(units=units, petitions=petitions, seed=seed,
                              today=today.date() if today else local_today(), writer=writer, app=current_app,
                              screening_months=screening_months, preset=preset)
        try:
            result = generator.run()
        except RuntimeError as exc:
            raise click.ClickException(str(exc))
    sizes = result["sizes"]
    click.echo(f"{result['engine']}：{sizes['units']} 个单位，{sizes['users']} 个用户，{sizes['petitioners']} 名信访人，"
               f"{sizes['petitions']} 件事项，{sizes['events']} 条流转记录，{sizes['audit']} 条审计记录，"
               f"{sizes['screening_reports']} 份排查表（{sizes['disputes']} 条矛盾纠纷）；"
               f"用时 {result['generate_seconds']} 秒（{os.cpu_count()} 核）")
    spread = result["open_matters"]
    click.echo(f"分布（{preset}）：在办 {spread['open']} 件，其中逾期 {spread['overdue']} 件；"
               f"乡镇、部门 {spread['handling_units']} 个，每个在办 p50 {spread['p50']}、p90 {spread['p90']}、"
               f"p99 {spread['p99']}、最多 {spread['busiest']} 件；县信访局最多 {spread['busiest_center']} 件")
    if manifest:
        Path(manifest).parent.mkdir(parents=True, exist_ok=True)
        Path(manifest).write_text(json.dumps(result, ensure_ascii=False, indent=1))
        click.echo(f"样本已写入 {manifest}")
