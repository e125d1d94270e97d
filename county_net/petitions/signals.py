"""What other capabilities may listen to. `event_written` fires inside the service's transaction, after a
transition's PetitionEvent is flushed and before the commit: a receiver adds its own rows (a follow-up task,
a notification) to the same transaction and never commits."""
from blinker import Namespace

_signals = Namespace()

# sender: the Petition; keyword arguments: event (the flushed PetitionEvent), actor.
event_written = _signals.signal("event_written")
