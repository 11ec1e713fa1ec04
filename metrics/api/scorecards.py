"""``/api/v1/scorecards/``: mentors' scorecards for a period, as the scorecard page
shows them (``metrics.scorecards.scorecards``), to the same people: a mentor their own,
a supervisor their team's, staff every mentor's; students are refused (403). The
records behind a figure are reachable through the other list endpoints' filters
(``?mentor=``, ``?reviewed_after=``, ...), so an outside tool can recompute any of it."""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_field
from rest_framework import permissions, serializers, viewsets
from rest_framework.exceptions import NotFound
from rest_framework.request import Request
from rest_framework.response import Response

from mentorship.api_filters import IdField
from mentorship.models import Role

from ..definitions import Priority, Unit
from ..periods import Period
from ..scorecards import default_period, scorecard_mentors_visible_to, scorecards


class ScorecardFilterSerializer(serializers.Serializer):
    period = serializers.CharField(
        required=False,
        help_text=_(
            "A week (2026-W42), month (2026-10) or quarter (2026-Q4) on your calendar; "
            "the last closed month by default."
        ),
    )
    mentor = IdField(help_text=_("One mentor's scorecard (their id)."))

    def validate_period(self, value: str) -> Period:
        try:
            return Period.parse(value)
        except ValueError:
            raise serializers.ValidationError(
                _(
                    "Not a period: write a week (2026-W42), a month (2026-10) "
                    "or a quarter (2026-Q4)."
                )
            ) from None


class TrendPointSerializer(serializers.Serializer):
    period = serializers.CharField(help_text=_("The period's key."))
    value = serializers.FloatField(allow_null=True)


class MetricFigureSerializer(serializers.Serializer):
    key = serializers.CharField(source="metric.key")
    priority = serializers.ChoiceField(choices=Priority.choices, source="metric.priority")
    label = serializers.CharField(source="metric.label")
    unit = serializers.ChoiceField(choices=Unit.choices, source="metric.unit")
    higher_is_better = serializers.BooleanField(source="metric.higher_is_better")
    value = serializers.FloatField(
        allow_null=True, help_text=_("null: no data (or fewer answers than you may see).")
    )
    n = serializers.IntegerField(help_text=_("How many records the figure stands on."))
    expected = serializers.FloatField(
        allow_null=True,
        help_text=_("What was expected of the mentor's students (students' success only)."),
    )
    difference = serializers.FloatField(allow_null=True, help_text=_("value - expected"))
    percentile = serializers.FloatField(
        allow_null=True,
        help_text=_(
            "Among the mentors of the same programmes, 0-100, higher is better; null "
            "when not ranked (fewer than 3 records)."
        ),
    )
    hidden = serializers.BooleanField(
        help_text=_("A survey figure over fewer than 3 answers, hidden from the mentor.")
    )
    trend = serializers.SerializerMethodField()

    @extend_schema_field(TrendPointSerializer(many=True))
    def get_trend(self, figure) -> list[dict]:
        return [{"period": period.key, "value": value} for period, value in figure.trend]


class MentorSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    display_name = serializers.CharField(source="__str__")


class CompositesSerializer(serializers.Serializer):
    overall = serializers.FloatField(
        allow_null=True, help_text=_("The priorities weighted as staff set them, 0-100.")
    )
    student_success = serializers.FloatField(allow_null=True)
    service = serializers.FloatField(allow_null=True)
    methodology = serializers.FloatField(allow_null=True)
    self_development = serializers.FloatField(allow_null=True)
    recommendations = serializers.FloatField(allow_null=True)


class ScorecardSerializer(serializers.Serializer):
    mentor = MentorSerializer()
    period = serializers.CharField(source="period.key")
    starts_on = serializers.DateField(source="period.start")
    ends_before = serializers.DateField(
        source="period.end", help_text=_("The day after the period's last day.")
    )
    final = serializers.SerializerMethodField(
        help_text=_("False while the period is still running: figures may change.")
    )
    composites = serializers.SerializerMethodField()
    metrics = serializers.SerializerMethodField()

    def get_final(self, card) -> bool:
        return not card.live

    @extend_schema_field(CompositesSerializer)
    def get_composites(self, card) -> dict:
        scores = {group.priority: group.composite for group in card.groups}
        return {"overall": card.overall, **scores}

    @extend_schema_field(MetricFigureSerializer(many=True))
    def get_metrics(self, card) -> list[dict]:
        return [figure_data(figure) for group in card.groups for figure in group.figures]


def _number(value) -> float | None:
    return None if value is None else float(value)


def figure_data(figure) -> dict:
    """A figure as ``MetricFigureSerializer`` documents it, built directly: a page of
    50 scorecards holds some 1,500 figures, and DRF's fields cost a third of a
    millisecond each."""
    metric = figure.metric
    return {
        "key": metric.key,
        "priority": str(metric.priority),
        "label": str(metric.label),
        "unit": str(metric.unit),
        "higher_is_better": bool(metric.higher_is_better),
        "value": _number(figure.value),
        "n": int(figure.n),
        "expected": _number(figure.expected),
        "difference": _number(figure.difference),
        "percentile": _number(figure.percentile),
        "hidden": bool(figure.hidden),
        "trend": [
            {"period": period.key, "value": _number(value)} for period, value in figure.trend
        ],
    }


class MayReadScorecards(permissions.BasePermission):
    message = _("Students do not see mentors' scorecards.")

    def has_permission(self, request, view) -> bool:
        return request.user.role != Role.STUDENT


class ScorecardViewSet(viewsets.GenericViewSet):
    permission_classes = [permissions.IsAuthenticated, MayReadScorecards]
    serializer_class = ScorecardSerializer

    def get_queryset(self):
        return (
            scorecard_mentors_visible_to(self.request.user)
            .select_related("mentor_profile")
            .order_by("display_name", "email", "pk")
        )

    @extend_schema(
        summary="Mentors' scorecards",
        description=(
            "The scorecards of the mentors you may see (a mentor their own, a "
            "supervisor their team's, staff all) for one period on your calendar: each "
            "metric with its `key`, `value`, `n`, `expected`, `percentile` and `trend` "
            "over the last 6 periods, and the composite scores. Closed periods are "
            "final; the current one is computed live. `?mentor=` narrows to one mentor "
            "(404 if you may not see them). docs/metrics.md defines every metric."
        ),
        parameters=[ScorecardFilterSerializer],
        responses={
            200: ScorecardSerializer(many=True),
            400: OpenApiResponse(description="Bad filter, named by field."),
            403: OpenApiResponse(description="Students do not see scorecards."),
            404: OpenApiResponse(description="Not a mentor you may see."),
        },
    )
    def list(self, request: Request) -> Response:
        filters = ScorecardFilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        period = filters.validated_data.get("period") or default_period(request.user.zone)
        mentors = self.get_queryset()
        if "mentor" in filters.validated_data:
            mentors = mentors.filter(pk=filters.validated_data["mentor"])
            if not mentors.exists():
                raise NotFound()
        page = self.paginate_queryset(mentors)
        cards = scorecards(mentors=page, period=period, reader=request.user)
        return self.get_paginated_response(ScorecardSerializer(cards, many=True).data)
