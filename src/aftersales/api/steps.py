"""The shape the "one route per step" APIs share: read the object the reader may see, check
the input with an explicit serializer, call one service, answer with the object as it is now.
Step inputs carry the `version` the client read (`VersionInput`): a stale one is a 409.

A step is `run(obj, request, data) -> obj`: the app's own rule (which service, which fields),
called only with valid input. `step_action` mounts one on a viewset (which brings
`get_object()` and `_output(obj, status=...)`); `step_api` builds an APIView from the same
parts for the apps whose routes are plain views.
"""

from collections.abc import Callable
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.parsers import BaseParser, JSONParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from aftersales.accounts.models import User
from aftersales.api.serializers import StrictSerializer
from aftersales.core.errors import DomainError

Step = Callable[[Any, Request, dict[str, Any]], Any]


def valid(serializer_class: type[serializers.Serializer], data: Any) -> dict[str, Any]:
    """The validated input as a plain dict; a 400 naming the fields otherwise."""
    serializer = serializer_class(data=data)
    serializer.is_valid(raise_exception=True)
    return dict(serializer.validated_data)


def user_named(name: str | None, *, field: str) -> User | None:
    """The user called `name`; None for no name; a 400 naming `field` when no one is."""
    if not name:
        return None
    found = User.objects.filter(username=name).first()
    if found is None:
        message = _("No one is called “%(name)s”.") % {"name": name}
        raise DomainError(message, fields={field: [message]})
    return found


def step_action(
    name: str,
    input_serializer: type[serializers.Serializer],
    run: Step,
    *,
    operation_id: str,
    responses: Any,
    status: int = 200,
    url_path: str | None = None,
) -> Any:
    """A `POST {object}/{name}/` route on a viewset; `url_path` renames the route (and its
    URL name) when the method's name is not the path."""

    def view(self: Any, request: Request, **kwargs: Any) -> Response:
        obj = self.get_object()
        data = valid(input_serializer, request.data)
        return self._output(run(obj, request, data), status=status)

    view.__name__ = view.__qualname__ = name
    route: dict[str, Any] = {"url_path": url_path, "url_name": url_path} if url_path else {}
    routed = action(detail=True, methods=["post"], **route)(view)
    return extend_schema(operation_id=operation_id, request=input_serializer, responses=responses)(
        routed
    )


def step_api(
    name: str,
    input_serializer: type[serializers.Serializer],
    run: Step,
    *,
    fetch: Callable[[Request, Any], Any],
    output: Callable[..., Response],
    operation_id: str,
    summary: str,
    responses: Any,
    request_schema: Any = None,
    may: Callable[[Any, Any], bool] | None = None,
    refusal: Any = None,
    status: int = 200,
    parsers: tuple[type[BaseParser], ...] = (JSONParser,),
) -> type[APIView]:
    """An APIView answering `POST` on one object: `fetch(request, key)` reads it (404/403),
    `may(user, obj)` refuses (403, `refusal`) a reader who may see it but not do this, and
    `output(request, obj, status=...)` answers. A form (multipart) is read as a plain dict."""
    forms = any(parser.media_type != JSONParser.media_type for parser in parsers)

    class StepApi(APIView):
        parser_classes = list(parsers)

        @extend_schema(
            operation_id=operation_id,
            summary=summary,
            request=request_schema if request_schema is not None else input_serializer,
            responses=responses,
        )
        def post(self, request: Request, **kwargs: Any) -> Response:
            (key,) = kwargs.values()
            obj = fetch(request, key)
            if may is not None and not may(request.user, obj):
                raise PermissionDenied(refusal)
            payload = request.data
            if forms and hasattr(payload, "dict"):
                payload = payload.dict()
            data = valid(input_serializer, payload)
            return output(request, run(obj, request, data), status=status)

    StepApi.__name__ = StepApi.__qualname__ = name
    return StepApi


class VersionInput(StrictSerializer):
    # No docstring: the schema describes its components by the strict serializer's.
    version = serializers.IntegerField(
        required=False,
        min_value=1,
        help_text=gettext_lazy("The version read; a stale one is refused with 409."),
    )
