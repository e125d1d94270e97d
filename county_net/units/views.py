"""HTML: the home page and the unit tree the user may see."""
from flask import Blueprint, render_template, request
from flask_login import current_user, login_required
from sqlalchemy import func, select

from county_net.accounts.models import User
from county_net.extensions import db
from county_net.units.kinds import KINDS
from county_net.units.models import Unit, Window
from county_net.units.queries import get_unit, visible_units_query

bp = Blueprint("units", __name__)


@bp.get("/")
@login_required
def home():
    from county_net.desk import queries as desk
    from county_net.petitions.queries import inbox_counts
    from county_net.petitions.views import INBOX_BOXES
    from county_net.screening import queries as screening

    task = screening.current(current_user)
    if current_user.roles and set(current_user.roles) <= {"liaison"}:
        # A liaison's home: this period's sheet and nothing they cannot use.
        return render_template("units/home_liaison.html", task=task)

    counts = dict(db.session.execute(
        select(Unit.kind, func.count()).where(Unit.is_active.is_(True)).group_by(Unit.kind)).all())
    asked = desk.asked_of(current_user)
    board = desk.with_links(desk.board(current_user)) if asked["is_center"] else None  # the center's home
    return render_template("units/home.html", counts=counts, kinds=KINDS, inbox=inbox_counts(current_user),
                           boxes=INBOX_BOXES, asked=asked, board=board, task=task)


@bp.get("/units")
@login_required
def index():
    kind = request.args.get("kind") if request.args.get("kind") in KINDS else None
    q = request.args.get("q", "").strip()[:60] or None
    units = list(db.session.scalars(visible_units_query(kind=kind, q=q)))
    return render_template("units/index.html", units=units, kind=kind, q=q or "", kinds=KINDS,
                           flat=bool(kind or q))


@bp.get("/units/<int:unit_id>")
@login_required
def detail(unit_id: int):
    unit = get_unit(unit_id)
    children = list(db.session.scalars(
        select(Unit).where(Unit.parent_id == unit.id, Unit.is_active.is_(True)).order_by(Unit.sort_order)))
    parent = db.session.scalar(select(Unit).where(Unit.id == unit.parent_id)) if unit.parent_id else None
    users = list(db.session.scalars(select(User).where(User.unit_id == unit.id).order_by(User.username)))
    windows = list(db.session.scalars(select(Window).where(Window.unit_id == unit.id, Window.is_active.is_(True))
                                      .order_by(Window.number)))
    return render_template("units/detail.html", unit=unit, children=children, parent=parent, users=users,
                           windows=windows, show_users=current_user.has_role("admin", "head"))
