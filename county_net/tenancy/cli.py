"""`flask tenancy check-key`: does the database accept the scopes this service signs?"""
import click
from flask.cli import AppGroup
from sqlalchemy import text

from county_net.extensions import db
from county_net.tenancy.context import system_scope

tenancy_cli = AppGroup("tenancy", help="租户隔离")


@tenancy_cli.command("check-key")
def check_key():
    """Publish a signed system scope and ask PostgreSQL whether it verifies (exit 1 if not)."""
    if db.engine.dialect.name != "postgresql":
        click.echo("SQLite 没有行级安全，无需签名密钥")
        return
    with system_scope("check scope key"):
        verified = db.session.scalar(text("SELECT county_net_verified_scope() IS NOT NULL"))
        db.session.rollback()
    if not verified:
        # Everything would read as empty: logins fail, lists are blank. Say why.
        raise click.ClickException("数据库不接受本服务签名的范围：RLS_SCOPE_KEY 与数据库中的密钥不一致，"
                                   "请用迁移账号（MIGRATION_DATABASE_URL）运行 flask db upgrade 安装密钥")
    click.echo("数据库接受本服务签名的范围")
