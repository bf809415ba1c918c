"""Reads of imports, scoped to who asks."""

from django.db.models import QuerySet

from aftersales.accounts.models import User
from aftersales.imports import access
from aftersales.imports.models import ImportJob


def import_list(user: User) -> QuerySet[ImportJob]:
    return access.visible_to(user).select_related("uploaded_by", "imported_by").defer("content")


def import_get(user: User, pk: int) -> ImportJob | None:
    return (
        access.visible_to(user).select_related("uploaded_by", "imported_by").filter(pk=pk).first()
    )


def previous_import(job: ImportJob) -> ImportJob | None:
    """The earlier import of the same file (same kind and content), if any."""
    return (
        ImportJob.objects.filter(kind=job.kind, sha256=job.sha256, status=ImportJob.Status.IMPORTED)
        .exclude(pk=job.pk)
        .defer("content")
        .select_related("imported_by")
        .order_by("-imported_at")
        .first()
    )
