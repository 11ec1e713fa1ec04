"""Staff edit the curriculum here (programmes, projects, rubrics, enrolments) and can
look into the review loop. Submissions and reviews are written by the portal's
services, so their admin pages are for reading, with the claim and status fields left
editable for the rare manual repair.

Course content is written in English and Russian side by side (modeltranslation's
plain ``TranslationAdmin``: its tabbed variant loads jQuery UI from a CDN, which the
CSP refuses); a title is needed in one language at least, the reader sees the other
when theirs is empty."""

from django import forms
from django.conf import settings
from django.contrib import admin
from django.db import transaction
from django.utils.translation import gettext_lazy as _
from modeltranslation.admin import TranslationAdmin, TranslationTabularInline
from modeltranslation.utils import build_localized_fieldname

from mentorship.audit import AuditAction, AuditedAdminMixin

from .changes import programme_changes_record, programme_snapshots
from .models import (
    Cohort,
    CohortDeadline,
    CriterionVerdict,
    DifficultyRating,
    Enrolment,
    Programme,
    ProgrammeChange,
    ProgrammeChangeSet,
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


class ProgrammeChangesAdminMixin:
    """For the pages where staff edit a programme's content (the programme with its
    projects, a project with its rubric, a cohort with its deadlines): each save, or
    deletion, is one change set of each programme it touched, recorded and told to
    the programme's mentors by ``projects.changes``. The snapshot before is taken in
    ``save_model`` (the database still holds the old rows, inlines included) and
    compared in ``save_related``, once the inlines are saved; both run in the
    admin's transaction."""

    _before_key = "_programme_changes_before"

    def programme_ids_of(self, obj, *, change: bool) -> set[int]:
        """The programmes a save of ``obj`` may touch: its programme now, and the
        one it had (a project or cohort moved to another programme)."""
        if isinstance(obj, Programme):
            # A new programme has no mentors yet and nothing to compare with.
            return {obj.pk} if change else set()
        ids = {obj.programme_id}
        if change:
            ids.update(
                type(obj)._default_manager.filter(pk=obj.pk).values_list("programme_id", flat=True)
            )
        return ids

    def save_model(self, request, obj, form, change):
        setattr(
            request,
            self._before_key,
            programme_snapshots(self.programme_ids_of(obj, change=change)),
        )
        super().save_model(request, obj, form, change)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        before = request.__dict__.pop(self._before_key, None)
        if before:
            programme_changes_record(actor=request.user, before=before)

    def delete_model(self, request, obj):
        with transaction.atomic():
            before = programme_snapshots(self.programme_ids_of(obj, change=False))
            super().delete_model(request, obj)
            programme_changes_record(actor=request.user, before=before)

    def delete_queryset(self, request, queryset):
        with transaction.atomic():
            ids = set()
            for obj in queryset:
                ids |= self.programme_ids_of(obj, change=False)
            before = programme_snapshots(ids)
            super().delete_queryset(request, queryset)
            programme_changes_record(actor=request.user, before=before)


class OneLanguageAtLeastForm(forms.ModelForm):
    """A text staff must give (``required_in_one_language``: a title, a note's body)
    is written in English or Russian or both; left empty in both, the error stands
    beside the English column. The untranslated field is not on the form, so nothing
    else would ask for it."""

    required_in_one_language: tuple[str, ...] = ("title",)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # modeltranslation's admin would require the English column; either will do.
        for columns in self._columns():
            for column in columns:
                self.fields[column].required = False

    def _columns(self) -> list[list[str]]:
        """The form's columns of each text required in one language."""
        return [
            [
                column
                for language, _name in settings.LANGUAGES
                if (column := build_localized_fieldname(field, language)) in self.fields
            ]
            for field in self.required_in_one_language
        ]

    def clean(self):
        cleaned = super().clean()
        for present in self._columns():
            if present and not any((cleaned.get(column) or "").strip() for column in present):
                self.add_error(
                    present[0], _("Write it in one language at least; both may be given.")
                )
        return cleaned


class ReviewNoteForm(OneLanguageAtLeastForm):
    required_in_one_language = ("title", "body")


class ProjectInline(TranslationTabularInline):
    model = Project
    form = OneLanguageAtLeastForm
    extra = 0
    fields = ["position", "title", "effort_hours", "target_days", "deliverable"]
    ordering = ["position"]
    show_change_link = True


@admin.register(Programme)
class ProgrammeAdmin(ProgrammeChangesAdminMixin, AuditedAdminMixin, TranslationAdmin):
    audit_action = AuditAction.PROGRAMME_CHANGED
    form = OneLanguageAtLeastForm
    list_display = ["title", "slug", "is_active"]
    list_filter = ["is_active"]
    search_fields = ["title_en", "title_ru", "slug"]
    prepopulated_fields = {"slug": ["title_en"]}
    inlines = [ProjectInline]


class RubricCriterionInline(TranslationTabularInline):
    model = RubricCriterion
    form = OneLanguageAtLeastForm
    extra = 1
    fields = ["position", "title", "met_means"]
    ordering = ["position"]


@admin.register(Project)
class ProjectAdmin(ProgrammeChangesAdminMixin, TranslationAdmin):
    form = OneLanguageAtLeastForm
    list_display = [
        "title",
        "programme",
        "position",
        "effort_hours",
        "target_days",
        "deliverable",
    ]
    list_filter = ["programme", "deliverable"]
    search_fields = [
        "title_en",
        "title_ru",
        "brief_en",
        "brief_ru",
        "programme__title_en",
        "programme__title_ru",
    ]
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
class CohortAdmin(ProgrammeChangesAdminMixin, admin.ModelAdmin):
    list_display = ["title", "programme", "starts_on", "ends_on", "in_order"]
    list_filter = ["programme"]
    search_fields = ["title", "programme__title_en", "programme__title_ru"]
    list_select_related = ["programme"]
    date_hierarchy = "starts_on"
    inlines = [CohortDeadlineInline]


@admin.register(Enrolment)
class EnrolmentAdmin(admin.ModelAdmin):
    list_display = ["student", "programme", "cohort", "status", "started_on", "target_end_on"]
    list_filter = ["status", "programme", "allow_skipping"]
    search_fields = [
        "student__email",
        "student__display_name",
        "programme__title_en",
        "programme__title_ru",
    ]
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
    search_fields = [
        "student__email",
        "student__display_name",
        "project__title_en",
        "project__title_ru",
    ]
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
        "submission__project__title_en",
        "submission__project__title_ru",
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
class ReviewNoteAdmin(TranslationAdmin):
    form = ReviewNoteForm
    list_display = ["title", "project", "author", "use_count", "created_at"]
    # By programme, not by project: a project's name needs its programme, a query each.
    list_filter = ["project__programme"]
    search_fields = [
        "title_en",
        "title_ru",
        "body_en",
        "body_ru",
        "project__title_en",
        "project__title_ru",
    ]
    list_select_related = ["project", "project__programme", "author"]
    autocomplete_fields = ["project", "author"]
    readonly_fields = ["use_count", "created_at"]


@admin.register(DifficultyRating)
class DifficultyRatingAdmin(admin.ModelAdmin):
    list_display = ["submission", "rating", "created_at"]
    list_filter = ["rating", "submission__project__programme"]
    search_fields = [
        "submission__project__title_en",
        "submission__project__title_ru",
        "submission__student__email",
        "comment",
    ]
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
    search_fields = [
        "course_title",
        "programme__title_en",
        "programme__title_ru",
        "student__email",
        "mentor__email",
    ]
    raw_id_fields = ["mentor", "student"]
    readonly_fields = ["created_at", "answered_at", "enrolled_at"]


# --- Programme changes ----------------------------------------------------------------


class ProgrammeChangeInline(ReadOnlyInline):
    model = ProgrammeChange
    fields = ["kind", "object_type", "object_label", "field", "before", "after"]
    readonly_fields = fields
    show_change_link = False


@admin.register(ProgrammeChangeSet)
class ProgrammeChangeSetAdmin(admin.ModelAdmin):
    """Recorded by the curriculum pages' saves (``ProgrammeChangesAdminMixin``):
    read here, never written."""

    list_display = ["programme", "changed_by", "changed_at"]
    list_filter = ["programme"]
    list_select_related = ["programme", "changed_by"]
    date_hierarchy = "changed_at"
    fields = ["programme", "changed_by", "changed_at"]
    readonly_fields = fields
    inlines = [ProgrammeChangeInline]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False
