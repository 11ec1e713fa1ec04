"""``/api/v1/flags/``: the at-risk flags ``flags_visible_to`` the caller, their
reasons read out by ``flag_reasons`` as on the pages. Students are refused with 403 (a
flag is for the people who look after them), as a role refused an action is elsewhere
in the API."""

from django.utils import translation
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import (
    OpenApiResponse,
    extend_schema,
    extend_schema_field,
    extend_schema_view,
)
from rest_framework import permissions, serializers, viewsets

from mentorship.api_filters import (
    IdField,
    MomentField,
    filtered,
    filtered_by_happened,
    filtered_by_mentor_then,
    period_lookups,
    yes_no_field,
)
from mentorship.models import Role
from projects.api import PersonSerializer

from ..flags import flag_reasons, flags_in_queue_order, flags_visible_to
from ..models import FlagSeverity, FlagStatus, FlagVerdict, RiskFlag
from ..risk.signals import SignalName


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
    mentor = IdField(
        help_text=_("A mentor's id: the flags opened while the student was theirs."),
    )
    opened_after = MomentField(
        required=False, help_text=_("Flags opened at or after this moment (inclusive).")
    )
    opened_before = MomentField(
        required=False, help_text=_("Flags opened before this moment (exclusive).")
    )
    acknowledged = yes_no_field(
        _("true: acknowledged flags; false: those nobody has acknowledged yet.")
    )


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
    # Blank until someone says whether the flag was useful: published with "" among
    # its values, as it is sent.
    verdict = serializers.ChoiceField(
        choices=FlagVerdict.choices, allow_blank=True, read_only=True
    )
    reasons = serializers.SerializerMethodField()
    reasons_as_of = serializers.DateField(
        read_only=True,
        help_text=_(
            "The day the reasons speak of: the last evaluation that found signals "
            "(later, clear evaluations move evaluated_on, not this)."
        ),
    )

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
            "reasons_as_of",
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
            "recorded them and a sentence in your language. Students get 403. The "
            "filters only narrow that: with `status=all`, `mentor` and a period "
            "(`opened_after` inclusive, `opened_before` exclusive) they give the flags "
            "behind a mentor's scorecard figure, resolved ones included."
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
            filters = FlagFilterSerializer(
                data=self.request.query_params, context={"request": self.request}
            )
            filters.is_valid(raise_exception=True)
            wanted = filters.validated_data
            if wanted["status"] != FlagStatusFilter.ALL:
                flags = flags.filter(status=wanted["status"])
            # A flag is opened when the nightly job creates it.
            flags = filtered(
                flags,
                wanted,
                {"severity": "severity", **period_lookups("opened", "created_at")},
            )
            flags = filtered_by_happened(flags, wanted, {"acknowledged": "acknowledged_at"})
            flags = filtered_by_mentor_then(flags, wanted, at="created_at")
        return flags

    def get_serializer_context(self) -> dict:
        # A token caller has no session language: their saved one, else Accept-Language.
        user = self.request.user
        language = getattr(user, "language", "") or translation.get_language()
        return {**super().get_serializer_context(), "language": language}
