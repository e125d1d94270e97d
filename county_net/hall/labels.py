"""How a ticket is shown: on the slip, at the window and on the board (a number only, never a name)."""
from __future__ import annotations


def ticket_label(visit=None, *, ticket_no: int | None = None, booked: bool | None = None) -> str:
    """"Y007" for a booked visitor, "A012" for a walk-in; one counter per hall and day, so the digits alone
    are unique and the letter says which queue rank the number came from."""
    if visit is not None:
        ticket_no, booked = visit.ticket_no, visit.booked
    if ticket_no is None:
        return "—"
    return f"{'Y' if booked else 'A'}{ticket_no:03d}"
