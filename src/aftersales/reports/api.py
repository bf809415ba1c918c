"""API of the monthly service report: `GET reports/monthly/?month=YYYY-MM&language=en`
answers the PDF of the month in the caller's scope (the whole service for analysts and
administrators, a supervisor's teams for them), made if it is missing or was made before the
month ended. Who may: `reports.access` (the readers of the measures)."""

import datetime
from typing import Any

from django.http import FileResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.views import APIView

from aftersales.api.exports import FileNegotiation
from aftersales.core.errors import NotAllowed
from aftersales.reports import access, content, services
from aftersales.reports.models import LANGUAGES
from aftersales.reports.views import pdf_response

# Query parameters DRF itself reads.
_IGNORED = {"format"}


class MonthlyQuerySerializer(serializers.Serializer):
    month = serializers.CharField(
        max_length=7, help_text=gettext_lazy("The month, YYYY-MM (service time zone).")
    )
    language = serializers.ChoiceField(
        choices=list(LANGUAGES),
        required=False,
        help_text=gettext_lazy("zh-hans, zh-hant or en (default: the caller's language)."),
    )

    def to_internal_value(self, data: Any) -> Any:
        unknown = sorted(set(data) - set(self.fields) - _IGNORED)
        if unknown:
            raise serializers.ValidationError({name: [_("Unknown parameter.")] for name in unknown})
        return super().to_internal_value(data)

    def validate_month(self, value: str) -> datetime.date:
        month = content.parse_month(value)
        if month is None:
            raise serializers.ValidationError(_("Write the month as YYYY-MM."))
        return month


class MonthlyReportApi(APIView):
    content_negotiation_class = FileNegotiation

    @extend_schema(
        operation_id="reports_monthly",
        summary="The monthly service report as a PDF",
        parameters=[MonthlyQuerySerializer],
        responses={(200, "application/pdf"): OpenApiResponse(OpenApiTypes.BINARY)},
        description=(
            "The month's report in the caller's scope: the KPI figures beside the previous "
            "month's, charts, the ranking by team, top problems and the open problem records. "
            "Made if missing, or if the stored one was made before the month ended."
        ),
    )
    def get(self, request: Request) -> FileResponse:
        user = request.user
        if not access.can_read(user):
            raise NotAllowed(
                _("Supervisors, analysts and administrators read the monthly reports.")
            )
        query = MonthlyQuerySerializer(data=request.query_params.dict())
        query.is_valid(raise_exception=True)
        values = query.validated_data
        report = services.monthly_report_get_or_generate(
            values["month"],
            teams=access.scope_of(user),
            language=values.get("language") or services.language_of(user),
            by=user,
        )
        return pdf_response(report)
