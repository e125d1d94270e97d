"""The hall's display board in a real browser: a ticket called at the desk shows on the TV within a poll or
two, without the page reloading, and the page runs under the strict CSP with no console error."""
import pytest
import sqlalchemy as sa

from county_net.core.models import utcnow
from county_net.extensions import db
from county_net.hall import board
from county_net.hall.models import Visit
from county_net.tenancy import system_scope
from tests.hall.board_seed import SECRETS, seed_board_hall

pytestmark = pytest.mark.browser


def test_a_call_shows_on_the_board_without_a_reload(app, net, api_token, page):
    board.forget_counties(app)
    seed_board_hall(app, net, api_token)
    page.goto(page.base + "/hall/board/C0")
    assert "Y002" in page.inner_text("#board-calling")
    assert page.inner_text("#board-windows tr[data-window='1'] .w-waiting") == "2"
    page.evaluate("window.boardNotReloaded = true")  # gone if the page were ever loaded again
    loaded_at = page.evaluate("window.hallBoard.loadedAt")
    polls_before = page.evaluate("window.hallBoard.polls")

    with app.app_context(), system_scope("test: the desk calls A003"):
        visit = db.session.scalar(sa.select(Visit).where(Visit.unit_id == net.units["C0"], Visit.ticket_no == 3))
        visit.state, visit.called_at, visit.call_count = "called", utcnow(), 1
        db.session.commit()
        db.session.remove()

    # One poll (every 2 s) brings it: the window's serving tickets, its count and the "now calling" banner.
    page.wait_for_selector("#board-windows tr[data-window='1'] .ticket.calling:text-is('A003')", timeout=15000)
    # At the next poll or the one after (2 s apart): counted in polls, not timed, so a loaded machine passes.
    assert page.evaluate("window.hallBoard.polls") - polls_before <= 2
    assert page.inner_text("#board-windows tr[data-window='1'] .w-waiting") == "1"
    assert "A003" in page.inner_text("#board-calling")
    assert page.evaluate("window.boardNotReloaded") is True
    assert page.evaluate("window.hallBoard.loadedAt") == loaded_at and page.evaluate("window.hallBoard.polls") >= 1
    text = page.inner_text("body")
    for secret in SECRETS:
        assert secret not in text
    assert page.console_errors == []  # a CSP violation would be reported here
    board.forget_counties(app)
