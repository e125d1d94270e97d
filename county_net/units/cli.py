import click
from flask.cli import AppGroup
from sqlalchemy import select

from county_net.extensions import db
from county_net.tenancy import system_scope
from county_net.units.models import Unit, Window
from county_net.units.network_file import NetworkFileError, load_network_file
from county_net.units.services import sync_units

tenants_cli = AppGroup("tenants", help="单位（租户）网络")


@tenants_cli.command("sync")
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
def sync(path):
    """Create or update units from a network file; running it twice changes nothing."""
    with system_scope("tenants sync"):
        try:
            network = load_network_file(path)  # every entry is checked before any write
            report = sync_units(network)
        except NetworkFileError as exc:
            db.session.rollback()
            raise click.ClickException(f"未做任何修改。{exc}")
    click.echo(report.summary())


@tenants_cli.command("show")
@click.option("--all", "show_inactive", is_flag=True, help="包括已停用的单位")
def show(show_inactive):
    """Print the unit tree and the hall's windows."""
    with system_scope("tenants show"):
        stmt = select(Unit).order_by(Unit.path)
        if not show_inactive:
            stmt = stmt.where(Unit.is_active.is_(True))
        units = list(db.session.scalars(stmt))
        children: dict = {}
        for unit in units:
            children.setdefault(unit.parent_id, []).append(unit)
        for siblings in children.values():
            siblings.sort(key=lambda u: u.sort_order)
        ids = {u.id for u in units}

        def walk(unit, prefix: str, last: bool, top: bool):
            mark = "" if top else ("└─ " if last else "├─ ")
            state = "" if unit.is_active else "（已停用）"
            click.echo(f"{prefix}{mark}{unit.name} [{unit.kind}] {unit.code}{state}")
            kids = children.get(unit.id, [])
            for i, child in enumerate(kids):
                walk(child, prefix + ("" if top else ("   " if last else "│  ")), i == len(kids) - 1, False)

        for root in [u for u in units if u.parent_id is None or u.parent_id not in ids]:
            walk(root, "", True, True)
            windows = db.session.scalars(select(Window).where(Window.unit_id == root.id, Window.is_active.is_(True))
                                         .order_by(Window.number))
            names = {u.id: u.short_name for u in units}
            for window in windows:
                stationed = "、".join(names.get(s.stationed_unit_id, "?") for s in window.stations)
                click.echo(f"  窗口 {window.number}：{window.name}（{stationed}）")
        click.echo(f"共 {len(units)} 个单位")
