"""List downloads in the API (`<list>/export/?format=csv|xlsx`): the `format` parameter as
the schema shows it, what such a route answers, and content negotiation that keeps errors
JSON (the file itself is not rendered by DRF, and DRF's own `format` must not intercept)."""

from typing import Any

from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter
from rest_framework.negotiation import BaseContentNegotiation
from rest_framework.request import Request

from aftersales.core.exports import FORMATS

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

FORMAT_PARAMETER = OpenApiParameter(
    "format",
    OpenApiTypes.STR,
    enum=list(FORMATS),
    description=_("csv (the default, UTF-8 with a byte-order mark) or xlsx."),
)
EXPORT_RESPONSES = {(200, "text/csv"): OpenApiTypes.STR, (200, XLSX): OpenApiTypes.BINARY}


class FileNegotiation(BaseContentNegotiation):
    """A file is not rendered by DRF, so errors are always JSON whatever Accept says: the
    first parser and renderer, never a 406."""

    def select_parser(self, request: Request, parsers: list[Any]) -> Any:
        return parsers[0] if parsers else None

    def select_renderer(
        self, request: Request, renderers: list[Any], format_suffix: str | None = None
    ) -> Any:
        return renderers[0], renderers[0].media_type
