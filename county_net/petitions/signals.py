"""Signals other capabilities listen to, so that petitions never imports them. Receivers run inside the
service's transaction, before its single commit: what they add is committed with the event or not at all."""
from blinker import Namespace

_signals = Namespace()

# Sent with the petition as sender and `event=` the PetitionEvent just written (flushed, so it has its id).
event_written = _signals.signal("petition-event-written")
