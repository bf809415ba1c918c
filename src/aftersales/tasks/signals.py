"""Facts about tasks that the apps which open them react to."""

from django.dispatch import Signal

# Sent inside the transaction when a task is done or cancelled. Arguments: task.
task_finished = Signal()
