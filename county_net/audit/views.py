from flask import Blueprint, render_template, request
from flask_login import login_required
from sqlalchemy import select

from county_net.accounts.guards import admin_only
from county_net.audit.models import AuditRecord
from county_net.audit.services import verify_chain
from county_net.core.pagination import paginate

bp = Blueprint("audit", __name__)


def audit_query(action: str | None = None, actor: str | None = None):
    stmt = select(AuditRecord).order_by(AuditRecord.seq.desc())
    if action:
        stmt = stmt.where(AuditRecord.action.startswith(action, autoescape=True))
    if actor:
        stmt = stmt.where(AuditRecord.actor_name == actor)
    return stmt


@bp.get("/audit")
@login_required
@admin_only
def index():
    action = request.args.get("action", "").strip()[:64] or None
    actor = request.args.get("actor", "").strip()[:64] or None
    page = paginate(audit_query(action, actor), request.args.get("page"), 50)
    result = verify_chain() if request.args.get("verify") == "1" else None
    return render_template("audit/index.html", page=page, action=action or "", actor=actor or "", result=result)
