"""HTML: the county center's board, the review queue with its one-step verdicts, follow-up tasks."""
from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from marshmallow import ValidationError

from county_net.core.errors import IllegalTransition, InvalidInput, StaleVersion
from county_net.extensions import db
from county_net.desk import queries, services
from county_net.desk import schemas as s
from county_net.desk.models import FOLLOW_UP_METHODS, FOLLOW_UP_RESULTS, FOLLOW_UP_STATES
from county_net.petitions import queries as petition_queries
from county_net.petitions.views import form_to_body

bp = Blueprint("desk", __name__)
VERDICTS = {"approve": (s.ApproveSchema, "已审查通过"), "return": (s.ReturnSchema, "已退回重办")}


def _me():
    return current_user._get_current_object()


@bp.get("/desk")
@login_required
def board():
    view = queries.with_links(queries.board(_me()))
    return render_template("desk/board.html", b=view)


@bp.get("/desk/review")
@login_required
def review():
    return _review_page()


def _review_page(failed: dict | None = None, status: int = 200):
    """`failed`: the row whose verdict was refused, its message, field errors and what was typed."""
    total, rows = queries.review_page(_me())
    return render_template("desk/review.html", rows=rows, total=total,
                           limit=queries.QUEUE_LIMIT, failed=failed or {}), status


@bp.post("/desk/review/<int:petition_id>/<verdict>")
@login_required
def review_verdict(petition_id: int, verdict: str):
    petition = petition_queries.get_petition(petition_id)  # first: a matter you may not see is 404
    if verdict not in VERDICTS:
        from flask import abort

        abort(404)
    schema, done = VERDICTS[verdict]
    typed = {k: v for k, v in request.form.items() if k != "csrf_token"}
    try:
        body = schema().load(form_to_body(schema, request.form))
        services.review(_me(), petition, verdict=verdict, body=body)
    except ValidationError as exc:
        return _review_page({"id": petition_id, "verdict": verdict, "fields": exc.messages, "typed": typed}, 400)
    except InvalidInput as exc:
        db.session.rollback()
        return _review_page({"id": petition_id, "verdict": verdict, "fields": exc.fields, "typed": typed}, 400)
    except (StaleVersion, IllegalTransition) as exc:
        db.session.rollback()
        return _review_page({"id": petition_id, "verdict": verdict, "message": exc.message, "typed": typed,
                             "stale": True}, 409)
    flash(f"{petition.number}：{done}", "success")
    return redirect(url_for("desk.review"))


@bp.get("/desk/follow-ups")
@login_required
def follow_ups():
    try:
        args = s.FollowUpArgsSchema().load({k: v for k, v in request.args.items() if v != ""})
    except ValidationError as exc:
        raise InvalidInput(fields=exc.messages)
    page = queries.follow_up_list(_me(), state=args.get("state"), due=bool(args.get("due")), page=args["page"],
                                  page_size=args["page_size"])
    return render_template("desk/follow_ups.html", page=page, args=args, states=FOLLOW_UP_STATES)


def _follow_up_page(follow_up, petition, errors=None, typed=None, status=200):
    return render_template("desk/follow_up.html", f=queries.follow_up_view(follow_up, petition),
                           methods=FOLLOW_UP_METHODS, results=FOLLOW_UP_RESULTS, errors=errors or {},
                           typed=typed or {}, may_record=follow_up.unit_id == _me().unit_id
                           and follow_up.state == "pending" and _me().has_role("receptionist", "head")), status


@bp.route("/desk/follow-ups/<int:follow_up_id>", methods=["GET", "POST"])
@login_required
def follow_up(follow_up_id: int):
    task, petition = queries.get_follow_up(follow_up_id)
    if request.method == "GET":
        return _follow_up_page(task, petition)
    typed = {k: v for k, v in request.form.items() if k != "csrf_token"}
    try:
        body = s.FollowUpInSchema().load(form_to_body(s.FollowUpInSchema, request.form))
        services.record_follow_up(_me(), task, petition, **body)
    except ValidationError as exc:
        return _follow_up_page(task, petition, exc.messages, typed, 400)
    except InvalidInput as exc:
        db.session.rollback()
        task, petition = queries.get_follow_up(follow_up_id)
        return _follow_up_page(task, petition, exc.fields, typed, 400)
    except (StaleVersion, IllegalTransition) as exc:
        db.session.rollback()
        task, petition = queries.get_follow_up(follow_up_id)
        return _follow_up_page(task, petition, {"_": [exc.message]}, typed, 409)
    flash("已记录回访" if task.state == "done" else "已记录一次未能联系上的回访", "success")
    if task.new_petition_id:
        flash("已登记为新事项，并与原事项关联", "success")
        return redirect(url_for("petitions.detail", petition_id=task.new_petition_id))
    return redirect(url_for("desk.follow_up", follow_up_id=follow_up_id))
