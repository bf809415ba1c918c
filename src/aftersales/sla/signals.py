from django.dispatch import Signal

# Sent inside the transaction after calendars or policies changed; open requests' due times
# must then be recomputed. Arguments: calendar_id (None when policies changed).
configuration_changed = Signal()
