from flask import Blueprint, render_template, request
from flask_login import login_required

from county_net.accounts.guards import admin_only
from county_net.audit.labels import ACTIONS
from county_net.audit.queries import audit_query, present
from county_net.audit.services import verify_chain
from county_net.core.pagination import paginate

bp = Blueprint("audit", __name__)


@bp.get("/audit")
@login_required
@admin_only
def index():
    action = request.args.get("action", "").strip()[:64] or None
    actor = request.args.get("actor", "").strip()[:64] or None
    page = paginate(audit_query(action, actor), request.args.get("page"), 50)
    page.items = present(page.items)
    result = verify_chain() if request.args.get("verify") == "1" else None
    return render_template("audit/index.html", page=page, action=action or "", actor=actor or "", result=result,
                           actions=ACTIONS)
