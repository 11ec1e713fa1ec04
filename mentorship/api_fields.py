"""Serializer fields the apps' APIs share."""

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers


@extend_schema_field(
    {"oneOf": [{"type": "string", "format": "uri"}, {"type": "string", "enum": [""]}]}
)
class OptionalUrlField(serializers.URLField):
    """A URL that may be missing, read as "" (a model's ``URLField(blank=True)``):
    published as "a URL or empty", as it is sent."""
