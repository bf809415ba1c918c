from django.contrib import admin

from aftersales.quality.models import ProblemRecord


@admin.register(ProblemRecord)
class ProblemRecordAdmin(admin.ModelAdmin):
    list_display = ("number", "title", "team", "status", "created_at")
    list_filter = ("status", "team", "source")
    search_fields = ("number", "title", "symptom", "batches__batch_number")
    # Records change through the service layer (history lines, links); the admin reads them.
    readonly_fields = [f.name for f in ProblemRecord._meta.fields]

    def has_add_permission(self, request):  # type: ignore[no-untyped-def]
        return False
