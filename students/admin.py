"""Admin of notes, incidents, 1:1 sessions and at-risk flags."""

import json

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Count
from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed, JsonResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.loader import render_to_string
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from mentorship.admin import ReadOnlyAdmin, ReadOnlyInline
from mentorship.audit import AuditAction, AuditedAdminMixin
from mentorship.queueing import task_enqueue

from .models import (
    AvailabilityBlock,
    AvailabilitySlot,
    FlagBacktestReport,
    FlagCalibration,
    FlagOutreach,
    FlagRun,
    FlagRunChunk,
    FlagRunDigest,
    FlagSettings,
    Incident,
    MentoringSession,
    MentorNote,
    ProgrammeFlagBudget,
    RiskFlag,
)
from .risk.backtest import (
    DEFAULT_HORIZON_DAYS,
    DEFAULT_WEEKS,
    backtest_report_read,
    flag_backtest_report_start,
)
from .risk.calibration import calibration_report_read
from .tasks import backtest_flags, calibrate_flags, flag_students


def _queue_on_commit(modeladmin, request, task, queued_message, *, not_queued=None, **kwargs):
    """An admin button that starts a task: queued once the request's writes commit (at
    once, outside a transaction, so the message tells what happened), and a message
    rather than an error page when the broker cannot be reached."""

    def queue() -> None:
        if task_enqueue(task, **kwargs):
            modeladmin.message_user(request, queued_message, messages.SUCCESS)
            return
        if not_queued is not None:
            not_queued()
        modeladmin.message_user(
            request,
            _(
                "The task queue cannot be reached, so nothing was started. "
                "Try again in a few minutes."
            ),
            messages.ERROR,
        )

    transaction.on_commit(queue)


@admin.register(MentorNote)
class MentorNoteAdmin(admin.ModelAdmin):
    list_display = ["student", "author", "created_at"]
    list_select_related = ["student", "author"]
    search_fields = ["student__email", "student__display_name", "body"]
    raw_id_fields = ["student", "author"]
    date_hierarchy = "created_at"


@admin.register(Incident)
class IncidentAdmin(admin.ModelAdmin):
    list_display = ["title", "status", "occurred_on", "reported_by", "arbitrator", "created_at"]
    list_filter = ["status", "occurred_on", "created_at"]
    list_select_related = ["reported_by", "arbitrator"]
    search_fields = [
        "title",
        "description",
        "resolution",
        "students__email",
        "students__display_name",
    ]
    raw_id_fields = ["students", "reported_by", "arbitrator", "resolved_by"]
    date_hierarchy = "created_at"


# --- At-risk flags --------------------------------------------------------------------


FLAG_SETTINGS_FIELDSETS = [
    (
        _("Budget: how many students mentors can act on"),
        {
            "fields": ["red_share_percent", "amber_shown"],
            "description": _(
                "For every programme without a budget of its own (programme flag budgets)."
            ),
        },
    ),
    (_("Inactivity"), {"fields": ["inactivity_amber_days", "inactivity_red_days"]}),
    (
        _("Activity drop"),
        {
            "fields": [
                "drop_window_days",
                "drop_baseline_days",
                "drop_baseline_min_active_days",
                "drop_amber_percent",
                "drop_red_percent",
            ]
        },
    ),
    (
        _("Projects and sessions"),
        {
            "fields": [
                "stalled_factor",
                "behind_plan_days",
                "missed_sessions",
                "missed_sessions_window_days",
                "struggling_changes_requested",
            ]
        },
    ),
    (_("Closing the loop"), {"fields": ["resolve_after_clear_days", "recovery_window_days"]}),
    (_("Calibration"), {"fields": ["recalibrate_nightly"]}),
]


class FlagSettingsForm(forms.ModelForm):
    class Meta:
        model = FlagSettings
        fields = [name for _title, group in FLAG_SETTINGS_FIELDSETS for name in group["fields"]]

    def clean(self):
        # The table's constraints say the same; checked here to answer beside the field.
        cleaned = super().clean()
        amber_days, red_days = (
            cleaned.get("inactivity_amber_days"),
            cleaned.get("inactivity_red_days"),
        )
        if amber_days is not None and red_days is not None and red_days <= amber_days:
            self.add_error(
                "inactivity_red_days",
                _("Red must come after amber: more than %(days)d days.") % {"days": amber_days},
            )
        amber_percent, red_percent = (
            cleaned.get("drop_amber_percent"),
            cleaned.get("drop_red_percent"),
        )
        if amber_percent is not None and red_percent is not None and red_percent >= amber_percent:
            self.add_error(
                "drop_red_percent",
                _("Red must be a deeper drop than amber: below %(percent)d %%.")
                % {"percent": amber_percent},
            )
        return cleaned


@admin.register(FlagSettings)
class FlagSettingsAdmin(AuditedAdminMixin, admin.ModelAdmin):
    """The one row of thresholds the nightly job reads (``FlagSettings.current()``).
    Run ``manage.py backtest_flags`` before changing them."""

    form = FlagSettingsForm
    fieldsets = FLAG_SETTINGS_FIELDSETS
    audit_action = AuditAction.FLAG_SETTINGS_CHANGED

    def has_add_permission(self, request):
        return not FlagSettings.objects.exists()

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        obj.pk = 1  # the row FlagSettings.current() reads
        super().save_model(request, obj, form, change)


@admin.register(ProgrammeFlagBudget)
class ProgrammeFlagBudgetAdmin(AuditedAdminMixin, admin.ModelAdmin):
    """A programme's own flag budget, instead of the flag settings' one."""

    audit_action = audit_delete_action = AuditAction.FLAG_BUDGET_CHANGED

    list_display = ["programme", "red_share_percent", "amber_shown"]
    list_select_related = ["programme"]
    autocomplete_fields = ["programme"]


class FlagOutreachInline(ReadOnlyInline):
    model = FlagOutreach
    fields = ["at", "mentor", "kind", "note"]
    readonly_fields = fields


@admin.register(RiskFlag)
class RiskFlagAdmin(AuditedAdminMixin, admin.ModelAdmin):
    """Read-only: the nightly job opens, raises and resolves flags; mentors
    acknowledge them, log outreach and give verdicts in the portal. Deleting one is
    allowed (a flag opened on wrong data); the job opens it again if it still holds."""

    list_display = [
        "student",
        "severity",
        "status",
        "opened_on",
        "acknowledged",
        "verdict",
        "recovered",
    ]
    list_filter = ["status", "severity", "verdict", "recovered", "opened_on"]
    search_fields = ["student__email", "student__display_name"]
    list_select_related = ["student"]
    date_hierarchy = "opened_on"
    fields = [
        "student",
        "status",
        "severity",
        "reasons_as_json",
        "opened_on",
        "evaluated_on",
        "clear_since",
        "worsened_at",
        "resolved_on",
        "notified_at",
        "acknowledged_at",
        "acknowledged_by",
        "first_outreach_at",
        "verdict",
        "verdict_at",
        "recovered",
        "recovery_checked_on",
    ]
    readonly_fields = ["reasons_as_json"]
    inlines = [FlagOutreachInline]
    audit_delete_action = AuditAction.FLAG_DELETED

    def audit_subject_id(self, obj) -> int | None:
        return obj.student_id

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    @admin.display(description=_("acknowledged"), boolean=True, ordering="acknowledged_at")
    def acknowledged(self, flag: RiskFlag) -> bool:
        return flag.acknowledged_at is not None

    @admin.display(description=_("reasons"))
    def reasons_as_json(self, flag: RiskFlag):
        return format_html("<pre>{}</pre>", json.dumps(flag.reasons, indent=2, ensure_ascii=False))


class FlagRunChunkInline(ReadOnlyInline):
    model = FlagRunChunk
    fields = ["index", "students", "opened", "worsened", "resolved", "finished_at", "settled_at"]
    readonly_fields = fields


class FlagRunDigestInline(ReadOnlyInline):
    model = FlagRunDigest
    fields = ["part", "mentors", "sent_at"]
    readonly_fields = fields


@admin.register(FlagRun)
class FlagRunAdmin(ReadOnlyAdmin):
    """The flagging runs, nightly and on demand, with their totals and how many of
    their chunks have committed. "Run flagging now" queues the nightly job at once,
    started by the staff member."""

    change_list_template = "admin/students/flagrun/change_list.html"
    list_display = [
        "as_of",
        "status",
        "started_at",
        "finished_at",
        "triggered_by",
        "chunk_progress",
        "students",
        "opened",
        "worsened",
        "resolved",
        "mentors_notified",
    ]
    list_filter = ["status"]
    list_select_related = ["triggered_by"]
    date_hierarchy = "started_at"
    inlines = [FlagRunChunkInline, FlagRunDigestInline]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(chunks_done=Count("chunk_results"))

    @admin.display(description=_("chunks done"))
    def chunk_progress(self, run: FlagRun) -> str:
        return f"{run.chunks_done} / {run.chunks}"

    def get_urls(self):
        run_now = path(
            "run-now/",
            self.admin_site.admin_view(self.run_now_view),
            name="students_flagrun_run_now",
        )
        return [run_now, *super().get_urls()]

    def run_now_view(self, request: HttpRequest) -> HttpResponse:
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        if not self.has_view_permission(request):
            raise PermissionDenied
        _queue_on_commit(
            self,
            request,
            flag_students,
            _("Flagging run queued: it appears here when it starts."),
            triggered_by_id=request.user.pk,
        )
        return redirect("admin:students_flagrun_changelist")


@admin.register(FlagCalibration)
class FlagCalibrationAdmin(ReadOnlyAdmin):
    """The calibrations of the red rule on the school's history, each with its report:
    for the school and each programme, the rule in force and the one chosen, judged on
    the weeks held out, and the best candidates. "Calibrate now" queues one that puts
    its choice into force (``manage.py calibrate_flags`` shows one without)."""

    change_list_template = "admin/students/flagcalibration/change_list.html"
    list_display = ["created_at", "triggered_by", "weeks", "horizon_days", "applied_at"]
    list_select_related = ["triggered_by"]
    fields = ["created_at", "triggered_by", "weeks", "horizon_days", "applied_at", "report_table"]
    readonly_fields = fields

    @admin.display(description=_("report"))
    def report_table(self, calibration: FlagCalibration):
        return render_to_string(
            "admin/students/flagcalibration/report.html",
            {"report": calibration_report_read(calibration.report)},
        )

    def get_urls(self):
        calibrate = path(
            "calibrate-now/",
            self.admin_site.admin_view(self.calibrate_now_view),
            name="students_flagcalibration_calibrate_now",
        )
        return [calibrate, *super().get_urls()]

    def calibrate_now_view(self, request: HttpRequest) -> HttpResponse:
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        if not request.user.has_perm("students.change_flagsettings"):
            raise PermissionDenied
        _queue_on_commit(
            self,
            request,
            calibrate_flags,
            _("Calibration queued: its report appears here when it is done."),
            triggered_by_id=request.user.pk,
        )
        return redirect("admin:students_flagcalibration_changelist")


class BacktestForm(forms.Form):
    weeks = forms.IntegerField(
        label=_("weeks of history"), min_value=1, max_value=104, initial=DEFAULT_WEEKS
    )
    horizon_days = forms.IntegerField(
        label=_("horizon (days)"), min_value=1, max_value=180, initial=DEFAULT_HORIZON_DAYS
    )


@admin.register(FlagBacktestReport)
class FlagBacktestReportAdmin(ReadOnlyAdmin):
    """Backtests of the flags on the school's history, each with its report: for all
    programmes and each, the base rate and, for red, amber, any flag and each signal,
    precision, withdrawals caught, lift, the share of students flagged (mean and worst
    week) and the median lead, as tables and as JSON. "Run a backtest" queues one with
    the flag settings in force (``manage.py backtest_flags`` tries others)."""

    change_list_template = "admin/students/flagbacktestreport/change_list.html"
    list_display = ["created_at", "triggered_by", "weeks", "horizon_days", "finished_at"]
    list_select_related = ["triggered_by"]
    fields = [
        "created_at",
        "triggered_by",
        "weeks",
        "horizon_days",
        "finished_at",
        "report_json",
        "report_table",
    ]
    readonly_fields = fields

    @admin.display(description=_("report"))
    def report_table(self, backtest: FlagBacktestReport):
        return render_to_string(
            "admin/students/flagbacktestreport/report.html",
            {"backtest": backtest, "groups": backtest_report_read(backtest.report)},
        )

    @admin.display(description=_("as JSON"))
    def report_json(self, backtest: FlagBacktestReport):
        if backtest.finished_at is None:
            return "–"
        url = reverse("admin:students_flagbacktestreport_json", args=[backtest.pk])
        return format_html('<a href="{}" download>{}</a>', url, _("Download"))

    def changelist_view(self, request, extra_context=None):
        extra_context = {**(extra_context or {}), "backtest_form": BacktestForm()}
        return super().changelist_view(request, extra_context)

    def get_urls(self):
        return [
            path(
                "run/",
                self.admin_site.admin_view(self.run_view),
                name="students_flagbacktestreport_run",
            ),
            path(
                "<int:pk>/json/",
                self.admin_site.admin_view(self.json_view),
                name="students_flagbacktestreport_json",
            ),
            *super().get_urls(),
        ]

    def run_view(self, request: HttpRequest) -> HttpResponse:
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        if not request.user.has_perm("students.change_flagsettings"):
            raise PermissionDenied
        form = BacktestForm(request.POST)
        if not form.is_valid():
            for field, errors in form.errors.items():
                for error in errors:
                    self.message_user(
                        request, f"{form.fields[field].label}: {error}", messages.ERROR
                    )
            return redirect("admin:students_flagbacktestreport_changelist")
        report = flag_backtest_report_start(by=request.user, **form.cleaned_data)
        _queue_on_commit(
            self,
            request,
            backtest_flags,
            _("Backtest queued: its report appears here when it is done."),
            # Nothing will run it: no report left waiting for ever.
            not_queued=report.delete,
            report_id=report.pk,
        )
        return redirect("admin:students_flagbacktestreport_changelist")

    def json_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        if not self.has_view_permission(request):
            raise PermissionDenied
        backtest = get_object_or_404(FlagBacktestReport, pk=pk, finished_at__isnull=False)
        response = JsonResponse(backtest.report, json_dumps_params={"indent": 2})
        response["Content-Disposition"] = f'attachment; filename="backtest-{backtest.pk}.json"'
        return response


# --- Mentoring sessions ---------------------------------------------------------------


@admin.register(AvailabilitySlot)
class AvailabilitySlotAdmin(admin.ModelAdmin):
    """Read-only: each mentor keeps their own on their availability page."""

    list_display = ["mentor", "weekday", "start_time", "duration_minutes"]
    list_filter = ["weekday"]
    search_fields = ["mentor__email", "mentor__display_name"]
    list_select_related = ["mentor"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(AvailabilityBlock)
class AvailabilityBlockAdmin(admin.ModelAdmin):
    """Read-only: each mentor keeps their own on their availability page."""

    list_display = ["mentor", "starts_on", "ends_on", "note"]
    search_fields = ["mentor__email", "mentor__display_name"]
    date_hierarchy = "starts_on"
    list_select_related = ["mentor"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(MentoringSession)
class MentoringSessionAdmin(admin.ModelAdmin):
    """Read-only: mentors schedule and log sessions in the portal, where the rules
    (future times, outcomes after the start, one rating) and notifications live."""

    list_display = ["scheduled_at", "mentor", "student", "duration_minutes", "status", "rating"]
    list_filter = ["status", "scheduled_at"]
    search_fields = ["mentor__email", "mentor__display_name", "student__email"]
    date_hierarchy = "scheduled_at"
    list_select_related = ["mentor", "student"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
