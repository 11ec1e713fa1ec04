import json

from django.contrib import admin
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from mentorship.audit import AuditAction, AuditedAdminMixin

from . import services
from .models import (
    DevelopmentRecord,
    ScorecardWeights,
    SecondReading,
    SnapshotRun,
    Survey,
    WeeklyReport,
)


class DevelopmentVerifiedFilter(admin.SimpleListFilter):
    title = _("verified")
    parameter_name = "verified"

    def lookups(self, request, model_admin):
        return [("yes", _("Verified")), ("no", _("Awaiting verification"))]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.filter(verified_at__isnull=False)
        if self.value() == "no":
            return queryset.filter(verified_at__isnull=True)
        return queryset


@admin.register(DevelopmentRecord)
class DevelopmentRecordAdmin(admin.ModelAdmin):
    """Read-only but for verification: mentors record their development in the portal,
    where the rules live; staff verify there or with the action here, which tells the
    mentor."""

    list_display = ["__str__", "mentor", "kind", "completed_on", "created_at", "verified_at"]
    list_filter = ["kind", DevelopmentVerifiedFilter]
    search_fields = [
        "title",
        "programme__title_en",
        "programme__title_ru",
        "mentor__email",
        "mentor__display_name",
    ]
    date_hierarchy = "created_at"
    list_select_related = ["mentor", "programme"]
    actions = ["mark_verified"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    @admin.action(description=_("Mark verified"))
    def mark_verified(self, request, queryset):
        records = list(queryset.filter(verified_at__isnull=True).select_related("mentor"))
        for record in records:
            services.development_record_verify(record=record, by=request.user)
        self.message_user(
            request,
            ngettext("%(count)d record verified.", "%(count)d records verified.", len(records))
            % {"count": len(records)},
        )


@admin.register(WeeklyReport)
class WeeklyReportAdmin(admin.ModelAdmin):
    """Read-only: the portal drafts reports (Mondays, or when a mentor asks) and mentors
    complete and send them there. To draft again by hand, run the
    "draft-weekly-reports" periodic task from its admin page."""

    list_display = ["week_start", "mentor", "status", "drafted_at", "sent_at"]
    list_filter = ["status", "week_start"]
    search_fields = ["mentor__email", "mentor__display_name"]
    date_hierarchy = "week_start"
    list_select_related = ["mentor"]
    fields = [
        "mentor",
        "week_start",
        "status",
        "drafted_at",
        "sent_at",
        "comments",
        "difficulties",
        "figures_as_json",
    ]
    readonly_fields = ["figures_as_json"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    @admin.display(description=_("figures"))
    def figures_as_json(self, obj):
        return format_html(
            "<pre>{}</pre>", json.dumps(obj.figures, indent=2, ensure_ascii=False, sort_keys=True)
        )


@admin.register(ScorecardWeights)
class ScorecardWeightsAdmin(AuditedAdminMixin, admin.ModelAdmin):
    """How much each priority counts in the overall score. One row: staff change it,
    nobody adds or deletes one. Composites are computed as pages are read, so a change
    shows at once, on past periods too."""

    list_display = [
        "__str__",
        "student_success",
        "service",
        "methodology",
        "self_development",
        "recommendations",
        "updated_at",
    ]
    audit_action = AuditAction.SCORECARD_WEIGHTS_CHANGED

    def has_add_permission(self, request):
        return not ScorecardWeights.objects.exists()

    def has_delete_permission(self, request, obj=None):
        return False

    def changelist_view(self, request, extra_context=None):
        ScorecardWeights.current()  # the row exists before anyone edits it
        return super().changelist_view(request, extra_context)


@admin.register(SnapshotRun)
class SnapshotRunAdmin(admin.ModelAdmin):
    """Read-only: which closed periods have been computed into snapshots, on which
    calendar, and how long it took. To recompute a range, run the
    ``recompute_scorecards`` command."""

    list_display = ["period", "zone", "mentors", "rows", "seconds", "computed_at"]
    list_filter = ["zone"]
    search_fields = ["period"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(SecondReading)
class SecondReadingAdmin(admin.ModelAdmin):
    """Read-only: supervisors rate reviews on the dashboard's second-reading page."""

    list_display = ["review", "reader", "rating", "created_at"]
    list_filter = ["rating"]
    search_fields = ["reader__email", "review__reviewer__email"]
    list_select_related = ["reader", "review"]
    raw_id_fields = ["review", "reader"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class SurveyAnsweredFilter(admin.SimpleListFilter):
    title = _("answered")
    parameter_name = "answered"

    def lookups(self, request, model_admin):
        return [("yes", _("Answered")), ("no", _("Not answered"))]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.filter(answered_at__isnull=False)
        if self.value() == "no":
            return queryset.filter(answered_at__isnull=True)
        return queryset


@admin.register(Survey)
class SurveyAdmin(admin.ModelAdmin):
    """Read-only: the daily task sends the surveys ("send-surveys" periodic task) and
    students answer them in the portal, where the rules live (metrics/surveys.py).
    Supervisors read their team's answers on the "Student surveys" page."""

    list_display = [
        "student",
        "mentor",
        "round",
        "sent_at",
        "answered_at",
        "score",
        "plans_to_continue",
    ]
    list_filter = [SurveyAnsweredFilter, "plans_to_continue", "score"]
    search_fields = [
        "student__email",
        "student__display_name",
        "mentor__email",
        "mentor__display_name",
    ]
    date_hierarchy = "sent_at"
    list_select_related = ["student", "mentor"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
