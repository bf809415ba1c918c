"""One JSON shape for every API error: {"message", "code", "fields"?, "extra"?}."""

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError
from django.http import Http404
from django.utils.translation import gettext as _
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from aftersales.core.errors import Conflict, DomainError, InvalidTransition, NotAllowed

_STATUS = {NotAllowed: 403, InvalidTransition: 409, Conflict: 409}


def _flatten(detail: Any, prefix: str = "") -> dict[str, list[str]]:
    """DRF's nested error detail as {"field.sub": ["message"]}."""
    if isinstance(detail, dict):
        out: dict[str, list[str]] = {}
        for key, value in detail.items():
            name = f"{prefix}.{key}" if prefix else str(key)
            out.update(_flatten(value, name))
        return out
    if isinstance(detail, list):
        if all(not isinstance(item, dict | list) for item in detail):
            return {prefix or "non_field_errors": [str(item) for item in detail]}
        out = {}
        for index, item in enumerate(detail):
            out.update(_flatten(item, f"{prefix}.{index}" if prefix else str(index)))
        return out
    return {prefix or "non_field_errors": [str(detail)]}


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    if isinstance(exc, DomainError):
        code = _STATUS.get(type(exc), 400)
        body: dict[str, Any] = {"message": exc.message, "code": exc.code}
        if exc.fields:
            body["fields"] = exc.fields
        if exc.extra:
            body["extra"] = exc.extra
        return Response(body, status=code)
    if isinstance(exc, IntegrityError):
        # Two writers raced past the validators; the database kept its invariant.
        return Response(
            {
                "message": _("This conflicts with data that already exists; reload and try again."),
                "code": "conflict",
            },
            status=409,
        )
    if isinstance(exc, Http404):
        return Response({"message": _("Not found."), "code": "not_found"}, status=404)
    if isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied()
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.ValidationError):
        fields = _flatten(exc.detail)
        first = next(iter(fields.items()), ("", [""]))
        message = _("Some fields are not valid: %(fields)s.") % {"fields": ", ".join(fields)}
        response.data = {"message": message, "code": "invalid", "fields": fields}
        if first[0] == "non_field_errors" and len(fields) == 1:
            response.data["message"] = first[1][0]
        response.status_code = status.HTTP_400_BAD_REQUEST
        return response
    detail = getattr(exc, "detail", "")
    code = getattr(exc, "default_code", "error")
    if isinstance(detail, exceptions.ErrorDetail):
        code = detail.code or code
    response.data = {
        "message": str(detail) if not isinstance(detail, dict | list) else str(exc),
        "code": code,
    }
    return response
