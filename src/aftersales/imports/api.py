"""API of bulk imports: imports/ (the jobs; POST a file), imports/<id>/ (one job with its
error report) and imports/<id>/confirm/ (import a validated job).

POST imports/ (multipart: kind, file, dry_run) validates the whole file and records a job:
with dry_run it stops there (status validated or failed), without it a valid file is
imported at once (status imported). Row errors are the job's report (201, status failed);
a file that cannot be read at all is a 400 naming `file`.
"""

from django.http import Http404
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.parsers import MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from aftersales.api.pagination import Pagination
from aftersales.api.serializers import StrictSerializer
from aftersales.core.errors import NotAllowed
from aftersales.imports import access, selectors, services
from aftersales.imports.models import ImportJob, Kind, Status


class ImportErrorSerializer(serializers.Serializer):
    row = serializers.IntegerField(help_text=gettext_lazy("Row as the spreadsheet numbers it."))
    column = serializers.CharField()
    value = serializers.CharField(allow_blank=True)
    message = serializers.CharField()


class ImportJobSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    kind = serializers.ChoiceField(choices=Kind.choices)
    file_name = serializers.CharField()
    file_format = serializers.CharField()
    encoding = serializers.CharField(
        help_text=gettext_lazy("The text encoding a CSV was read in (utf-8, utf-8-sig, gb18030).")
    )
    size = serializers.IntegerField()
    sha256 = serializers.CharField()
    status = serializers.ChoiceField(choices=Status.choices)
    uploaded_by = serializers.CharField(source="uploaded_by.username", default=None)
    created_at = serializers.DateTimeField()
    imported_by = serializers.CharField(source="imported_by.username", default=None)
    imported_at = serializers.DateTimeField()
    rows_total = serializers.IntegerField()
    rows_new = serializers.IntegerField()
    rows_updated = serializers.IntegerField()
    rows_unchanged = serializers.IntegerField()
    error_count = serializers.IntegerField()
    errors = ImportErrorSerializer(many=True)
    previous_import = serializers.SerializerMethodField(
        help_text=gettext_lazy("The id of an earlier import of the same file, if any.")
    )

    def get_previous_import(self, job: ImportJob) -> int | None:
        previous = selectors.previous_import(job)
        return previous.pk if previous else None


class ImportInputSerializer(StrictSerializer):
    kind = serializers.ChoiceField(choices=Kind.choices)
    file = serializers.FileField()
    dry_run = serializers.BooleanField(default=False)


def _only_importers(request: Request) -> None:
    if not access.can_use(request.user):
        raise NotAllowed(_("Only administrators and supervisors import data."))


class ImportListApi(APIView):
    parser_classes = [MultiPartParser]
    pagination_class = Pagination

    @extend_schema(operation_id="imports_list", responses=ImportJobSerializer(many=True))
    def get(self, request: Request) -> Response:
        _only_importers(request)
        paginator = Pagination()
        page = paginator.paginate_queryset(selectors.import_list(request.user), request, view=self)
        return paginator.get_paginated_response(ImportJobSerializer(page, many=True).data)

    @extend_schema(
        operation_id="imports_create",
        request=ImportInputSerializer,
        responses={201: ImportJobSerializer},
    )
    def post(self, request: Request) -> Response:
        _only_importers(request)
        serializer = ImportInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        upload = serializer.validated_data["file"]
        job = services.import_file(
            kind=serializer.validated_data["kind"],
            file_name=upload.name,
            data=upload.read(),
            by=request.user,
            dry_run=serializer.validated_data["dry_run"],
        )
        return Response(ImportJobSerializer(job).data, status=201)


def _job(request: Request, pk: int) -> ImportJob:
    _only_importers(request)
    job = selectors.import_get(request.user, pk)
    if job is None:
        raise Http404
    return job


class ImportDetailApi(APIView):
    @extend_schema(operation_id="imports_retrieve", responses=ImportJobSerializer)
    def get(self, request: Request, pk: int) -> Response:
        return Response(ImportJobSerializer(_job(request, pk)).data)


class ImportConfirmApi(APIView):
    @extend_schema(operation_id="imports_confirm", request=None, responses=ImportJobSerializer)
    def post(self, request: Request, pk: int) -> Response:
        job = services.import_run(_job(request, pk), by=request.user)
        return Response(ImportJobSerializer(job).data)
