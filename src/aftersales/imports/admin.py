from django.contrib import admin

from aftersales.imports.models import ImportJob, ImportKey


@admin.register(ImportJob)
class ImportJobAdmin(admin.ModelAdmin):
    """Read-only: imports are made on the console or with `manage.py import_data`."""

    list_display = ["created_at", "kind", "file_name", "status", "rows_total", "error_count"]
    list_filter = ["kind", "status"]
    search_fields = ["file_name", "sha256"]
    exclude = ["content"]

    def has_add_permission(self, request):  # type: ignore[no-untyped-def]
        return False

    def has_change_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False


@admin.register(ImportKey)
class ImportKeyAdmin(admin.ModelAdmin):
    list_display = ["kind", "key", "object_id", "job", "row"]
    list_filter = ["kind"]
    search_fields = ["key"]

    def has_add_permission(self, request):  # type: ignore[no-untyped-def]
        return False

    def has_change_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False
