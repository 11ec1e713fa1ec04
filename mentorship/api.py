"""API endpoints about people: ``/api/v1/me/``. Each app's own endpoints are in its
``api`` module (sessions, students, flags and events in ``students.api``), included
by the root URLconf; their ValidationErrors become JSON errors naming the field, and
their ``NotAllowed`` a 404 or a 403 (``mentorship.api_errors``)."""

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.decorators import api_view
from rest_framework.request import Request
from rest_framework.response import Response

from .models import User


class MeSerializer(serializers.ModelSerializer):
    class Meta:
        model = User
        fields = ["id", "email", "display_name", "role", "language", "time_zone"]
        read_only_fields = fields


@extend_schema(responses=MeSerializer, summary="Who am I")
@api_view(["GET"])
def me(request: Request) -> Response:
    """The caller's identity and role (session or API token)."""
    return Response(MeSerializer(request.user).data)
