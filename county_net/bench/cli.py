import json
import os
from datetime import date
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
@click.option("--manifest", type=click.Path(dir_okay=False), default=None,
              help="写出压测脚本所需的样本（用户、事项、身份证号）")
def generate(size, units, petitions, seed, today, screening_months, manifest):
    """Fill an empty, freshly migrated database with a synthetic province (fictional people only)."""
    from county_net.bench.generate import SIZES, BulkWriter, Generator
    from county_net.core.timeutil import local_today
    from county_net.tenancy import system_scope

    if size:
        units, petitions = SIZES[size]
    url = current_app.config.get("MIGRATION_DATABASE_URL") or current_app.config["SQLALCHEMY_DATABASE_URI"]
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://"):]
    writer = BulkWriter(url)
    with system_scope("bench generate"):
        generator = Generator(units=units, petitions=petitions, seed=seed,
                              today=today.date() if today else local_today(), writer=writer, app=current_app,
                              screening_months=screening_months)
        try:
            result = generator.run()
        except RuntimeError as exc:
            raise click.ClickException(str(exc))
    sizes = result["sizes"]
    click.echo(f"{result['engine']}：{sizes['units']} 个单位，{sizes['users']} 个用户，{sizes['petitioners']} 名信访人，"
               f"{sizes['petitions']} 件事项，{sizes['events']} 条流转记录，{sizes['audit']} 条审计记录，"
               f"{sizes['screening_reports']} 份排查表（{sizes['disputes']} 条矛盾纠纷）；"
               f"用时 {result['generate_seconds']} 秒（{os.cpu_count()} 核）")
    if manifest:
        Path(manifest).parent.mkdir(parents=True, exist_ok=True)
        Path(manifest).write_text(json.dumps(result, ensure_ascii=False, indent=1))
        click.echo(f"样本已写入 {manifest}")
