"""Facts other apps may react to (receivers live in the reacting app's receivers.py)."""

from django.dispatch import Signal

# Sent inside the transaction after a request, its comments or its fields changed.
# Arguments: request_id.
request_changed = Signal()

# Sent inside the intake transaction once a new request is saved (dispatch routes it).
# Arguments: request, receipt (False: the customer is not to be sent the receipt here).
request_created = Signal()

# Sent inside the transaction by every lifecycle action, after its event is written (follow-
# ups are planned on "resolve"). Arguments: request (the locked row, as it is now), action,
# from_status, to_status, by (None: the system).
request_transitioned = Signal()

# Sent inside the transaction when a reply the customer sees (not an internal note) was
# added, by staff or by the customer. Arguments: request, comment.
request_commented = Signal()

# Sent inside the sweep's transaction once per target (first_response, resolution) when its
# due time passed unmet. Arguments: request, target, due_at.
sla_breached = Signal()
