import click
from flask.cli import AppGroup

from county_net.deadlines import services
from county_net.tenancy import system_scope

deadlines_cli = AppGroup("deadlines", help="期限与节假日")


@deadlines_cli.command("import-holidays")
@click.argument("file", type=click.File("r", encoding="utf-8"))
def import_holidays(file):
    """Load the State Council's published schedule (holidays_cn.toml format) into the database."""
    from county_net.core.database import writing
    from county_net.core.errors import InvalidInput

    try:
        with system_scope("import holidays"), writing():
            years = services.import_schedule(None, file.read(), actor_name="cli")
    except InvalidInput as exc:
        for field, messages in (exc.fields or {}).items():
            click.echo(f"{field}：{'；'.join(messages)}", err=True)
        raise SystemExit(1) from None
    click.echo(f"已导入 {'、'.join(str(y) for y in years)} 年节假日安排；请运行 flask petitions sweep 更新在办事项的期限")
