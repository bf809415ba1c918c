from django.contrib import admin

from aftersales.tasks.models import Task


@admin.register(Task)
class TaskAdmin(admin.ModelAdmin):
    list_display = ("title", "team", "assignee", "status", "due_at", "source")
    list_filter = ("status", "team", "source")
    search_fields = ("title", "reference", "service_request__number")
    raw_id_fields = ("service_request", "assignee", "created_by", "finished_by")
    # Tasks change through the service layer (history lines, signals); the admin reads them.
    readonly_fields = [f.name for f in Task._meta.fields]

    def has_add_permission(self, request):  # type: ignore[no-untyped-def]
        return False
