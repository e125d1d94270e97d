import tomllib
from pathlib import Path

import click
from flask.cli import AppGroup
from sqlalchemy import select

from county_net.accounts.models import User
from county_net.accounts.passwords import hash_password, verify_password
from county_net.audit import services as audit
from county_net.extensions import db
from county_net.tenancy import system_scope
from county_net.units.models import Unit
from county_net.units.network_file import NetworkFileError, load_network_file
from county_net.units.services import sync_units

ROOT = Path(__file__).resolve().parents[2]
demo_cli = AppGroup("demo", help="演示县数据")


def load_demo(network_path: Path, users_path: Path) -> tuple[str, int]:
    """Idempotent: units through the normal sync; demo users created or brought back to the file."""
    with system_scope("demo load"):
        report = sync_units(load_network_file(network_path))
        with open(users_path, "rb") as fh:
            entries = tomllib.load(fh).get("users", [])
        units = {u.code: u.id for u in db.session.scalars(select(Unit))}
        created = changed = 0
        for entry in entries:
            user = db.session.scalar(select(User).where(User.username == entry["username"]))
            if user is None:
                user = User(username=entry["username"], password_hash=hash_password(entry["password"]), version=1)
                db.session.add(user)
            elif not verify_password(user.password_hash, entry["password"]):
                user.password_hash = hash_password(entry["password"])
            wanted = {"name": entry["name"], "unit_id": units[entry["unit"]], "roles_csv": ",".join(sorted(entry["roles"])),
                      "is_enabled": True, "must_change_password": False}
            dirty = user.id is None
            for key, value in wanted.items():
                if getattr(user, key) != value:
                    setattr(user, key, value)
                    dirty = True
            if dirty and user.id is not None:
                user.version += 1
                changed += 1
            elif dirty:
                created += 1
        if created or changed:
            db.session.flush()
            audit.record("demo.users_loaded", actor_name="cli", target_type="network",
                         detail={"created": created, "updated": changed})
        db.session.commit()
        from county_net.demo.matters import load_demo_matters

        load_demo_matters()
        from county_net.demo.screening import load_demo_screening

        root = db.session.scalar(select(Unit.id).where(Unit.parent_id.is_(None), Unit.code == "339901000000"))
        if root is not None:
            load_demo_screening(root)
            from county_net.demo.hall import load_demo_hall

            load_demo_hall(root)
        db.session.commit()  # end the last read's transaction: it would hold its locks while the CLI lives on
        return report.summary(), created, changed


@demo_cli.command("load")
@click.option("--network", default=str(ROOT / "tenants" / "demo_county.toml"), show_default=True)
@click.option("--users", default=str(ROOT / "tenants" / "demo_users.toml"), show_default=True)
def load(network, users):
    """Load the fictional demo county and its demo accounts."""
    try:
        summary, created, changed = load_demo(Path(network), Path(users))
    except NetworkFileError as exc:
        raise click.ClickException(f"未做任何修改。{exc}")
    click.echo(f"单位：{summary}；演示账号：新增 {created} 个，更新 {changed} 个")
