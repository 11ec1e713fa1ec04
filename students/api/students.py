"""``/api/v1/students/``: profile (with the current status and since when), last
activity, current mentor and progress, each student's activity series, and staff's
record of a change of status (``POST .../status/``, through
``mentorship.services.student_status_set``).

Who may see a student is ``mentorship.selectors.students_visible_to`` (a student
themself, their mentor, the mentor's supervisor, staff); others get 404. Progress comes
from ``projects.selectors.students_progress``, the one place it is computed. Private
mentor notes are never part of this API. The last activity
(``mentorship.activity.last_active_on``) and the activity series
(``students.charts.activity_series``) come from the daily rollup."""

from datetime import timedelta
from zoneinfo import ZoneInfo

from django.db.models import Prefetch
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import (
    OpenApiResponse,
    extend_schema,
    extend_schema_field,
    extend_schema_view,
)
from rest_framework import permissions, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.generics import get_object_or_404
from rest_framework.request import Request
from rest_framework.response import Response

from mentorship.activity import last_active_on
from mentorship.api_filters import IdField
from mentorship.models import Assignment, Role, StudentProfile, StudentStatus, User
from mentorship.selectors import (
    PEOPLE_SEARCH_MAX_LENGTH,
    people_matching,
    student_status_history,
    student_status_since,
    students_mentored_by,
    students_visible_to,
)
from mentorship.services import student_status_set
from projects.api import PersonSerializer
from projects.selectors import ProgrammeProgress, Standing, students_progress

from ..charts import activity_series


class StudentProfileSerializer(serializers.Serializer):
    goals = serializers.CharField(read_only=True)
    weekly_hours = serializers.IntegerField(read_only=True)
    status = serializers.ChoiceField(choices=StudentStatus.choices, read_only=True)
    status_since = serializers.DateField(
        read_only=True,
        help_text=_(
            "The student's local day the current status took effect (the day they "
            "joined if it never changed)."
        ),
    )


class StatusChangeSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=StudentStatus.choices, read_only=True)
    effective_on = serializers.DateField(
        read_only=True, help_text=_("The student's local day it took effect.")
    )
    reason = serializers.CharField(read_only=True)
    recorded_by = PersonSerializer(
        read_only=True, allow_null=True, help_text=_("Empty when the portal recorded it.")
    )
    recorded_at = serializers.DateTimeField(read_only=True)


class StudentStatusSerializer(serializers.Serializer):
    """A student's current status, since when, and every change, newest first."""

    student = serializers.IntegerField(read_only=True)
    status = serializers.ChoiceField(choices=StudentStatus.choices, read_only=True)
    status_since = serializers.DateField(read_only=True)
    history = StatusChangeSerializer(many=True, read_only=True)


class StatusChangeInSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=StudentStatus.choices)
    effective_on = serializers.DateField(
        required=False,
        help_text=_(
            "The student's local day the status took effect: today by default, may be "
            "in the past, never in the future."
        ),
    )
    reason = serializers.CharField(required=False, allow_blank=True, default="")


class MayRecordStatus(permissions.BasePermission):
    """Only staff record a student's status. Checked once the student is found among
    those the caller may see, so a student they may not see stays a 404 and one they
    see is a 403."""

    message = _("Only staff can record a student's status.")

    def has_object_permission(self, request, view, obj) -> bool:
        return view.action != "record_status" or request.user.role == Role.STAFF


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
    last_active_on = serializers.DateField(
        read_only=True,
        allow_null=True,
        help_text=_(
            "The student's last active day, in their own calendar: the last day with any "
            "activity (a submission, a review read, a session attended, a sign-in, the "
            "learning platform's events). Null if none yet."
        ),
    )
    # Nested serializers declared once, not built for each row: a ModelSerializer made
    # per row reads its model's fields and their translated labels every time, which
    # cost more than the rest of the page together. ``StudentViewSet._serialize``
    # puts what they read on each student.
    profile = StudentProfileSerializer(source="api_profile", read_only=True, allow_null=True)
    current_mentor = PersonSerializer(source="api_current_mentor", read_only=True, allow_null=True)
    progress = ProgressSerializer(source="api_progress", many=True, read_only=True)

    class Meta:
        model = User
        fields = [
            "id",
            "display_name",
            "language",
            "time_zone",
            "last_active_on",
            "profile",
            "current_mentor",
            "progress",
        ]
        read_only_fields = fields


def _api_profile(student: User) -> dict | None:
    """What ``StudentProfileSerializer`` shows of a student: their profile, with since
    when their status holds (the day they joined if it never changed)."""
    profile = getattr(student, "student_profile", None)
    if profile is None:
        return None
    since = student.status_since or timezone.localdate(student.date_joined, student.zone)
    return {
        "goals": profile.goals,
        "weekly_hours": profile.weekly_hours,
        "status": profile.status,
        "status_since": since,
    }


class StudentFilterSerializer(serializers.Serializer):
    search = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=PEOPLE_SEARCH_MAX_LENGTH,
        help_text=_(
            "Words found in the student's display name or e-mail address, in any case "
            "(the student list's search)."
        ),
    )
    mentor = IdField(help_text=_("Only the students this mentor looks after now."))
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


@extend_schema_view(
    list=extend_schema(
        summary="Students",
        description=(
            "By name; found by name or e-mail with ?search=, by current mentor with "
            "?mentor=. A student sees themself; a mentor their current students; a "
            "supervisor their team's; staff all. With profile, last active day, current "
            "mentor and progress against plan for each enrolment."
        ),
        parameters=[StudentFilterSerializer],
    ),
    retrieve=extend_schema(summary="A student, with profile, last activity, mentor and progress"),
)
class StudentViewSet(viewsets.ReadOnlyModelViewSet):
    queryset = User.objects.none()  # for the schema; get_queryset applies access
    serializer_class = StudentSerializer

    def get_permissions(self):
        return [*super().get_permissions(), MayRecordStatus()]

    def get_queryset(self):
        students = (
            students_visible_to(self.request.user)
            .select_related("student_profile")
            .annotate(status_since=student_status_since(), last_active_on=last_active_on())
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
            wanted = filters.validated_data
            students = people_matching(students, wanted.get("search", ""))
            if "mentor" in wanted:
                students = students_mentored_by(students, mentor_id=wanted["mentor"])
            if "status" in wanted:
                students = students.filter(student_profile__status=wanted["status"])
        return students

    def _serialize(self, students: list[User], *, many: bool):
        """The students with their progress, computed for all of them at once
        (``students_progress``), and what the nested serializers read."""
        progress = students_progress(student_ids=[student.pk for student in students])
        for student in students:
            current = student.current_assignments
            student.api_current_mentor = current[0].mentor if current else None
            student.api_profile = _api_profile(student)
            student.api_progress = progress.get(student.pk, [])
        context = self.get_serializer_context()
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

    @extend_schema(
        summary="Record a change of a student's status (staff)",
        description=(
            "Active, paused, graduated or dropped, from a day of the student's own "
            "calendar: today by default, or an earlier day (a withdrawal learnt of "
            "late), never a later one. A change dated before a later one is kept as "
            "history and does not become the current status. Answers with the current "
            "status and the whole history."
        ),
        request=StatusChangeInSerializer,
        responses={
            201: StudentStatusSerializer,
            400: OpenApiResponse(description="Bad status or date, named by field."),
            403: OpenApiResponse(description="Only staff record a status."),
            404: OpenApiResponse(description="Not a student you may see."),
        },
    )
    @action(detail=True, methods=["post"], url_path="status", url_name="status")
    def record_status(self, request: Request, pk=None) -> Response:
        student = self.get_object()
        change = StatusChangeInSerializer(data=request.data)
        change.is_valid(raise_exception=True)
        profile, _created = StudentProfile.objects.get_or_create(user=student)
        student_status_set(profile=profile, by=request.user, **change.validated_data)
        since = (
            User.objects.filter(pk=student.pk)
            .annotate(since=student_status_since())
            .values_list("since", flat=True)
            .get()
        )
        data = {
            "student": student.pk,
            "status": profile.status,
            "status_since": since or timezone.localdate(student.date_joined, student.zone),
            "history": student_status_history(student=student),
        }
        return Response(StudentStatusSerializer(data).data, status=status.HTTP_201_CREATED)
