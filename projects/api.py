"""API of the review loop (``/api/v1/programmes/``, ``/projects/``, ``/submissions/``).

The same access rules as the pages (``selectors``): a student reads the programmes and
projects they are enrolled in and their own submissions; reviewers read what
``submissions_visible_to`` lets them. Objects outside those rules answer 404. Writes go
through the same services as the pages; their ValidationErrors become JSON errors
naming the field (``mentorship.api_errors``).
"""

from django.db.models import Prefetch
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import (
    OpenApiResponse,
    extend_schema,
    extend_schema_view,
)
from rest_framework import mixins, permissions, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.pagination import CursorPagination
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response

from mentorship.api_fields import OptionalUrlField
from mentorship.api_filters import (
    IdField,
    IdRelatedField,
    MomentField,
    filtered,
    filtered_by_mentor_then,
    period_lookups,
)
from mentorship.api_routers import IdRouter
from mentorship.models import Role, User

from . import selectors, services
from .models import (
    CriterionVerdict,
    Programme,
    Project,
    Review,
    RubricCriterion,
    Submission,
    SubmissionFile,
    SubmissionStatus,
    Verdict,
)

# --- Serializers ----------------------------------------------------------------------


class PersonSerializer(serializers.ModelSerializer):
    class Meta:
        model = User
        fields = ["id", "display_name"]
        read_only_fields = fields


class ProgrammeSerializer(serializers.ModelSerializer):
    project_count = serializers.IntegerField(read_only=True)

    class Meta:
        model = Programme
        fields = ["id", "slug", "title", "description", "is_active", "project_count"]
        read_only_fields = fields


class RubricCriterionSerializer(serializers.ModelSerializer):
    class Meta:
        model = RubricCriterion
        fields = ["id", "position", "title", "met_means"]
        read_only_fields = fields


class ProjectSerializer(serializers.ModelSerializer):
    allowed_file_types = serializers.SerializerMethodField()
    criteria = RubricCriterionSerializer(many=True, read_only=True)

    class Meta:
        model = Project
        fields = [
            "id",
            "programme",
            "position",
            "title",
            "brief",
            "effort_hours",
            "target_days",
            "deliverable",
            "allowed_file_types",
            "max_file_size_mb",
            "criteria",
        ]
        read_only_fields = fields
        extra_kwargs = {"brief": {"help_text": _("Markdown.")}}

    def get_allowed_file_types(self, project: Project) -> list[str]:
        return sorted(project.allowed_extensions)


class ProjectSummarySerializer(serializers.ModelSerializer):
    class Meta:
        model = Project
        fields = ["id", "programme", "position", "title"]
        read_only_fields = fields


class SubmissionFileSerializer(serializers.ModelSerializer):
    name = serializers.CharField(source="original_name", read_only=True)
    url = serializers.SerializerMethodField(help_text=_("Download (access checked)."))

    class Meta:
        model = SubmissionFile
        fields = ["id", "name", "size", "content_type", "url"]
        read_only_fields = fields

    def get_url(self, file: SubmissionFile) -> str:
        path = reverse("projects:file", args=[file.pk])
        request = self.context.get("request")
        return request.build_absolute_uri(path) if request else path


class CriterionVerdictSerializer(serializers.ModelSerializer):
    title = serializers.CharField(source="criterion.title", read_only=True)

    class Meta:
        model = CriterionVerdict
        fields = ["criterion", "title", "met", "comment"]
        read_only_fields = fields


class ReviewSerializer(serializers.ModelSerializer):
    reviewer = PersonSerializer(read_only=True)
    verdicts = CriterionVerdictSerializer(many=True, read_only=True)

    class Meta:
        model = Review
        fields = ["id", "reviewer", "verdict", "feedback", "created_at", "verdicts"]
        read_only_fields = fields


class SubmissionSerializer(serializers.ModelSerializer):
    student = PersonSerializer(read_only=True)
    link = OptionalUrlField(
        read_only=True, help_text=_("The work's link, or empty when the files are the work.")
    )
    project = ProjectSummarySerializer(read_only=True)
    claimed_by = PersonSerializer(read_only=True, allow_null=True)
    files = SubmissionFileSerializer(many=True, read_only=True)
    # Declared once, not made per row (a page of reviewed submissions spent 60 % of
    # its time deep-copying a new ReviewSerializer's fields); no review reads as null
    # (the reverse one-to-one's DoesNotExist is an AttributeError, which DRF maps to
    # None for a field that allows it).
    review = ReviewSerializer(read_only=True, allow_null=True)

    class Meta:
        model = Submission
        fields = [
            "id",
            "student",
            "project",
            "attempt",
            "status",
            "comment",
            "link",
            "submitted_at",
            "claimed_by",
            "claim_expires_at",
            "reviewed_at",
            "files",
            "review",
        ]
        read_only_fields = fields


class SubmissionCreateSerializer(serializers.Serializer):
    project = IdRelatedField(queryset=Project.objects.none())
    files = serializers.ListField(
        child=serializers.FileField(allow_empty_file=True),
        required=False,
        default=list,
        help_text=_("One or more files (repeat the field)."),
    )
    link = serializers.URLField(required=False, allow_blank=True, default="", max_length=500)
    comment = serializers.CharField(required=False, allow_blank=True, default="")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        request = self.context.get("request")
        if request is not None:
            # Only projects the student may see: others are "not found", not "forbidden".
            self.fields["project"].queryset = selectors.projects_visible_to(request.user)


class CriterionInputSerializer(serializers.Serializer):
    criterion = serializers.IntegerField(help_text=_("A rubric criterion of the project."))
    met = serializers.BooleanField()
    comment = serializers.CharField(required=False, allow_blank=True, default="")


class ReviewInputSerializer(serializers.Serializer):
    verdict = serializers.ChoiceField(choices=Verdict.choices)
    feedback = serializers.CharField(allow_blank=True, help_text=_("Markdown."))
    criteria = serializers.ListField(child=CriterionInputSerializer(), allow_empty=True)

    def validate_criteria(self, items: list[dict]) -> dict[int, services.CriterionInput]:
        rubric = self.context["rubric"]
        given = [item["criterion"] for item in items]
        if len(given) != len(set(given)):
            raise ValidationError(_("Give each criterion one verdict."))
        unknown = sorted(set(given) - rubric)
        if unknown:
            raise ValidationError(
                _("Not a criterion of this project: %(ids)s.")
                % {"ids": ", ".join(str(pk) for pk in unknown)}
            )
        return {
            item["criterion"]: services.CriterionInput(met=item["met"], comment=item["comment"])
            for item in items
        }


class SubmissionFilterSerializer(serializers.Serializer):
    """The list's filters; those after ``project`` fetch the attempts behind a
    scorecard's figure (``mentorship.api_filters``)."""

    status = serializers.ChoiceField(choices=SubmissionStatus.choices, required=False)
    project = IdField()
    mentor = IdField(
        help_text=_("A mentor's id: the attempts submitted while the student was theirs."),
    )
    mentor_when_reviewed = IdField(
        help_text=_(
            "A mentor's id: the attempts reviewed while the student was theirs (the "
            "projects approved behind a scorecard count by the moment of approval)."
        ),
    )
    reviewer = IdField(help_text=_("A reviewer's id: the attempts they reviewed."))
    student = IdField(help_text=_("A student's id."))
    attempt = IdField(help_text=_("The attempt's number: 1 for first attempts."))
    verdict = serializers.ChoiceField(
        choices=Verdict.choices, required=False, help_text=_("The review's verdict.")
    )
    submitted_after = MomentField(
        required=False, help_text=_("Attempts submitted at or after this moment (inclusive).")
    )
    submitted_before = MomentField(
        required=False, help_text=_("Attempts submitted before this moment (exclusive).")
    )
    reviewed_after = MomentField(
        required=False,
        help_text=_("Attempts whose review was posted at or after this moment (inclusive)."),
    )
    reviewed_before = MomentField(
        required=False,
        help_text=_("Attempts whose review was posted before this moment (exclusive)."),
    )


class ProjectFilterSerializer(serializers.Serializer):
    programme = IdField()


# --- Permissions ----------------------------------------------------------------------


class IsStudent(permissions.BasePermission):
    message = _("Only students can submit projects.")

    def has_permission(self, request, view) -> bool:
        return request.user.role == Role.STUDENT


class IsReviewer(permissions.BasePermission):
    message = _("Only mentors, supervisors and staff review submissions.")

    def has_permission(self, request, view) -> bool:
        return request.user.role in (Role.MENTOR, Role.SUPERVISOR, Role.STAFF)


# --- Paging ---------------------------------------------------------------------------


class SubmissionPagination(CursorPagination):
    """The submissions list, newest first, a page at a time by a cursor: ``next`` and
    ``previous`` are links carrying ``?cursor=``. Each page is read from the index on
    ``(submitted_at, id)`` where the previous one ended, however deep; there is no
    ``page`` number and ``count`` is null, since counting staff's million submissions
    costs more than the page itself."""

    ordering = ("-submitted_at", "-id")

    def paginate_queryset(self, queryset, request, view=None):
        # A client still asking for ``?page=N`` would get the first page again and
        # again; tell it instead.
        if "page" in request.query_params:
            raise ValidationError({"page": [_("This list is paged by cursor: follow `next`.")]})
        # The page is found among the submissions alone, then its rows are read with
        # what they show. Joined first, PostgreSQL would either join every submission
        # a mentor may see before sorting them or walk the newest-first index through
        # everyone else's until it had a page (0.65 s on the benchmark's data).
        found = super().paginate_queryset(
            queryset.select_related(None).prefetch_related(None).only("submitted_at"),
            request,
            view,
        )
        if found is None:
            return None
        rows = queryset.order_by().in_bulk([submission.pk for submission in found])
        self.page = [rows[submission.pk] for submission in found]
        return self.page

    def get_paginated_response(self, data):
        return Response(
            {
                "count": None,
                "next": self.get_next_link(),
                "previous": self.get_previous_link(),
                "results": data,
            }
        )

    def get_paginated_response_schema(self, schema):
        paged = super().get_paginated_response_schema(schema)
        paged["properties"] = {
            "count": {
                "type": "integer",
                "nullable": True,
                "example": None,
                "description": "Always null: follow `next` until it is null.",
            },
            **paged["properties"],
        }
        return paged


# --- Views ----------------------------------------------------------------------------


@extend_schema_view(
    list=extend_schema(summary="Programmes", description="A student sees their own."),
    retrieve=extend_schema(summary="A programme"),
)
class ProgrammeViewSet(viewsets.ReadOnlyModelViewSet):
    queryset = Programme.objects.none()  # for the schema; get_queryset applies access
    serializer_class = ProgrammeSerializer

    def get_queryset(self):
        return selectors.programmes_for_user(self.request.user).order_by("title", "pk")


@extend_schema_view(
    list=extend_schema(
        summary="Projects",
        description="With their rubric. A student sees their programmes' projects.",
        parameters=[ProjectFilterSerializer],
    ),
    retrieve=extend_schema(summary="A project"),
)
class ProjectViewSet(viewsets.ReadOnlyModelViewSet):
    queryset = Project.objects.none()  # for the schema; get_queryset applies access
    serializer_class = ProjectSerializer

    def get_queryset(self):
        projects = (
            selectors.projects_visible_to(self.request.user)
            .prefetch_related(
                Prefetch("criteria", queryset=RubricCriterion.objects.order_by("position"))
            )
            .order_by("programme__title", "position")
        )
        if self.action == "list":
            filters = ProjectFilterSerializer(data=self.request.query_params)
            filters.is_valid(raise_exception=True)
            if "programme" in filters.validated_data:
                projects = projects.filter(programme_id=filters.validated_data["programme"])
        return projects


@extend_schema_view(
    list=extend_schema(
        summary="Submissions",
        description=(
            "Newest first. A student sees their own; a mentor their current students' "
            "and any they hold; a supervisor their team's; staff all. The filters only "
            "narrow that: with `mentor` and a period (`submitted_after` inclusive, "
            "`submitted_before` exclusive; or `reviewed_...` by the review's time) they "
            "give the attempts behind a mentor's scorecard figure. Paged by a cursor: "
            "follow `next` (a link with `cursor=`) until it is null; `count` is null "
            "and `page` is refused."
        ),
        parameters=[SubmissionFilterSerializer],
        responses={
            200: SubmissionSerializer(many=True),
            400: OpenApiResponse(description="Bad filter, named by field."),
        },
    ),
    retrieve=extend_schema(
        summary="A submission, with its files and review",
        description=(
            "The student reading the review of their own attempt here counts as their "
            "activity, as on the attempt's page."
        ),
    ),
)
class SubmissionViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    queryset = Submission.objects.none()  # for the schema; get_queryset applies access
    serializer_class = SubmissionSerializer
    parser_classes = [JSONParser, MultiPartParser, FormParser]
    pagination_class = SubmissionPagination

    def get_permissions(self):
        extra = {"create": [IsStudent()], "review": [IsReviewer()]}.get(self.action, [])
        return [*super().get_permissions(), *extra]

    def get_queryset(self):
        # A list reads the ids of the students and mentors in view first, so the
        # page is found by index (``submissions_visible_to``); one object needs not.
        visible = selectors.submissions_visible_to(
            self.request.user, ids_read_now=self.action == "list"
        )
        submissions = (
            visible.select_related(
                "student", "project", "claimed_by", "review", "review__reviewer"
            )
            .prefetch_related(
                "files",
                Prefetch(
                    "review__verdicts",
                    queryset=CriterionVerdict.objects.select_related("criterion"),
                ),
            )
            .order_by("-submitted_at", "-pk")
        )
        if self.action == "list":
            filters = SubmissionFilterSerializer(
                data=self.request.query_params, context={"request": self.request}
            )
            filters.is_valid(raise_exception=True)
            wanted = filters.validated_data
            submissions = filtered(
                submissions,
                wanted,
                {
                    "status": "status",
                    "project": "project_id",
                    "reviewer": "review__reviewer_id",
                    "student": "student_id",
                    "attempt": "attempt",
                    "verdict": "review__verdict",
                    **period_lookups("submitted", "submitted_at"),
                    **period_lookups("reviewed", "review__created_at"),
                },
            )
            submissions = filtered_by_mentor_then(submissions, wanted, at="submitted_at")
            submissions = filtered_by_mentor_then(
                submissions, wanted, at="review__created_at", key="mentor_when_reviewed"
            )
        return submissions

    def retrieve(self, request: Request, *args, **kwargs) -> Response:
        submission = self.get_object()
        # The student reading their review here reads it as on the attempt's page.
        services.review_read(reader=request.user, submission=submission)
        return Response(self.get_serializer(submission).data)

    def _read(self, pk: int) -> dict:
        submission = self.get_queryset().get(pk=pk)
        return SubmissionSerializer(submission, context=self.get_serializer_context()).data

    @extend_schema(
        summary="Submit a project (students)",
        description=(
            "A new attempt: files (repeat the `files` field), a link, or both, as the "
            "project expects, and a comment. Refused while an earlier attempt waits for "
            "review or before the previous project is approved."
        ),
        request={"multipart/form-data": SubmissionCreateSerializer},
        responses={
            201: SubmissionSerializer,
            400: OpenApiResponse(description="Invalid input, named by field."),
            403: OpenApiResponse(description="Not a student."),
        },
    )
    def create(self, request: Request) -> Response:
        form = SubmissionCreateSerializer(data=request.data, context={"request": request})
        form.is_valid(raise_exception=True)
        submission = services.submission_create(student=request.user, **form.validated_data)
        return Response(self._read(submission.pk), status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="Review a submission (mentors, supervisors, staff)",
        description=(
            "Post the verdict: one entry per rubric criterion, overall feedback in "
            "Markdown, approve or request changes. Once per attempt; refused while "
            "someone else holds the submission. Approval needs every criterion met."
        ),
        request=ReviewInputSerializer,
        responses={
            201: SubmissionSerializer,
            400: OpenApiResponse(description="Invalid input, named by field."),
            403: OpenApiResponse(description="Not a reviewer."),
            404: OpenApiResponse(description="Not a submission you may see."),
        },
    )
    @action(detail=True, methods=["post"])
    def review(self, request: Request, pk=None) -> Response:
        submission = self.get_object()
        rubric = set(submission.project.criteria.values_list("pk", flat=True))
        form = ReviewInputSerializer(data=request.data, context={"rubric": rubric})
        form.is_valid(raise_exception=True)
        services.review_submit(
            submission=submission,
            reviewer=request.user,
            verdict=form.validated_data["verdict"],
            feedback=form.validated_data["feedback"],
            criteria=form.validated_data["criteria"],
        )
        return Response(self._read(submission.pk), status=status.HTTP_201_CREATED)


router = IdRouter()
router.register("programmes", ProgrammeViewSet, basename="programme")
router.register("projects", ProjectViewSet, basename="project")
router.register("submissions", SubmissionViewSet, basename="submission")
urlpatterns = router.urls
