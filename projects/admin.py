"""Staff edit the curriculum here (programmes, projects, rubrics, enrolments) and can
look into the review loop. Submissions and reviews are written by the portal's
services, so their admin pages are for reading, with the claim and status fields left
editable for the rare manual repair."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from mentorship.audit import AuditAction, AuditedAdminMixin

from .models import (
    Cohort,
    CohortDeadline,
    CriterionVerdict,
    DifficultyRating,
    Enrolment,
    Programme,
    Project,
    Recommendation,
    Review,
    ReviewNote,
    RubricCriterion,
    Submission,
    SubmissionFile,
)


class ReadOnlyInline(admin.TabularInline):
    """Rows written by the portal: shown, never added or changed here."""

    extra = 0
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


# --- Curriculum -----------------------------------------------------------------------


class ProjectInline(admin.TabularInline):
    model = Project
    extra = 0
    fields = ["position", "title", "effort_hours", "target_days", "deliverable"]
    ordering = ["position"]
    show_change_link = True


@admin.register(Programme)
class ProgrammeAdmin(AuditedAdminMixin, admin.ModelAdmin):
    audit_action = AuditAction.PROGRAMME_CHANGED
    list_display = ["title", "slug", "is_active"]
    list_filter = ["is_active"]
    search_fields = ["title", "slug"]
    prepopulated_fields = {"slug": ["title"]}
    inlines = [ProjectInline]


class RubricCriterionInline(admin.TabularInline):
    model = RubricCriterion
    extra = 1
    fields = ["position", "title", "met_means"]
    ordering = ["position"]


@admin.register(Project)
class ProjectAdmin(admin.ModelAdmin):
    list_display = [
        "title",
        "programme",
        "position",
        "effort_hours",
        "target_days",
        "deliverable",
    ]
    list_filter = ["programme", "deliverable"]
    search_fields = ["title", "brief", "programme__title"]
    list_select_related = ["programme"]
    ordering = ["programme", "position"]
    fieldsets = [
        (None, {"fields": ["programme", "position", "title", "brief"]}),
        (_("Timing"), {"fields": ["effort_hours", "target_days"]}),
        (
            _("Deliverables"),
            {"fields": ["deliverable", "allowed_file_types", "max_file_size_mb"]},
        ),
    ]
    inlines = [RubricCriterionInline]


class CohortDeadlineInline(admin.TabularInline):
    model = CohortDeadline
    fields = ["project", "due_on"]
    extra = 0

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        # The projects of the cohort's programme, once it has one.
        if db_field.name == "project" and request.resolver_match.kwargs.get("object_id"):
            cohort = Cohort.objects.filter(pk=request.resolver_match.kwargs["object_id"]).first()
            if cohort is not None:
                kwargs["queryset"] = Project.objects.filter(programme_id=cohort.programme_id)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


@admin.register(Cohort)
class CohortAdmin(admin.ModelAdmin):
    list_display = ["title", "programme", "starts_on", "ends_on", "in_order"]
    list_filter = ["programme"]
    search_fields = ["title", "programme__title"]
    list_select_related = ["programme"]
    date_hierarchy = "starts_on"
    inlines = [CohortDeadlineInline]


@admin.register(Enrolment)
class EnrolmentAdmin(admin.ModelAdmin):
    list_display = ["student", "programme", "cohort", "status", "started_on", "target_end_on"]
    list_filter = ["status", "programme", "allow_skipping"]
    search_fields = ["student__email", "student__display_name", "programme__title"]
    autocomplete_fields = ["student", "programme", "cohort"]
    list_select_related = ["student", "programme", "cohort__programme"]
    date_hierarchy = "started_on"
    readonly_fields = ["completed_at"]
    # ``ended_on``: the day a withdrawal took effect, which staff may learn of late
    # (``Enrolment.clean`` dates it today when left empty).


# --- The review loop ------------------------------------------------------------------


class SubmissionFileInline(ReadOnlyInline):
    model = SubmissionFile
    fields = ["original_name", "size", "content_type", "file"]
    readonly_fields = fields
    show_change_link = False


class ReviewInline(ReadOnlyInline):
    model = Review
    fields = ["reviewer", "verdict", "feedback", "created_at"]
    readonly_fields = fields


@admin.register(Submission)
class SubmissionAdmin(AuditedAdminMixin, admin.ModelAdmin):
    audit_action = AuditAction.SUBMISSION_CHANGED
    list_display = [
        "student",
        "project",
        "attempt",
        "status",
        "submitted_at",
        "claimed_by",
        "reviewed_at",
    ]
    list_filter = ["status", "project__programme"]
    search_fields = ["student__email", "student__display_name", "project__title"]
    list_select_related = ["student", "project", "project__programme", "claimed_by"]
    date_hierarchy = "submitted_at"
    autocomplete_fields = ["claimed_by"]
    readonly_fields = [
        "student",
        "project",
        "attempt",
        "comment",
        "link",
        "submitted_at",
        "first_claimed_at",
        "reviewed_at",
        "reminder_sent_at",
    ]
    fields = [
        "student",
        "project",
        "attempt",
        "comment",
        "link",
        "status",
        "submitted_at",
        ("claimed_by", "claimed_at", "claim_expires_at"),
        "first_claimed_at",
        "reviewed_at",
        "reminder_sent_at",
    ]
    inlines = [SubmissionFileInline, ReviewInline]

    def audit_subject_id(self, obj) -> int | None:
        return obj.student_id

    def has_add_permission(self, request) -> bool:
        # Attempts are numbered and checked by the submission service.
        return False


class CriterionVerdictInline(ReadOnlyInline):
    model = CriterionVerdict
    fields = ["criterion", "met", "comment"]
    readonly_fields = fields
    show_change_link = False

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("criterion")


@admin.register(Review)
class ReviewAdmin(AuditedAdminMixin, admin.ModelAdmin):
    audit_action = AuditAction.REVIEW_CHANGED
    list_display = ["submission", "reviewer", "verdict", "created_at"]
    list_filter = ["verdict", "submission__project__programme"]
    search_fields = [
        "submission__student__email",
        "submission__student__display_name",
        "submission__project__title",
        "reviewer__email",
        "reviewer__display_name",
    ]
    list_select_related = [
        "submission",
        "submission__student",
        "submission__project",
        "reviewer",
    ]
    date_hierarchy = "created_at"
    readonly_fields = ["submission", "reviewer", "verdict", "created_at"]
    fields = ["submission", "reviewer", "verdict", "feedback", "created_at"]
    inlines = [CriterionVerdictInline]

    def has_add_permission(self, request) -> bool:
        # A verdict is posted through the review page, which checks the rubric.
        return False

    def audit_subject_id(self, obj) -> int | None:
        return obj.submission.student_id


@admin.register(ReviewNote)
class ReviewNoteAdmin(admin.ModelAdmin):
    list_display = ["title", "project", "author", "use_count", "created_at"]
    # By programme, not by project: a project's name needs its programme, a query each.
    list_filter = ["project__programme"]
    search_fields = ["title", "body", "project__title"]
    list_select_related = ["project", "project__programme", "author"]
    autocomplete_fields = ["project", "author"]
    readonly_fields = ["use_count", "created_at"]


@admin.register(DifficultyRating)
class DifficultyRatingAdmin(admin.ModelAdmin):
    list_display = ["submission", "rating", "created_at"]
    list_filter = ["rating", "submission__project__programme"]
    search_fields = ["submission__project__title", "submission__student__email", "comment"]
    list_select_related = ["submission", "submission__student", "submission__project"]
    readonly_fields = ["submission", "created_at"]

    def has_add_permission(self, request) -> bool:
        # Students rate their own approved projects in the portal.
        return False


# --- Recommendations ------------------------------------------------------------------


@admin.register(Recommendation)
class RecommendationAdmin(admin.ModelAdmin):
    list_display = ["__str__", "mentor", "student", "status", "created_at"]
    list_filter = ["status"]
    list_select_related = ["mentor", "student", "programme"]
    search_fields = ["course_title", "programme__title", "student__email", "mentor__email"]
    raw_id_fields = ["mentor", "student"]
    readonly_fields = ["created_at", "answered_at", "enrolled_at"]
