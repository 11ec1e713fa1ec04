"""``/api/v1/events/``: the learning platform pushes students' activity (staff
tokens), recorded by ``mentorship.activity.activity_ingest``."""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import permissions, serializers, viewsets
from rest_framework.parsers import JSONParser
from rest_framework.request import Request
from rest_framework.response import Response

from mentorship.activity import PORTAL_SOURCE, activity_ingest
from mentorship.api_throttles import ActivityEventsThrottle, TokenWriteThrottle
from mentorship.models import ActivityKind, Role


class ActivityEventInSerializer(serializers.Serializer):
    """One pushed event. Documentation of the shape: items are checked one by one by
    ``activity_ingest``, so that a bad item never drops the good ones."""

    student_email = serializers.EmailField(
        required=False, help_text=_("The student, by e-mail; or give student_external_id.")
    )
    student_external_id = serializers.CharField(
        required=False, help_text=_("The student, by the learning platform's id.")
    )
    kind = serializers.ChoiceField(choices=ActivityKind.choices)
    occurred_at = serializers.DateTimeField(
        required=False,
        help_text=_(
            "ISO 8601 with its UTC offset, e.g. 2026-03-01T14:30:00+03:00: placed on the "
            "student's local day. Required unless occurred_on is given."
        ),
    )
    occurred_on = serializers.DateField(
        required=False,
        help_text=_(
            "The student's own day, for a platform that reports days, e.g. 2026-03-01: "
            "placed on that day whatever the student's time zone (a time sent as "
            "midnight UTC would be the evening before for a student west of UTC). With "
            "occurred_at too, this day wins."
        ),
    )
    external_id = serializers.CharField(
        required=False,
        max_length=128,
        help_text=_("Your id of the event: an event sent again with it is not recorded twice."),
    )
    value = serializers.FloatField(
        required=False, allow_null=True, help_text=_("A score, minutes, ...")
    )


class EventSourceSerializer(serializers.Serializer):
    source = serializers.RegexField(
        r"^[A-Za-z0-9_.:-]+$",
        max_length=64,
        required=False,
        default="platform",
        help_text=_("Who sends the events; external ids are unique per source."),
    )

    def validate_source(self, value: str) -> str:
        if value == PORTAL_SOURCE:
            raise serializers.ValidationError(_("This source is reserved for the portal."))
        return value


class RejectedEventSerializer(serializers.Serializer):
    index = serializers.IntegerField(read_only=True, help_text=_("Position in the list sent."))
    errors = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()),
        read_only=True,
        help_text=_("Messages by field of the event."),
    )


class IngestResultSerializer(serializers.Serializer):
    accepted = serializers.IntegerField(read_only=True, help_text=_("Recorded now."))
    duplicates = serializers.IntegerField(
        read_only=True,
        help_text=_("Recorded before (same source and external_id), or twice here."),
    )
    rejected = RejectedEventSerializer(many=True, read_only=True)


class IsStaff(permissions.BasePermission):
    message = _("Only staff, or a token acting for staff, may push activity events.")

    def has_permission(self, request, view) -> bool:
        return request.user.role == Role.STAFF


class ActivityEventViewSet(viewsets.GenericViewSet):
    """``POST /api/v1/events/``: the learning platform's pushes."""

    serializer_class = IngestResultSerializer
    parser_classes = [JSONParser]
    # The API's default (writes with a token) and the endpoint's own limit of batches.
    throttle_classes = [TokenWriteThrottle, ActivityEventsThrottle]

    def get_permissions(self):
        return [*super().get_permissions(), IsStaff()]

    @extend_schema(
        summary="Push activity events (staff tokens)",
        description=(
            "A JSON list of at most 5,000 events (or an object with the list under "
            "`events`). Each names the student by `student_email` or "
            "`student_external_id`. An event whose `external_id` was recorded before "
            "for this source counts as a duplicate, so a retried batch records nothing "
            "twice. A bad event is rejected with its index and the reason by field; the "
            "good ones are recorded all the same."
        ),
        parameters=[EventSourceSerializer],
        request=ActivityEventInSerializer(many=True),
        responses={
            200: IngestResultSerializer,
            400: OpenApiResponse(description="Not a list, too many events, or a bad source."),
            403: OpenApiResponse(description="Only staff may push events."),
            429: OpenApiResponse(
                description="Too many batches: send again after `Retry-After` seconds."
            ),
        },
    )
    def create(self, request: Request) -> Response:
        query = EventSourceSerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        items = request.data
        if isinstance(items, dict) and set(items) == {"events"}:
            items = items["events"]
        if not isinstance(items, list):
            raise serializers.ValidationError({"events": [_("Send a JSON list of events.")]})
        result = activity_ingest(source=query.validated_data["source"], items=items)
        data = {
            "accepted": result.accepted,
            "duplicates": result.duplicates,
            "rejected": [
                {
                    "index": rejected["index"],
                    "errors": {field: [message] for field, message in rejected["errors"].items()},
                }
                for rejected in result.rejected
            ],
        }
        return Response(IngestResultSerializer(data).data)
