"""What a ticket is called where people read it: the slip, the window's screen and the hall's board all show
the same label, so it is made in one place."""
from __future__ import annotations

from datetime import date

# Booked visitors go first (domain-practice §3.2); their letter (预约) tells the hall why a later number is called.
WALK_IN_LETTER, BOOKED_LETTER = "A", "Y"


def ticket_label(day: date | None, ticket_no: int | None, booked: bool) -> str:
    """"A012" for the 12th ticket of the day, "Y012" when it was booked; blank before a ticket is given.
    Numbers restart every day (one counter per hall and day), so a label is unique within (hall, day): `day`
    is taken so a caller never shows a label without knowing which day it belongs to."""
    if ticket_no is None:
        return ""
    return f"{BOOKED_LETTER if booked else WALK_IN_LETTER}{ticket_no:03d}"


def visit_ticket(visit) -> str:
    """A visit's label, or "—" for a booking that has no ticket yet."""
    return ticket_label(visit.day, visit.ticket_no, visit.booked) or "—"
