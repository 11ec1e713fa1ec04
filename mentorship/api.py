"""API endpoints about people (``/api/v1/me/``) and mentoring sessions
(``/api/v1/sessions/``, same access rules as the pages: ``selectors.sessions_visible_to``)."""

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import serializers, viewsets
from rest_framework.decorators import api_view
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.routers import SimpleRouter

from . import selectors
from .models import MentoringSession, Role, SessionStatus, User


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


# --- Mentoring sessions (``/api/v1/sessions/``) ----------------------------------------


class SessionPersonSerializer(serializers.ModelSerializer):
    class Meta:
        model = User
        fields = ["id", "display_name", "time_zone"]
        read_only_fields = fields


class SessionSerializer(serializers.ModelSerializer):
    """A session as ``sessions_visible_to`` shows it. Times are ISO-8601 in UTC; each
    person's time zone comes with them to show it locally. ``private_notes`` is left
    out entirely for students."""

    mentor = SessionPersonSerializer(read_only=True)
    student = SessionPersonSerializer(read_only=True)
    ends_at = serializers.DateTimeField(read_only=True)
    private_notes = serializers.CharField(
        read_only=True,
        required=False,
        help_text=_("For the mentor, their supervisor and staff; absent for students."),
    )

    class Meta:
        model = MentoringSession
        fields = [
            "id",
            "mentor",
            "student",
            "scheduled_at",
            "ends_at",
            "duration_minutes",
            "status",
            "agenda",
            "cancelled_at",
            "notice_hours",
            "summary",
            "next_steps",
            "logged_at",
            "rating",
            "rating_comment",
            "rated_at",
            "private_notes",
        ]
        read_only_fields = fields
        extra_kwargs = {
            "agenda": {"help_text": _("Markdown.")},
            "summary": {"help_text": _("Markdown.")},
            "next_steps": {"help_text": _("Markdown.")},
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        request = self.context.get("request")
        if request is None or not may_read_session_notes(request.user):
            self.fields.pop("private_notes")


def may_read_session_notes(user: User) -> bool:
    """Private session notes: for everyone who may see the session except its student
    (the mentor, their supervisor, staff — ``sessions_visible_to`` does the rest)."""
    return user.is_authenticated and user.role != Role.STUDENT


class SessionFilterSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=SessionStatus.choices, required=False)
    upcoming = serializers.BooleanField(
        required=False,
        default=None,
        allow_null=True,
        help_text=_(
            "true: scheduled sessions yet to start, soonest first; false: all the others."
        ),
    )


@extend_schema_view(
    list=extend_schema(
        summary="Mentoring sessions",
        description=(
            "Scheduled sessions first (soonest first), then the others newest first. A "
            "student sees their own, a mentor those they give, a supervisor their "
            "team's, staff all."
        ),
        parameters=[SessionFilterSerializer],
    ),
    retrieve=extend_schema(summary="A mentoring session"),
)
class SessionViewSet(viewsets.ReadOnlyModelViewSet):
    queryset = MentoringSession.objects.none()  # for the schema; get_queryset applies access
    serializer_class = SessionSerializer

    def get_queryset(self):
        sessions = selectors.sessions_upcoming_first(
            selectors.sessions_visible_to(self.request.user)
        )
        if self.action == "list":
            filters = SessionFilterSerializer(data=self.request.query_params)
            filters.is_valid(raise_exception=True)
            status = filters.validated_data.get("status")
            upcoming = filters.validated_data.get("upcoming")
            if status:
                sessions = sessions.filter(status=status)
            is_upcoming = Q(status=SessionStatus.SCHEDULED, scheduled_at__gt=timezone.now())
            if upcoming is True:
                sessions = sessions.filter(is_upcoming).order_by("scheduled_at", "pk")
            elif upcoming is False:
                sessions = sessions.exclude(is_upcoming)
        return sessions


router = SimpleRouter()
router.register("sessions", SessionViewSet, basename="session")
