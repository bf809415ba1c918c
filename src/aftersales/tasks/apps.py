from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TasksConfig(AppConfig):
    name = "aftersales.tasks"
    verbose_name = _("Internal tasks")

    def ready(self) -> None:
        from aftersales.service_requests import display

        display.EVENT_TITLES.update(
            {
                "task.opened": _("Task opened"),
                "task.started": _("Task started"),
                "task.done": _("Task done"),
                "task.cancelled": _("Task cancelled"),
                "task.assigned": _("Task assigned"),
            }
        )
        display.CHANGE_LABELS["task_assignee"] = (_("Task assignee"), None)
