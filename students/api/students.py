"""``/api/v1/students/``: profile, last activity, current mentor and progress, and each
student's activity series.

Who may see a student is ``mentorship.selectors.students_visible_to`` (a student
themself, their mentor, the mentor's supervisor, staff); others get 404. Progress comes
from ``projects.selectors.students_progress``, the one place it is computed. Private
mentor notes are never part of this API. The last activity
(``mentorship.activity.last_active_on``) and the activity series
(``students.charts.activity_series``) come from the daily rollup."""

from datetime import timedelta
from zoneinfo import ZoneInfo

from django.db.models import Prefetch
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import (
    OpenApiResponse,
    extend_schema,
    extend_schema_field,
    extend_schema_view,
)
from rest_framework import serializers, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from mentorship.activity import last_active_on
from mentorship.models import Assignment, StudentStatus, User
from mentorship.selectors import students_visible_to
from projects.api import PersonSerializer
from projects.selectors import ProgrammeProgress, Standing, students_progress

from ..charts import activity_series


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
    last_active_on = serializers.DateField(
        read_only=True,
        allow_null=True,
        help_text=_(
            "The student's last active day, in their own calendar: the last day with any "
            "activity (a submission, a review read, a session attended, a sign-in, the "
            "learning platform's events). Null if none yet."
        ),
    )
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
            "last_active_on",
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


@extend_schema_view(
    list=extend_schema(
        summary="Students",
        description=(
            "By name. A student sees themself; a mentor their current students; a "
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

    def get_queryset(self):
        students = (
            students_visible_to(self.request.user)
            .select_related("student_profile")
            .annotate(last_active_on=last_active_on())
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
