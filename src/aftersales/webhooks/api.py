"""API of webhooks, for administrators: `webhooks/` (list, create, read, change, delete),
`webhooks/{id}/deliveries/` (the delivery log), `webhooks/{id}/test/` (send a ping now) and
`webhook-deliveries/{id}/retry/` (send a failed delivery again)."""

from typing import Any

from django.http import Http404
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import JSONParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from aftersales.api.pagination import Pagination
from aftersales.api.serializers import CleanCharField, StrictSerializer
from aftersales.core.errors import Conflict, NotAllowed
from aftersales.webhooks import access, selectors, services
from aftersales.webhooks.models import SUBSCRIBABLE_EVENTS, WebhookDelivery, WebhookSubscription

EVENT_CHOICES = [(str(e), e.label) for e in SUBSCRIBABLE_EVENTS]


class SubscriptionOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    url = serializers.CharField()
    events = serializers.ListField(child=serializers.CharField())
    # Administrators (the only readers) hand it to the integrator, who checks signatures.
    secret = serializers.CharField()
    is_active = serializers.BooleanField()
    allow_private = serializers.BooleanField()
    created_by = serializers.CharField(source="created_by.username", allow_null=True)
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()


class SubscriptionInputSerializer(StrictSerializer):
    name = CleanCharField(max_length=100)
    # Checked by the service (scheme, resolution, address), which names `url` in its error.
    url = serializers.CharField(max_length=500)
    events = serializers.ListField(
        child=serializers.ChoiceField(choices=EVENT_CHOICES), min_length=1, max_length=10
    )
    is_active = serializers.BooleanField(required=False)
    allow_private = serializers.BooleanField(required=False)


class DeliveryOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    webhook = serializers.IntegerField(source="subscription_id")
    event = serializers.CharField()
    delivery_id = serializers.UUIDField()
    payload = serializers.JSONField()
    status = serializers.ChoiceField(choices=WebhookDelivery.Status.choices)
    attempts = serializers.IntegerField()
    next_attempt_at = serializers.DateTimeField()
    last_status_code = serializers.IntegerField(allow_null=True)
    last_error = serializers.CharField()
    response_excerpt = serializers.CharField()
    delivered_at = serializers.DateTimeField(allow_null=True)
    created_at = serializers.DateTimeField()


def _require_admin(request: Request) -> None:
    if not access.can_manage(request.user):
        raise NotAllowed(_("Only administrators manage webhooks."))


class WebhookViewSet(viewsets.ViewSet):
    parser_classes = [JSONParser]
    # For the schema only (the id's type); rows are read through selectors.
    queryset = WebhookSubscription.objects.none()

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        super().initial(request, *args, **kwargs)
        _require_admin(request)

    def _get(self, pk: str) -> WebhookSubscription:
        subscription = selectors.subscription_list().filter(pk=pk).first() if pk.isdigit() else None
        if subscription is None:
            raise Http404
        return subscription

    @extend_schema(responses=SubscriptionOutputSerializer(many=True))
    def list(self, request: Request) -> Response:
        paginator = Pagination()
        page = paginator.paginate_queryset(selectors.subscription_list(), request, view=self)
        return paginator.get_paginated_response(SubscriptionOutputSerializer(page, many=True).data)

    @extend_schema(
        request=SubscriptionInputSerializer, responses={201: SubscriptionOutputSerializer}
    )
    def create(self, request: Request) -> Response:
        serializer = SubscriptionInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        subscription = services.subscription_create(by=request.user, data=serializer.validated_data)
        return Response(SubscriptionOutputSerializer(subscription).data, status=201)

    @extend_schema(responses=SubscriptionOutputSerializer)
    def retrieve(self, request: Request, pk: str) -> Response:
        return Response(SubscriptionOutputSerializer(self._get(pk)).data)

    @extend_schema(request=SubscriptionInputSerializer, responses=SubscriptionOutputSerializer)
    def partial_update(self, request: Request, pk: str) -> Response:
        subscription = self._get(pk)
        serializer = SubscriptionInputSerializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        updated = services.subscription_update(
            subscription, by=request.user, data=serializer.validated_data
        )
        return Response(SubscriptionOutputSerializer(updated).data)

    @extend_schema(responses={204: None})
    def destroy(self, request: Request, pk: str) -> Response:
        services.subscription_delete(self._get(pk), by=request.user)
        return Response(status=204)

    @extend_schema(responses=DeliveryOutputSerializer(many=True))
    @action(detail=True, methods=["get"])
    def deliveries(self, request: Request, pk: str) -> Response:
        paginator = Pagination()
        page = paginator.paginate_queryset(
            selectors.delivery_list(self._get(pk)), request, view=self
        )
        return paginator.get_paginated_response(DeliveryOutputSerializer(page, many=True).data)

    @extend_schema(request=None, responses=DeliveryOutputSerializer)
    @action(detail=True, methods=["post"])
    def test(self, request: Request, pk: str) -> Response:
        """Send a `ping` event now and answer with its delivery (delivered or why not)."""
        delivery = services.subscription_ping(self._get(pk), by=request.user)
        services.delivery_deliver(delivery.pk)
        delivery.refresh_from_db()
        return Response(DeliveryOutputSerializer(delivery).data)


class DeliveryRetryApi(APIView):
    @extend_schema(
        operation_id="webhook_deliveries_retry",
        request=None,
        responses=DeliveryOutputSerializer,
    )
    def post(self, request: Request, pk: int) -> Response:
        _require_admin(request)
        delivery = WebhookDelivery.objects.filter(pk=pk).first()
        if delivery is None:
            raise Http404
        if not services.delivery_retry(delivery, by=request.user):
            raise Conflict(_("Only a failed delivery can be sent again."))
        delivery.refresh_from_db()
        return Response(DeliveryOutputSerializer(delivery).data)
