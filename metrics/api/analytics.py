"""``/api/v1/programmes/{id}/analytics/``: where students struggle in a programme,
for staff, over a period or all time (the figures are ``metrics.analytics``, the same
as the page's). Anyone else is refused (403); an unknown programme is 404; a bad
``?period=`` is a 400 naming the field."""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import permissions, serializers
from rest_framework.decorators import api_view, permission_classes
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response

from .. import analytics
from ..analytics import ANALYTICS_ROLES
from ..forms import PeriodField
from ..periods import Period

# --- Input ----------------------------------------------------------------------------


class AnalyticsQuerySerializer(serializers.Serializer):
    period = serializers.CharField(
        required=False,
        allow_blank=True,
        help_text=_(
            "A month (2026-10), a quarter (2026-Q4) or a week (2026-W42), on the caller's "
            "calendar (their time zone); all time when left out."
        ),
    )

    def validate_period(self, key: str) -> Period | None:
        if not key:
            return None
        try:
            return Period.parse(key)
        except ValueError:
            raise serializers.ValidationError(
                PeriodField.default_error_messages["invalid"]
            ) from None


# --- Output ---------------------------------------------------------------------------


class AnalyticsPeriodSerializer(serializers.Serializer):
    key = serializers.CharField(read_only=True)
    label = serializers.CharField(read_only=True)
    start = serializers.DateTimeField(read_only=True, help_text=_("The first moment of it."))
    end = serializers.DateTimeField(read_only=True, help_text=_("The first moment after it."))


class AnalyticsProgrammeSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="pk", read_only=True)
    title = serializers.CharField(read_only=True)


class AttemptsSerializer(serializers.Serializer):
    median = serializers.FloatField(read_only=True, allow_null=True)
    mean = serializers.FloatField(read_only=True, allow_null=True)
    n = serializers.IntegerField(read_only=True, help_text=_("Approvals in the period."))


class ShareSerializer(serializers.Serializer):
    not_met = serializers.IntegerField(source="count", read_only=True)
    n = serializers.IntegerField(read_only=True, help_text=_("Verdicts given in the period."))
    rate = serializers.FloatField(
        read_only=True, allow_null=True, help_text=_("not_met / n; null without verdicts.")
    )


class DaysToApprovalSerializer(serializers.Serializer):
    median = serializers.FloatField(source="days.median", read_only=True, allow_null=True)
    n = serializers.IntegerField(source="days.n", read_only=True)
    target_days = serializers.IntegerField(source="project.target_days", read_only=True)
    ratio = serializers.FloatField(
        source="days_ratio",
        read_only=True,
        allow_null=True,
        help_text=_("The median over the target: 1.0 is on target."),
    )


class DifficultySerializer(serializers.Serializer):
    mean = serializers.FloatField(read_only=True, allow_null=True)
    n = serializers.IntegerField(read_only=True, help_text=_("Ratings given in the period."))


class RanksSerializer(serializers.Serializer):
    """Each measure's rank among the programme's projects, 0 easiest to 1 hardest;
    null when the measure ranks nobody (fewer than two projects with data, or all
    equal)."""

    attempts = serializers.FloatField(read_only=True, allow_null=True)
    rejections = serializers.FloatField(read_only=True, allow_null=True)
    days = serializers.FloatField(read_only=True, allow_null=True)
    questions = serializers.FloatField(read_only=True, allow_null=True)
    difficulty = serializers.FloatField(read_only=True, allow_null=True)
    dropouts = serializers.FloatField(read_only=True, allow_null=True)


class CriterionAnalyticsSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="criterion.pk", read_only=True)
    project = serializers.IntegerField(source="project.pk", read_only=True)
    position = serializers.IntegerField(source="criterion.position", read_only=True)
    title = serializers.CharField(source="criterion.title", read_only=True)
    not_met = ShareSerializer(source="rejections", read_only=True)
    rank = serializers.FloatField(read_only=True, allow_null=True)


class ProjectAnalyticsSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="project.pk", read_only=True)
    position = serializers.IntegerField(source="project.position", read_only=True)
    title = serializers.CharField(source="project.title", read_only=True)
    hardness = serializers.FloatField(
        read_only=True,
        allow_null=True,
        help_text=_("The mean of the measures' ranks, 0 to 1; null when none ranks it."),
    )
    hardest_position = serializers.IntegerField(
        read_only=True, help_text=_("1 for the programme's hardest project.")
    )
    attempts = AttemptsSerializer(read_only=True, help_text=_("Attempts to approval."))
    criteria_not_met = ShareSerializer(source="rejections", read_only=True)
    days_to_approval = DaysToApprovalSerializer(source="*", read_only=True)
    questions = serializers.IntegerField(read_only=True, help_text=_("Asked in the period."))
    difficulty = DifficultySerializer(read_only=True)
    dropouts = serializers.IntegerField(read_only=True)
    ranks = RanksSerializer(read_only=True)
    criteria = CriterionAnalyticsSerializer(many=True, read_only=True)


class SurveyAnalyticsSerializer(serializers.Serializer):
    score_mean = serializers.FloatField(
        source="score.mean",
        read_only=True,
        allow_null=True,
        help_text=_('Mean "would recommend" score, 0 to 10; null without answers.'),
    )
    answers = serializers.IntegerField(source="score.n", read_only=True)
    continuing = serializers.IntegerField(
        source="continuing.count", read_only=True, help_text=_("Answers planning to continue.")
    )
    said_whether_continuing = serializers.IntegerField(
        source="continuing.n",
        read_only=True,
        help_text=_("Answers that said whether the student plans to continue."),
    )


class ProgrammeAnalyticsSerializer(serializers.Serializer):
    programme = AnalyticsProgrammeSerializer(read_only=True)
    period = AnalyticsPeriodSerializer(
        read_only=True, allow_null=True, help_text=_("Null for all time.")
    )
    time_zone = serializers.CharField(
        read_only=True, help_text=_("The calendar the period and the days are read on.")
    )
    projects = ProjectAnalyticsSerializer(
        many=True, read_only=True, help_text=_("In the programme's order.")
    )
    hardest_first = serializers.ListField(
        child=serializers.IntegerField(),
        read_only=True,
        help_text=_("The projects' ids, the hardest first."),
    )
    criteria_hardest_first = CriterionAnalyticsSerializer(
        many=True, read_only=True, help_text=_("Every criterion, the most often not met first.")
    )
    survey = SurveyAnalyticsSerializer(
        read_only=True, help_text=_("What the programme's students said in the survey.")
    )


# --- The endpoint ---------------------------------------------------------------------


class SeesProgrammeAnalytics(permissions.BasePermission):
    message = _("Only staff see programme analytics.")

    def has_permission(self, request, view) -> bool:
        return request.user.role in ANALYTICS_ROLES


@extend_schema(
    summary="A programme's analytics (staff)",
    description=(
        "Where students struggle in a programme, per project: attempts to approval, "
        "criteria not met, days to approval against the target, questions asked, "
        "difficulty ratings and drop-outs, each with the number of records behind it "
        "(null, never 0, without data), ranked into a hardness; and the rubric "
        "criteria, the most often not met first. Over a period on the caller's calendar, "
        "or all time."
    ),
    parameters=[AnalyticsQuerySerializer],
    responses={
        200: ProgrammeAnalyticsSerializer,
        400: OpenApiResponse(description="Not a period."),
        403: OpenApiResponse(description="Only staff see programme analytics."),
        404: OpenApiResponse(description="No such programme."),
    },
)
@api_view(["GET"])
@permission_classes([IsAuthenticated, SeesProgrammeAnalytics])
def programme_analytics(request: Request, id: int) -> Response:
    programme = analytics.programme_for_analytics(request.user, id)
    query = AnalyticsQuerySerializer(data=request.query_params)
    query.is_valid(raise_exception=True)
    period = query.validated_data.get("period")
    zone = request.user.zone
    start, end = period.bounds(zone) if period else (None, None)
    figures = analytics.programme_analytics(programme=programme, start=start, end=end, zone=zone)
    data = {
        "programme": programme,
        "period": (
            {"key": period.key, "label": period.label, "start": start, "end": end}
            if period
            else None
        ),
        "time_zone": str(zone),
        "projects": figures.projects,
        "hardest_first": [row.project.pk for row in figures.hardest_first],
        "criteria_hardest_first": figures.criteria_hardest_first,
        "survey": figures.survey,
    }
    return Response(ProgrammeAnalyticsSerializer(data).data)
