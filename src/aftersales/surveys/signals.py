"""Facts about surveys that other apps react to."""

from django.dispatch import Signal

# Sent inside the transaction when a customer answered a survey link. Arguments: response.
survey_answered = Signal()
