"""``/api/v1/sessions/``: 1:1 sessions as ``sessions_visible_to`` shows them;
mentors schedule and log, either side cancels, students rate; ``slots`` lists the free
times to book (``students.availability``) and students ``book`` one."""

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, permissions, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from mentorship.api_fields import OptionalUrlField
from mentorship.api_filters import (
    IdField,
    IdRelatedField,
    MomentField,
    OffsetDateTimeField,
    filtered,
    filtered_by_happened,
    period_lookups,
    yes_no_field,
)
from mentorship.models import Role, User
from mentorship.selectors import mentor_current_students

from ..availability import BOOKING_WEEKS, BOOKING_WEEKS_MAX, booking_options, booking_window
from ..availability import free_slots as mentor_free_slots
from ..availability import session_book as book_session
from ..models import SESSION_OUTCOMES, MentoringSession, SessionStatus, StudentSessionStatus
from ..sessions import (
    may_read_session_notes,
    session_cancel,
    session_log,
    session_rate,
    session_schedule,
    sessions_upcoming_first,
    sessions_visible_to,
    with_session_notes_readable,
)


class SessionPersonSerializer(serializers.ModelSerializer):
    class Meta:
        model = User
        fields = ["id", "display_name", "time_zone"]
        read_only_fields = fields


class SessionSerializer(serializers.ModelSerializer):
    """A session as ``sessions_visible_to`` shows it. Times are ISO-8601 in UTC; each
    person's time zone comes with them to show it locally. ``private_notes`` is left
    out entirely for whoever may not read it (``may_read_session_notes``: students)."""

    mentor = SessionPersonSerializer(read_only=True)
    student = SessionPersonSerializer(read_only=True)
    ends_at = serializers.DateTimeField(read_only=True)
    private_notes = serializers.CharField(
        read_only=True,
        required=False,
        help_text=_("For the mentor, their supervisor and staff; absent for students."),
    )
    call_url = OptionalUrlField(
        read_only=True, help_text=_("The video call's address, or empty when none is set yet.")
    )
    status_for_student = serializers.ChoiceField(
        choices=StudentSessionStatus.choices,
        read_only=True,
        help_text=_("The status as the student reads it: scheduled, held, missed, cancelled."),
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
            "status_for_student",
            "agenda",
            "call_url",
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

    def to_representation(self, session: MentoringSession) -> dict:
        data = super().to_representation(session)
        request = self.context.get("request")
        if request is None or not may_read_session_notes(request.user, session=session):
            del data["private_notes"]
        return data


class SessionFilterSerializer(serializers.Serializer):
    """The list's filters; those after ``upcoming`` fetch the sessions behind a
    scorecard's figure (``mentorship.api_filters``)."""

    status = serializers.ChoiceField(choices=SessionStatus.choices, required=False)
    upcoming = serializers.BooleanField(
        required=False,
        default=None,
        allow_null=True,
        help_text=_(
            "true: scheduled sessions yet to start, soonest first; false: all the others."
        ),
    )
    mentor = IdField(help_text=_("A mentor's id: the sessions they give."))
    student = IdField(help_text=_("A student's id."))
    scheduled_after = MomentField(
        required=False, help_text=_("Sessions starting at or after this moment (inclusive).")
    )
    scheduled_before = MomentField(
        required=False, help_text=_("Sessions starting before this moment (exclusive).")
    )
    rated = yes_no_field(_("true: sessions their student rated; false: those not rated."))


class CurrentStudentField(IdRelatedField):
    """A student id among the calling mentor's current students, the choice the
    schedule page offers; any other id does not exist for them."""

    def get_queryset(self):
        return mentor_current_students(mentor=self.context["request"].user)


class SessionScheduleSerializer(serializers.ModelSerializer):
    student = CurrentStudentField(
        queryset=User.objects.none(), help_text=_("Choose one of your current students.")
    )
    scheduled_at = OffsetDateTimeField()

    class Meta:
        model = MentoringSession
        fields = ["student", "scheduled_at", "duration_minutes", "agenda", "call_url"]
        extra_kwargs = {
            "agenda": {
                "help_text": _("What you will go through; your student sees it. Markdown.")
            },
            "call_url": {"help_text": _("Empty: the default call link of your profile.")},
        }


class SlotFilterSerializer(serializers.Serializer):
    weeks = serializers.IntegerField(
        min_value=1,
        max_value=BOOKING_WEEKS_MAX,
        default=BOOKING_WEEKS,
        help_text=_("How many weeks ahead."),
    )


class FreeSlotSerializer(serializers.Serializer):
    scheduled_at = serializers.DateTimeField(
        source="starts_at", help_text=_("The start, to book it with.")
    )
    ends_at = serializers.DateTimeField()
    duration_minutes = serializers.IntegerField()
    local_start = serializers.SerializerMethodField(
        help_text=_("The start on the caller's clock, with its offset.")
    )

    def get_local_start(self, slot) -> str:
        return slot.starts_at.astimezone(self.context["zone"]).isoformat()


class FreeSlotsSerializer(serializers.Serializer):
    """A mentor's free times: for a student their current mentor's (none: ``mentor`` is
    null), for a mentor their own."""

    mentor = SessionPersonSerializer(allow_null=True)
    time_zone = serializers.CharField(help_text=_("The caller's, which local_start is in."))
    weeks = serializers.IntegerField()
    slots = FreeSlotSerializer(many=True)


class SessionBookingSerializer(serializers.Serializer):
    scheduled_at = OffsetDateTimeField(help_text=_("The start of one of the free slots."))
    agenda = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        max_length=4000,
        help_text=_("What you would like to talk about; your mentor reads it. Markdown."),
    )


class SessionLogSerializer(serializers.ModelSerializer):
    status = serializers.ChoiceField(
        choices=[(outcome.value, outcome.label) for outcome in SESSION_OUTCOMES],
        help_text=_("What happened"),
    )
    student_cancelled_at = OffsetDateTimeField(
        required=False,
        allow_null=True,
        help_text=_("Only for a cancellation by the student; the notice is computed from it."),
    )

    class Meta:
        model = MentoringSession
        fields = ["status", "student_cancelled_at", "summary", "next_steps", "private_notes"]
        extra_kwargs = {
            "summary": {"help_text": _("Your student reads this. Markdown.")},
            "next_steps": {"help_text": _("Your student reads this. Markdown.")},
        }


class SessionRatingSerializer(serializers.Serializer):
    rating = serializers.IntegerField(min_value=1, max_value=5)
    comment = serializers.CharField(required=False, allow_blank=True, default="")


class SessionRoles(permissions.BasePermission):
    """Only mentors schedule, only students book, and the free times are for the two
    of them: refused up front, as the pages' ``role_required`` does, before the input
    is read. Who may log, cancel or rate a session is the services' to say
    (``NotAllowed``, answered in ``api_errors``): 404 to those who may not see the
    session, 403 to those who see it but may not act."""

    ROLES = {
        "create": ((Role.MENTOR,), _("Only mentors schedule sessions.")),
        "book": ((Role.STUDENT,), _("Only students book sessions; mentors schedule them.")),
        "slots": (
            (Role.STUDENT, Role.MENTOR),
            _("Free times are for students and their mentors."),
        ),
    }

    def has_permission(self, request, view) -> bool:
        roles, message = self.ROLES.get(view.action, (None, ""))
        if roles is None:
            return True
        self.message = message
        return request.user.role in roles


_SESSION_WRITE_ERRORS = {
    400: OpenApiResponse(
        description="Invalid input, or too late for it (already logged, begun), named by field."
    ),
    403: OpenApiResponse(description="Not yours to do: your role, or someone else's session."),
}


_SESSION_ACTION_ERRORS = {
    **_SESSION_WRITE_ERRORS,
    404: OpenApiResponse(description="Not a session you may see."),
}


@extend_schema_view(
    list=extend_schema(
        summary="Mentoring sessions",
        description=(
            "Scheduled sessions first (soonest first), then the others newest first. A "
            "student sees their own, a mentor those they give, a supervisor their "
            "team's, staff all. The filters only narrow that: with `mentor` and a period "
            "(`scheduled_after` inclusive, `scheduled_before` exclusive) they give the "
            "sessions behind a mentor's scorecard figure."
        ),
        parameters=[SessionFilterSerializer],
        responses={
            200: SessionSerializer(many=True),
            400: OpenApiResponse(description="Bad filter, named by field."),
        },
    ),
    retrieve=extend_schema(summary="A mentoring session"),
)
class SessionViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    queryset = MentoringSession.objects.none()  # for the schema; get_queryset applies access
    serializer_class = SessionSerializer

    def get_permissions(self):
        return [*super().get_permissions(), SessionRoles()]

    def get_queryset(self):
        user = self.request.user
        sessions = with_session_notes_readable(
            sessions_upcoming_first(sessions_visible_to(user)), user=user
        )
        if self.action == "list":
            filters = SessionFilterSerializer(
                data=self.request.query_params, context={"request": self.request}
            )
            filters.is_valid(raise_exception=True)
            wanted = filters.validated_data
            sessions = filtered(
                sessions,
                wanted,
                {
                    "status": "status",
                    "mentor": "mentor_id",
                    "student": "student_id",
                    **period_lookups("scheduled", "scheduled_at"),
                },
            )
            sessions = filtered_by_happened(sessions, wanted, {"rated": "rating"})
            upcoming = wanted.get("upcoming")
            is_upcoming = Q(status=SessionStatus.SCHEDULED, scheduled_at__gt=timezone.now())
            if upcoming is True:
                sessions = sessions.filter(is_upcoming).order_by("scheduled_at", "pk")
            elif upcoming is False:
                sessions = sessions.exclude(is_upcoming)
        return sessions

    @extend_schema(
        summary="Schedule a session (mentors)",
        description=(
            "With one of your current students, in the future. The student is told, in "
            "their own time zone."
        ),
        request=SessionScheduleSerializer,
        responses={201: SessionSerializer, **_SESSION_WRITE_ERRORS},
    )
    def create(self, request: Request) -> Response:
        form = SessionScheduleSerializer(data=request.data, context={"request": request})
        form.is_valid(raise_exception=True)
        session = session_schedule(mentor=request.user, **form.validated_data)
        return Response(self.get_serializer(session).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="Free times to book (students and mentors)",
        description=(
            "For a student, their current mentor's free times over the next `weeks` "
            "(from two hours ahead); for a mentor, their own as their students see "
            "them. `scheduled_at` is the start `book` takes; `local_start` is the same "
            "moment on the caller's clock. A time is free when one of the mentor's "
            "weekly slots falls on it, the day is not blocked out and no session of "
            "theirs overlaps it."
        ),
        parameters=[SlotFilterSerializer],
        responses={
            200: FreeSlotsSerializer,
            400: OpenApiResponse(description="Bad `weeks`, named."),
            403: OpenApiResponse(description="Neither a student nor a mentor."),
        },
    )
    @action(detail=False, methods=["get"])
    def slots(self, request: Request) -> Response:
        wanted = SlotFilterSerializer(data=request.query_params)
        wanted.is_valid(raise_exception=True)
        weeks = wanted.validated_data["weeks"]
        user = request.user
        if user.role == Role.STUDENT:
            options = booking_options(student=user, weeks=weeks)
            mentor, slots = options.mentor, options.slots
        else:
            start, end = booking_window(weeks=weeks)
            mentor, slots = user, mentor_free_slots(mentor=user, start=start, end=end)
        data = {"mentor": mentor, "time_zone": user.time_zone, "weeks": weeks, "slots": slots}
        return Response(FreeSlotsSerializer(data, context={"zone": user.zone}).data)

    @extend_schema(
        summary="Book a free time (students)",
        description=(
            "One of your current mentor's free times (`slots`), by its start. The "
            "session is scheduled for the slot's length with the mentor's call link, "
            "and both of you are told. A time someone else took first answers 400 on "
            "`scheduled_at`."
        ),
        request=SessionBookingSerializer,
        responses={201: SessionSerializer, **_SESSION_WRITE_ERRORS},
    )
    @action(detail=False, methods=["post"])
    def book(self, request: Request) -> Response:
        form = SessionBookingSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        session = book_session(student=request.user, **form.validated_data)
        return Response(self.get_serializer(session).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="Log what happened (the session's mentor)",
        description=(
            "Once per session: held, no-show (once it has begun) or a cancellation. The "
            "student reads the summary and next steps, never the private notes."
        ),
        request=SessionLogSerializer,
        responses={200: SessionSerializer, **_SESSION_ACTION_ERRORS},
    )
    @action(detail=True, methods=["post"])
    def log(self, request: Request, pk=None) -> Response:
        session = self.get_object()
        form = SessionLogSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        session = session_log(session=session, mentor=request.user, **form.validated_data)
        return Response(self.get_serializer(session).data)

    @extend_schema(
        summary="Cancel a session (its mentor or student)",
        description=(
            "A scheduled session, before it starts; its time is free to book again. A "
            "student's cancellation records the notice given (late under 24 hours: it "
            "stands, and the mentor is told it came late). The other person is told."
        ),
        request=None,
        responses={200: SessionSerializer, **_SESSION_ACTION_ERRORS},
    )
    @action(detail=True, methods=["post"])
    def cancel(self, request: Request, pk=None) -> Response:
        session = session_cancel(session=self.get_object(), by=request.user)
        return Response(self.get_serializer(session).data)

    @extend_schema(
        summary="Rate a session (its student)",
        description="A session that took place, once, from 1 to 5 with a comment.",
        request=SessionRatingSerializer,
        responses={200: SessionSerializer, **_SESSION_ACTION_ERRORS},
    )
    @action(detail=True, methods=["post"])
    def rate(self, request: Request, pk=None) -> Response:
        session = self.get_object()
        form = SessionRatingSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        session = session_rate(
            session=session,
            student=request.user,
            rating=form.validated_data["rating"],
            comment=form.validated_data["comment"],
        )
        return Response(self.get_serializer(session).data)
