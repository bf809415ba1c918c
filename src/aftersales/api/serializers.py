"""Serializer plumbing shared by the per-app API modules."""

from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext as _
from rest_framework import serializers

from aftersales.core.text import validate_clean_text


class StrictSerializer(serializers.Serializer):
    """Refuses fields it does not know, so a client learns of a typo or a forbidden field."""

    def to_internal_value(self, data: Any) -> Any:
        if not isinstance(data, dict):
            raise serializers.ValidationError({"non_field_errors": [_("Send a JSON object.")]})
        known = {name for name, field in self.fields.items() if not field.read_only}
        unknown = sorted(set(data) - known)
        if unknown:
            raise serializers.ValidationError({name: [_("Unknown field.")] for name in unknown})
        return super().to_internal_value(data)


class CleanCharField(serializers.CharField):
    """Text without NUL, other control characters or direction overrides."""

    def to_internal_value(self, data: Any) -> str:
        value = super().to_internal_value(data)
        try:
            validate_clean_text(value)
        except DjangoValidationError as exc:
            raise serializers.ValidationError(exc.messages) from exc
        return value


class CleanSlugRelatedField(serializers.SlugRelatedField):
    """A name looked up in the database (a username), refused before the query when it
    holds NUL or other control characters (PostgreSQL would refuse the query itself)."""

    def to_internal_value(self, data: Any) -> Any:
        if isinstance(data, str):
            try:
                validate_clean_text(data)
            except DjangoValidationError:
                self.fail("does_not_exist", slug_name=self.slug_field, value=data[:100])
        return super().to_internal_value(data)
