"""The hall's public pages, no login: the display board on the hall's TV with its JSON poll, and the published
leaders' rota. Neither is throttled: they show only what the hall posts on its walls (ticket numbers, counts,
the published rota), and a throttle's counter would double the cost of a poll that every TV sends every two
seconds. An unknown county code is 404 without touching the database more than once per few seconds."""
from flask import Blueprint, abort, jsonify, render_template

from county_net.core.timeutil import local_today
from county_net.hall import board
from county_net.hall.models import RECEPTION_FORMS

bp = Blueprint("hall_public", __name__, url_prefix="/hall")

_CODE = "<string(maxlength=32):county_code>"


def _county(code: str) -> board.BoardCounty:
    county = board.county_by_code(code)
    if county is None:
        abort(404)
    return county


@bp.get(f"/board/{_CODE}")
def board_page(county_code):
    county = _county(county_code)
    return render_template("hall/board.html", county=county, state=board.board_state(county))


@bp.get(f"/board/{_CODE}/state.json")
def board_json(county_code):
    response = jsonify(board.board_state(_county(county_code)))
    response.headers["X-Robots-Tag"] = "noindex"
    return response


@bp.get(f"/rota/{_CODE}")
def rota_page(county_code):
    county = _county(county_code)
    return render_template("hall/rota.html", county=county, sessions=board.public_rota(county),
                           today=local_today().isoformat(), forms=RECEPTION_FORMS)
