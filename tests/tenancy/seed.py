"""A neighbouring county beside the `net` fixture's: its center K0, a township K1, users in them, and (when
asked) a reception window of its own."""
from county_net.extensions import db
from tests.conftest import PASSWORD


def neighbour_county(app, users, window: bool = False) -> dict[str, int]:
    """`users`: (username, "K0" or "K1", roles). Returns {"K0": id, "K1": id}."""
    from county_net.accounts.models import User
    from county_net.accounts.passwords import hash_password
    from county_net.tenancy import system_scope
    from county_net.units.models import Unit, Window, WindowStation

    with app.app_context(), system_scope("test seed"):
        root = Unit(code="K0", name="邻县信访局", short_name="邻县信访局", kind="county_center", path="/", depth=0,
                    sort_order=0, is_active=True)
        db.session.add(root)
        db.session.flush()
        root.path = f"/{root.id}/"
        town = Unit(code="K1", name="邻县北镇", short_name="北镇", kind="township", parent_id=root.id, path="/",
                    depth=1, sort_order=1, is_active=True)
        db.session.add(town)
        db.session.flush()
        town.path = f"{root.path}{town.id}/"
        units = {"K0": root, "K1": town}
        for username, code, roles in users:
            user = User(username=username, name=username, unit_id=units[code].id,
                        password_hash=hash_password(PASSWORD), version=1)
            user.roles = roles
            db.session.add(user)
        if window:
            db.session.add(Window(unit_id=root.id, number=1, name="综合窗口",
                                  stations=[WindowStation(stationed_unit_id=town.id)]))
        db.session.commit()
        ids = {code: unit.id for code, unit in units.items()}
        db.session.remove()
    return ids
