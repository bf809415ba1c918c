"""Customers and their contacts."""

from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, viewsets
from rest_framework.permissions import BasePermission
from rest_framework.request import Request

from aftersales.api.serializers import CleanCharField
from aftersales.core.text import normalise_email, normalise_phone, validate_clean_text
from aftersales.customers.models import Contact, Customer
from aftersales.service_requests import access


class DirectoryPermission(BasePermission):
    """Read within one's scope; front line, supervisors and admins change."""

    message = gettext_lazy("You may not change customers, products or units.")

    def has_permission(self, request: Request, view: Any) -> bool:
        user = request.user
        if not (user and user.is_authenticated and user.is_active):
            return False
        if request.method in ("GET", "HEAD", "OPTIONS"):
            return True
        return access.can_manage_directory(user)


class ContactSerializer(serializers.ModelSerializer):
    name = CleanCharField(max_length=200)
    role = CleanCharField(max_length=100, required=False, allow_blank=True)
    phone = CleanCharField(max_length=40, required=False, allow_blank=True)

    class Meta:
        model = Contact
        fields = ["id", "name", "role", "phone", "email"]


class CustomerSerializer(serializers.ModelSerializer):
    name = CleanCharField(max_length=200)
    organisation = CleanCharField(max_length=200, required=False, allow_blank=True)
    phone = CleanCharField(max_length=40, required=False, allow_blank=True)
    address = CleanCharField(max_length=300, required=False, allow_blank=True)
    region = CleanCharField(max_length=100, required=False, allow_blank=True)
    contacts = ContactSerializer(many=True, required=False)

    class Meta:
        model = Customer
        fields = [
            "id",
            "kind",
            "name",
            "organisation",
            "phone",
            "email",
            "address",
            "region",
            "language",
            "notice_channel",
            "notices_optional",
            "contacts",
            "created_at",
        ]
        read_only_fields = ["created_at"]

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        phone = attrs.get("phone", getattr(self.instance, "phone", ""))
        email = attrs.get("email", getattr(self.instance, "email", ""))
        if not (phone or email):
            raise serializers.ValidationError({"phone": [_("Give a phone number or an email.")]})
        return attrs

    def create(self, validated_data: dict[str, Any]) -> Customer:
        contacts = validated_data.pop("contacts", [])
        customer = Customer.objects.create(**validated_data)
        for contact in contacts:
            Contact.objects.create(customer=customer, **contact)
        return customer

    def update(self, instance: Customer, validated_data: dict[str, Any]) -> Customer:
        contacts = validated_data.pop("contacts", None)
        for field, value in validated_data.items():
            setattr(instance, field, value)
        instance.save()
        if contacts is not None:
            instance.contacts.all().delete()
            for contact in contacts:
                Contact.objects.create(customer=instance, **contact)
        return instance


@extend_schema(parameters=[OpenApiParameter("search", str, description=_("Name, phone or email"))])
class CustomerViewSet(viewsets.ModelViewSet):
    serializer_class = CustomerSerializer
    permission_classes = [DirectoryPermission]
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_queryset(self) -> QuerySet[Customer]:
        qs = (
            access.customers_visible_to(self.request.user)
            .prefetch_related("contacts")
            .order_by("id")
        )
        query = self.request.query_params.get("search", "").strip()[:100]
        try:
            validate_clean_text(query)
        except DjangoValidationError as exc:
            # PostgreSQL cannot even compare text with a NUL in it: a 400, not a 500.
            raise serializers.ValidationError({"search": exc.messages}) from None
        if query:
            phone, email = normalise_phone(query), normalise_email(query)
            condition = Q(name__icontains=query) | Q(organisation__icontains=query)
            if len(phone) >= 3:
                condition |= Q(phone_key__contains=phone) | Q(contacts__phone_key__contains=phone)
            if "@" in email:
                condition |= Q(email_key=email) | Q(contacts__email_key=email)
            qs = qs.filter(condition).distinct()
        return qs
