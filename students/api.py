"""API of students (``/api/v1/students/``): profile, current mentor and progress.

Who may see a student is ``mentorship.selectors.students_visible_to`` (a student
themself, their mentor, the mentor's supervisor, staff); others get 404. Progress comes
from ``projects.selectors.students_progress``, the one place it is computed. Private
mentor notes are never part of this API.

Activity: a student's daily series (``/api/v1/students/{id}/activity/``) comes from the
daily rollup (``selectors.activity_series``). The learning platform pushes events to
``/api/v1/events/`` (staff tokens), recorded by ``services.activity_ingest``.

At-risk flags (``/api/v1/flags/``): those ``selectors.flags_visible_to`` the caller, the
reasons read out by ``selectors.flag_reasons`` as on the pages. Students are refused with
403 (a flag is for the people who look after them), as a role refused an action is
elsewhere in the API.
"""

from datetime import timedelta
from zoneinfo import ZoneInfo

from django.db.models import Prefetch, Q
from django.shortcuts import get_object_or_404
from django.utils import timezone, translation
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import (
    OpenApiResponse,
    extend_schema,
    extend_schema_field,
    extend_schema_view,
)
from rest_framework import mixins, permissions, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import JSONParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.routers import SimpleRouter

from mentorship.activity import PORTAL_SOURCE, activity_ingest
from mentorship.models import ActivityKind, Assignment, Role, StudentStatus, User
from mentorship.selectors import mentor_current_students, students_visible_to
from projects.api import PersonSerializer
from projects.selectors import ProgrammeProgress, Standing, students_progress

from . import selectors, services
from .models import (
    SESSION_OUTCOMES,
    FlagSeverity,
    FlagStatus,
    MentoringSession,
    RiskFlag,
    SessionStatus,
)
from .selectors import (
    SignalName,
    activity_series,
    flag_reasons,
    flags_in_queue_order,
    flags_visible_to,
)

# --- Serializers ----------------------------------------------------------------------


class StudentProfileSerializer(serializers.Serializer):
    goals = serializers.CharField(read_only=True)
    weekly_hours = serializers.IntegerField(read_only=True)
    status = serializers.ChoiceField(choices=StudentStatus.choices, read_only=True)


class NextProjectSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="project.pk", read_only=True)
    title = serializers.CharField(source="project.title", read_only=True)
    due_on = serializers.DateField(read_only=True, allow_null=True)
    status = serializers.CharField(read_only=True)
    attempts = serializers.IntegerField(read_only=True)
    overdue = serializers.BooleanField(read_only=True)


class ProgressSerializer(serializers.Serializer):
    """One enrolment measured against its plan (``ProgrammeProgress``)."""

    programme = serializers.SerializerMethodField()
    enrolment_status = serializers.CharField(source="enrolment.status", read_only=True)
    started_on = serializers.DateField(source="enrolment.started_on", read_only=True)
    target_end_on = serializers.DateField(source="enrolment.target_end_on", read_only=True)
    approved_count = serializers.IntegerField(read_only=True)
    project_count = serializers.SerializerMethodField()
    pace = serializers.IntegerField(
        read_only=True,
        help_text=_("Projects approved minus projects due: above zero ahead, below behind."),
    )
    standing = serializers.ChoiceField(
        choices=[
            Standing.AHEAD,
            Standing.ON_TRACK,
            Standing.BEHIND,
            Standing.PAUSED,
            Standing.FINISHED,
            Standing.STOPPED,
        ],
        read_only=True,
        help_text=_(
            "Only active students in active enrolments are judged ahead, on track or "
            "behind; otherwise paused, finished or stopped."
        ),
    )
    projects_ahead = serializers.IntegerField(read_only=True)
    projects_behind = serializers.IntegerField(read_only=True)
    days_ahead = serializers.IntegerField(read_only=True)
    days_behind = serializers.IntegerField(read_only=True)
    next_project = NextProjectSerializer(read_only=True, allow_null=True)

    @extend_schema_field(
        {
            "type": "object",
            "properties": {"id": {"type": "integer"}, "title": {"type": "string"}},
        }
    )
    def get_programme(self, progress: ProgrammeProgress) -> dict:
        programme = progress.enrolment.programme
        return {"id": programme.pk, "title": programme.title}

    def get_project_count(self, progress: ProgrammeProgress) -> int:
        return len(progress.projects)


class StudentSerializer(serializers.ModelSerializer):
    profile = serializers.SerializerMethodField()
    current_mentor = serializers.SerializerMethodField()
    progress = serializers.SerializerMethodField()

    class Meta:
        model = User
        fields = [
            "id",
            "display_name",
            "language",
            "time_zone",
            "profile",
            "current_mentor",
            "progress",
        ]
        read_only_fields = fields

    @extend_schema_field(StudentProfileSerializer(allow_null=True))
    def get_profile(self, student: User) -> dict | None:
        profile = getattr(student, "student_profile", None)
        return StudentProfileSerializer(profile).data if profile else None

    @extend_schema_field(PersonSerializer(allow_null=True))
    def get_current_mentor(self, student: User) -> dict | None:
        current = student.current_assignments
        return PersonSerializer(current[0].mentor).data if current else None

    @extend_schema_field(ProgressSerializer(many=True))
    def get_progress(self, student: User) -> list[dict]:
        progress = self.context["progress"].get(student.pk, [])
        return ProgressSerializer(progress, many=True).data


class StudentFilterSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=StudentStatus.choices, required=False)


class ActivityRangeSerializer(serializers.Serializer):
    """``?from=&to=``: the student's local days, both included."""

    MAX_DAYS = 366
    DEFAULT_DAYS = 90

    from_ = serializers.DateField(
        required=False, help_text=_("First day (default: 89 days before the last).")
    )
    to = serializers.DateField(
        required=False, help_text=_("Last day (default: today, in the student's time zone).")
    )

    def get_fields(self):
        fields = super().get_fields()
        fields["from"] = fields.pop("from_")  # a Python keyword, the name callers use
        return fields

    def validate(self, attrs):
        end = attrs.get("to") or self.context["today"]
        start = attrs.get("from") or end - timedelta(days=self.DEFAULT_DAYS - 1)
        if start > end:
            raise serializers.ValidationError({"from": [_("Must not be after to.")]})
        if (end - start).days >= self.MAX_DAYS:
            raise serializers.ValidationError(
                {"from": [_("Ask for at most %(days)d days.") % {"days": self.MAX_DAYS}]}
            )
        return {"start": start, "end": end}


class ActivityDaySerializer(serializers.Serializer):
    day = serializers.DateField(read_only=True)
    events = serializers.IntegerField(read_only=True)


class ActivityWeekSerializer(serializers.Serializer):
    week_start = serializers.DateField(read_only=True, help_text=_("The week's Monday."))
    events = serializers.IntegerField(
        read_only=True, help_text=_("Only the days of the week inside the range.")
    )


class ActivitySeriesSerializer(serializers.Serializer):
    """A student's engagement events per local day (a missed session does not count)."""

    student = serializers.IntegerField(read_only=True)
    start = serializers.DateField(read_only=True)
    end = serializers.DateField(read_only=True)
    total = serializers.IntegerField(read_only=True)
    days = ActivityDaySerializer(many=True, read_only=True, help_text=_("Every day, zeros too."))
    weeks = ActivityWeekSerializer(many=True, read_only=True)


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
        help_text=_("ISO 8601 with its UTC offset, e.g. 2026-03-01T14:30:00+03:00.")
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


# --- Views ----------------------------------------------------------------------------


@extend_schema_view(
    list=extend_schema(
        summary="Students",
        description=(
            "By name. A student sees themself; a mentor their current students; a "
            "supervisor their team's; staff all. With profile, current mentor and "
            "progress against plan for each enrolment."
        ),
        parameters=[StudentFilterSerializer],
    ),
    retrieve=extend_schema(summary="A student, with profile, mentor and progress"),
)
class StudentViewSet(viewsets.ReadOnlyModelViewSet):
    queryset = User.objects.none()  # for the schema; get_queryset applies access
    serializer_class = StudentSerializer

    def get_queryset(self):
        students = (
            students_visible_to(self.request.user)
            .select_related("student_profile")
            .prefetch_related(
                Prefetch(
                    "mentor_assignments",
                    queryset=Assignment.objects.current().select_related("mentor"),
                    to_attr="current_assignments",
                )
            )
            .order_by("display_name", "email", "pk")
        )
        if self.action == "list":
            filters = StudentFilterSerializer(data=self.request.query_params)
            filters.is_valid(raise_exception=True)
            if "status" in filters.validated_data:
                students = students.filter(
                    student_profile__status=filters.validated_data["status"]
                )
        return students

    def _serialize(self, students: list[User], *, many: bool):
        progress = students_progress(student_ids=[student.pk for student in students])
        context = {**self.get_serializer_context(), "progress": progress}
        return StudentSerializer(students if many else students[0], many=many, context=context)

    def list(self, request: Request, *args, **kwargs) -> Response:
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        return self.get_paginated_response(self._serialize(list(page), many=True).data)

    def retrieve(self, request: Request, *args, **kwargs) -> Response:
        return Response(self._serialize([self.get_object()], many=False).data)

    @extend_schema(
        summary="A student's daily activity",
        description=(
            "Engagement events per day of the student's own calendar, every day of the "
            "range with zeros, and weekly totals (Monday to Sunday). At most 366 days; "
            "by default the last 90."
        ),
        parameters=[ActivityRangeSerializer],
        responses={
            200: ActivitySeriesSerializer,
            400: OpenApiResponse(description="Bad dates, named by field."),
            404: OpenApiResponse(description="Not a student you may see."),
        },
    )
    @action(detail=True, methods=["get"])
    def activity(self, request: Request, pk=None) -> Response:
        student = get_object_or_404(students_visible_to(request.user).distinct(), pk=pk)
        today = timezone.now().astimezone(ZoneInfo(student.time_zone)).date()
        dates = ActivityRangeSerializer(data=request.query_params, context={"today": today})
        dates.is_valid(raise_exception=True)
        series = activity_series(student=student, **dates.validated_data)
        data = {
            "student": student.pk,
            "start": series.start,
            "end": series.end,
            "total": series.total,
            "days": [{"day": day, "events": events} for day, events in series.days],
            "weeks": [{"week_start": week, "events": events} for week, events in series.weeks],
        }
        return Response(ActivitySeriesSerializer(data).data)


class IsStaff(permissions.BasePermission):
    message = _("Only staff, or a token acting for staff, may push activity events.")

    def has_permission(self, request, view) -> bool:
        return request.user.role == Role.STAFF


class ActivityEventViewSet(viewsets.GenericViewSet):
    """``POST /api/v1/events/``: the learning platform's pushes."""

    serializer_class = IngestResultSerializer
    parser_classes = [JSONParser]

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


# --- At-risk flags (``/api/v1/flags/``) -----------------------------------------------


class FlagStatusFilter:
    ALL = "all"
    CHOICES = [FlagStatus.OPEN, FlagStatus.RESOLVED, ALL]


class FlagFilterSerializer(serializers.Serializer):
    status = serializers.ChoiceField(
        choices=FlagStatusFilter.CHOICES,
        required=False,
        default=FlagStatus.OPEN,
        help_text=_("open (default), resolved or all."),
    )
    severity = serializers.ChoiceField(choices=FlagSeverity.choices, required=False)


class FlagReasonSerializer(serializers.Serializer):
    """One signal behind a flag, as the job recorded it, with a sentence saying it
    (``selectors.Reason``); the worst first."""

    signal = serializers.ChoiceField(choices=SignalName.ALL, read_only=True)
    severity = serializers.ChoiceField(choices=FlagSeverity.choices, read_only=True)
    observed = serializers.FloatField(
        read_only=True,
        help_text=_(
            "Days idle, events a week, days open or late, sessions missed or reviews, "
            "depending on the signal."
        ),
    )
    baseline = serializers.FloatField(
        read_only=True,
        allow_null=True,
        help_text=_(
            "Activity drop: the student's usual events a week; stalled project: its target days."
        ),
    )
    threshold = serializers.FloatField(read_only=True, help_text=_("The threshold crossed."))
    project = serializers.CharField(
        read_only=True, help_text=_("The project a project signal is about, or empty.")
    )
    text = serializers.CharField(
        source="sentence", read_only=True, help_text=_("The reason in your language.")
    )


class RiskFlagSerializer(serializers.ModelSerializer):
    student = PersonSerializer(read_only=True)
    reasons = serializers.SerializerMethodField()

    class Meta:
        model = RiskFlag
        fields = [
            "id",
            "student",
            "status",
            "severity",
            "opened_on",
            "evaluated_on",
            "resolved_on",
            "acknowledged_at",
            "verdict",
            "recovered",
            "reasons",
        ]
        read_only_fields = fields

    @extend_schema_field(FlagReasonSerializer(many=True))
    def get_reasons(self, flag: RiskFlag) -> list[dict]:
        with translation.override(self.context["language"]):
            return FlagReasonSerializer(flag_reasons(flag), many=True).data


class MayReadFlags(permissions.BasePermission):
    message = _("Students do not see at-risk flags.")

    def has_permission(self, request, view) -> bool:
        return request.user.role != Role.STUDENT


@extend_schema_view(
    list=extend_schema(
        summary="At-risk flags",
        description=(
            "Flags on the students you look after: a mentor's current students, a "
            "supervisor's team's, every student for staff. Open flags by default, "
            "oldest unacknowledged first; each with its reasons as the nightly job "
            "recorded them and a sentence in your language. Students get 403."
        ),
        parameters=[FlagFilterSerializer],
        responses={
            200: RiskFlagSerializer(many=True),
            400: OpenApiResponse(description="Bad filter, named by field."),
            403: OpenApiResponse(description="Students do not see flags."),
        },
    ),
    retrieve=extend_schema(
        summary="An at-risk flag",
        responses={
            200: RiskFlagSerializer,
            403: OpenApiResponse(description="Students do not see flags."),
            404: OpenApiResponse(description="Not a flag you may see."),
        },
    ),
)
class RiskFlagViewSet(viewsets.ReadOnlyModelViewSet):
    queryset = RiskFlag.objects.none()  # for the schema; get_queryset applies access
    serializer_class = RiskFlagSerializer

    def get_permissions(self):
        return [*super().get_permissions(), MayReadFlags()]

    def get_queryset(self):
        flags = flags_in_queue_order(flags_visible_to(self.request.user).select_related("student"))
        if self.action == "list":
            filters = FlagFilterSerializer(data=self.request.query_params)
            filters.is_valid(raise_exception=True)
            status = filters.validated_data["status"]
            if status != FlagStatusFilter.ALL:
                flags = flags.filter(status=status)
            if "severity" in filters.validated_data:
                flags = flags.filter(severity=filters.validated_data["severity"])
        return flags

    def get_serializer_context(self) -> dict:
        # A token caller has no session language: their saved one, else Accept-Language.
        user = self.request.user
        language = getattr(user, "language", "") or translation.get_language()
        return {**super().get_serializer_context(), "language": language}


# --- Mentoring sessions (``/api/v1/sessions/``) ---------------------------------------


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


class OffsetDateTimeField(serializers.DateTimeField):
    """ISO 8601 with its UTC offset (``2026-05-04T14:00:00+02:00`` or ``...Z``): the
    caller may be a calendar whose time zone we cannot assume."""

    default_error_messages = {
        "naive": _("Give the time with its UTC offset, e.g. 2026-05-04T14:00:00+02:00."),
    }

    def to_internal_value(self, value):
        if isinstance(value, str):
            try:
                parsed = parse_datetime(value)
            except ValueError:
                parsed = None  # a malformed date: the parent field says so
            if parsed is not None and parsed.tzinfo is None:
                self.fail("naive")
        return super().to_internal_value(value)


class CurrentStudentField(serializers.PrimaryKeyRelatedField):
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
        fields = ["student", "scheduled_at", "duration_minutes", "agenda"]
        extra_kwargs = {
            "agenda": {"help_text": _("What you will go through; your student sees it. Markdown.")}
        }


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


# Who may take each action on sessions, as on the pages (``role_required``).
SESSION_ACTION_ROLES = {
    "create": ((Role.MENTOR,), _("Only mentors schedule sessions.")),
    "log": ((Role.MENTOR,), _("Only the session's mentor can log it.")),
    "cancel": (
        (Role.MENTOR, Role.STUDENT),
        _("Only the mentor or the student can cancel a session."),
    ),
    "rate": ((Role.STUDENT,), _("Only the session's student can rate it.")),
}


class MayActOnSession(permissions.BasePermission):
    """Scheduling is refused up front to other roles. Actions on a session are checked
    only once the session is found among those the caller may see, so a session they
    may not see stays a 404 and one they see but may not change is a 403. (Seen by a
    mentor or a student means it is theirs; the services check that again.)"""

    def _allows(self, request, view) -> bool:
        if view.action not in SESSION_ACTION_ROLES:
            return True
        roles, self.message = SESSION_ACTION_ROLES[view.action]
        return request.user.role in roles

    def has_permission(self, request, view) -> bool:
        return view.action != "create" or self._allows(request, view)

    def has_object_permission(self, request, view, obj) -> bool:
        return self._allows(request, view)


_SESSION_WRITE_ERRORS = {
    400: OpenApiResponse(description="Invalid input or a refused action, named by field."),
    403: OpenApiResponse(description="Your role cannot do this."),
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
            "team's, staff all."
        ),
        parameters=[SessionFilterSerializer],
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
        return [*super().get_permissions(), MayActOnSession()]

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
        session = services.session_schedule(mentor=request.user, **form.validated_data)
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
        session = services.session_log(session=session, mentor=request.user, **form.validated_data)
        return Response(self.get_serializer(session).data)

    @extend_schema(
        summary="Cancel a session (its mentor or student)",
        description=(
            "A scheduled session, before it starts. A student's cancellation records "
            "the notice given. The other person is told."
        ),
        request=None,
        responses={200: SessionSerializer, **_SESSION_ACTION_ERRORS},
    )
    @action(detail=True, methods=["post"])
    def cancel(self, request: Request, pk=None) -> Response:
        session = services.session_cancel(session=self.get_object(), by=request.user)
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
        session = services.session_rate(
            session=session,
            student=request.user,
            rating=form.validated_data["rating"],
            comment=form.validated_data["comment"],
        )
        return Response(self.get_serializer(session).data)


router = SimpleRouter()
router.register("students", StudentViewSet, basename="student")
router.register("events", ActivityEventViewSet, basename="event")
router.register("flags", RiskFlagViewSet, basename="flag")
router.register("sessions", SessionViewSet, basename="session")
urlpatterns = router.urls
