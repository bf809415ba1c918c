"""Facts other apps may react to (receivers live in the reacting app's receivers.py)."""

from django.dispatch import Signal

# Sent inside the transaction after a request, its comments or its fields changed.
# Arguments: request_id.
request_changed = Signal()

# Sent inside the intake transaction once a new request is saved (dispatch routes it).
# Arguments: request.
request_created = Signal()
