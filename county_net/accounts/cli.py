import click
from flask.cli import AppGroup
from sqlalchemy import select

from county_net.accounts import services
from county_net.accounts.models import ROLES, User
from county_net.core.errors import DomainError
from county_net.extensions import db
from county_net.tenancy import system_scope
from county_net.units.models import Unit

users_cli = AppGroup("users", help="用户与角色")


def _unit_id(code: str) -> int:
    unit_id = db.session.scalar(select(Unit.id).where(Unit.code == code))
    if unit_id is None:
        raise click.ClickException(f"单位编码 {code} 不存在")
    return unit_id


def _user(username: str) -> User:
    user = db.session.scalar(select(User).where(User.username == username.lower()))
    if user is None:
        raise click.ClickException(f"用户 {username} 不存在")
    return user


def _fail(exc: DomainError):
    db.session.rollback()
    detail = "；".join(f"{k}: {'，'.join(v)}" for k, v in exc.fields.items())
    raise click.ClickException(f"{exc.message}{('：' + detail) if detail else ''}")


@users_cli.command("create")
@click.argument("username")
@click.option("--name", required=True, help="姓名")
@click.option("--unit", "unit_code", required=True, help="单位编码")
@click.option("--role", "roles", multiple=True, required=True, type=click.Choice(list(ROLES)))
@click.password_option("--password", prompt="初始密码", help="省略则交互输入")
def create(username, name, unit_code, roles, password):
    """Create a user (must change the password at first login)."""
    with system_scope("users create (cli)"):
        try:
            user = services.create_user(services.SystemActor(), username=username, name=name,
                                        unit_id=_unit_id(unit_code), roles=roles, password=password)
        except DomainError as exc:
            _fail(exc)
        click.echo(f"已创建用户 {user.username}（{user.name}，{user.unit.name}）")


@users_cli.command("disable")
@click.argument("username")
def disable(username):
    with system_scope("users disable (cli)"):
        services.set_user_enabled(services.SystemActor(), _user(username), enabled=False)
        click.echo(f"已停用 {username}，其所有登录已失效")


@users_cli.command("enable")
@click.argument("username")
def enable(username):
    with system_scope("users enable (cli)"):
        services.set_user_enabled(services.SystemActor(), _user(username), enabled=True)
        click.echo(f"已启用 {username}")


@users_cli.command("reset-password")
@click.argument("username")
def reset_password(username):
    """Set a one-time password and print it once."""
    with system_scope("users reset-password (cli)"):
        password = services.reset_password(services.SystemActor(), _user(username))
        click.echo(f"{username} 的一次性密码：{password}（首次登录须修改）")


@users_cli.command("list")
def list_users():
    with system_scope("users list (cli)"):
        for user in db.session.scalars(select(User).join(User.unit).order_by(Unit.path, User.username)):
            state = "" if user.is_enabled else "（已停用）"
            click.echo(f"{user.username:22} {user.name:8} {','.join(user.roles):24} {user.unit.name}{state}")
