"""Facts other apps may react to (receivers live in the reacting app's receivers.py)."""

from django.dispatch import Signal

# Sent inside the transaction after a request, its comments or its fields changed.
# Arguments: request_id.
request_changed = Signal()

# Sent inside the intake transaction once a new request is saved (dispatch routes it).
# Arguments: request.
request_created = Signal()

# Sent inside the transaction by every lifecycle action, after its event is written (follow-
# ups are planned on "resolve"). Arguments: request (the locked row, as it is now), action,
# from_status, to_status, by (None: the system).
request_transitioned = Signal()
