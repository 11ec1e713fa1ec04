"""Admin of people, notifications and the activity log, and the read-only bases the
other apps' admins share."""

import json

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.widgets import AdminDateWidget
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods, require_POST

from . import services
from .audit import AuditAction, AuditedAdminMixin, AuditEntry, audit_diff
from .models import (
    ActivityEvent,
    ApiToken,
    Assignment,
    DailyActivity,
    EmailState,
    Invitation,
    MentorProfile,
    Notification,
    StudentProfile,
    StudentStatus,
    StudentStatusChange,
    User,
)
from .notifications import notifications_email_retry
from .personal_data import (
    may_handle_personal_data,
    personal_data_erase,
    personal_data_export,
)
from .selectors import people_matching

# --- Read-only pages ------------------------------------------------------------------


class ReadOnlyAdmin(admin.ModelAdmin):
    """Rows only the portal writes: staff look, never add, change or delete."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ReadOnlyInline(admin.TabularInline):
    """Rows only the portal writes, shown under their parent: never added, changed or
    deleted there."""

    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class MentorProfileInline(admin.StackedInline):
    model = MentorProfile
    fk_name = "user"
    extra = 0
    filter_horizontal = ["programmes"]
    autocomplete_fields = ["supervisor"]


class StudentProfileInline(admin.StackedInline):
    model = StudentProfile
    extra = 0


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    ordering = ["email"]
    list_display = ["email", "display_name", "role", "language", "is_active", "date_joined"]
    list_filter = ["role", "is_active", "language"]
    search_fields = ["email", "display_name"]
    readonly_fields = ["last_login", "date_joined"]

    def get_search_results(self, request, queryset, search_term):
        """The portal's one people search (``people_matching``): every word in the
        name or e-mail, in any case and alphabet (SQLite's own LIKE folds only ASCII).
        The admin's lists and its autocomplete of people alike."""
        return people_matching(queryset, search_term), False

    fieldsets = [
        (None, {"fields": ["email", "password"]}),
        (_("Person"), {"fields": ["display_name", "role", "language", "time_zone"]}),
        (_("Access"), {"fields": ["is_active", "is_superuser", "groups", "user_permissions"]}),
        (_("Dates"), {"fields": ["last_login", "date_joined"]}),
    ]
    add_fieldsets = [
        (
            None,
            {
                "classes": ["wide"],
                "fields": ["email", "display_name", "role", "password1", "password2"],
            },
        )
    ]
    filter_horizontal = ["groups", "user_permissions"]

    def get_inlines(self, request, obj):
        if obj is None:
            return []
        if obj.is_mentor:
            return [MentorProfileInline]
        if obj.is_student:
            return [StudentProfileInline]
        return []

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        services.user_ensure_profile(user=obj)

    def get_urls(self):
        # A student's personal data: export and erase (at the end of this module).
        return [*_personal_data_urls(self), *super().get_urls()]

    def save_formset(self, request, form, formset, change):
        # A student's new status goes through the service, which records it in the
        # history as of today (the profile's own page takes an earlier day and a reason).
        if formset.model is StudentProfile:
            for profile_form in formset.forms:
                if profile_form.instance.pk and "status" in profile_form.changed_data:
                    services.student_status_set(
                        profile=profile_form.instance,
                        status=profile_form.instance.status,
                        by=request.user,
                    )
        super().save_formset(request, form, formset, change)


@admin.register(MentorProfile)
class MentorProfileAdmin(admin.ModelAdmin):
    list_display = ["user", "supervisor", "capacity"]
    list_filter = ["supervisor", "programmes"]
    search_fields = ["user__email", "user__display_name"]
    autocomplete_fields = ["user", "supervisor"]
    filter_horizontal = ["programmes"]
    list_select_related = ["user", "supervisor"]


class StudentStatusChangeInline(ReadOnlyInline):
    """A student's status history, newest first: written only through the status
    field above it (``student_status_set``), never edited here."""

    model = StudentStatusChange
    fields = ["effective_on", "status", "reason", "recorded_by", "recorded_at"]
    readonly_fields = fields

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("recorded_by")


class StudentProfileForm(forms.ModelForm):
    """The profile, and a change of status with the day it took effect and why: the
    change is recorded in the history by ``student_status_set``."""

    effective_on = forms.DateField(
        label=_("Status effective from"),
        required=False,
        help_text=_(
            "The student's local day the new status took effect; empty for today. "
            "May be in the past, never in the future."
        ),
        widget=AdminDateWidget,
    )
    reason = forms.CharField(
        label=_("Why the status changed"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    class Meta:
        model = StudentProfile
        fields = ["user", "goals", "weekly_hours", "status", "external_id"]

    def clean(self):
        cleaned = super().clean()
        if "status" in self.changed_data and cleaned.get("user") and cleaned.get("status"):
            self.instance.user = cleaned["user"]
            cleaned["effective_on"] = services.student_status_validate(
                profile=self.instance,
                status=cleaned["status"],
                effective_on=cleaned.get("effective_on"),
            )
        return cleaned


@admin.register(StudentProfile)
class StudentProfileAdmin(admin.ModelAdmin):
    form = StudentProfileForm
    list_display = ["user", "status", "weekly_hours", "external_id"]
    list_filter = ["status"]
    search_fields = ["user__email", "user__display_name", "external_id"]
    autocomplete_fields = ["user"]
    list_select_related = ["user"]
    fieldsets = [
        (None, {"fields": ["user", "goals", "weekly_hours", "external_id"]}),
        (_("Status"), {"fields": ["status", "effective_on", "reason"]}),
    ]

    def get_inlines(self, request, obj):
        # A profile being added has no history yet.
        return [StudentStatusChangeInline] if obj is not None else []

    def save_model(self, request, obj, form, change):
        # The status is the history's to set: the rest of the profile is saved as it
        # was, then the change is recorded through the service, which writes it.
        new_status = obj.status
        if "status" in form.changed_data:
            obj.status = form.initial.get("status", StudentStatus.ACTIVE)
        super().save_model(request, obj, form, change)
        if "status" in form.changed_data:
            services.student_status_set(
                profile=obj,
                status=new_status,
                effective_on=form.cleaned_data["effective_on"],
                by=request.user,
                reason=form.cleaned_data["reason"],
            )


class AssignmentAddForm(forms.ModelForm):
    override_capacity = forms.BooleanField(
        label=_("Exceed the mentor's capacity"),
        required=False,
        help_text=_("Only with a reason."),
    )

    class Meta:
        model = Assignment
        fields = ["student", "mentor", "reason"]

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("student") and cleaned.get("mentor"):
            services.assignment_validate(
                student=cleaned["student"],
                mentor=cleaned["mentor"],
                reason=cleaned.get("reason", ""),
                override_capacity=cleaned.get("override_capacity", False),
            )
        return cleaned


class AssignmentChangeForm(forms.ModelForm):
    """Staff end an assignment or correct its reason; student, mentor and start stay
    fixed. The table's constraints name those read-only fields, so Django's form
    validation skips them: they are checked here instead of failing on save."""

    class Meta:
        model = Assignment
        fields = ["ended_at", "reason"]

    def clean(self):
        cleaned = super().clean()
        ended_at = cleaned.get("ended_at")
        if ended_at is not None and ended_at < self.instance.started_at:
            raise ValidationError({"ended_at": _("An assignment cannot end before it started.")})
        if (
            ended_at is None
            and Assignment.objects.current()
            .filter(student_id=self.instance.student_id)
            .exclude(pk=self.instance.pk)
            .exists()
        ):
            raise ValidationError(
                {"ended_at": _("This student has another current mentor; end that first.")}
            )
        return cleaned


@admin.register(Assignment)
class AssignmentAdmin(AuditedAdminMixin, admin.ModelAdmin):
    # A new assignment is recorded by ``assignment_create``; a change here (an end, a
    # corrected reason) by the mixin.
    audit_action = AuditAction.ASSIGNMENT_CHANGED
    list_display = ["student", "mentor", "started_at", "ended_at", "assigned_by"]
    list_filter = [("ended_at", admin.EmptyFieldListFilter), "mentor"]
    search_fields = ["student__email", "student__display_name", "mentor__email"]
    autocomplete_fields = ["student", "mentor"]
    list_select_related = ["student", "mentor", "assigned_by"]
    date_hierarchy = "started_at"

    def audit_subject_id(self, obj) -> int | None:
        return obj.student_id

    def get_form(self, request, obj=None, **kwargs):
        kwargs["form"] = AssignmentAddForm if obj is None else AssignmentChangeForm
        return super().get_form(request, obj, **kwargs)

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return []
        return ["student", "mentor", "started_at", "assigned_by"]

    def save_model(self, request, obj, form, change):
        if change:
            super().save_model(request, obj, form, change)
            return
        # New assignments go through the service: capacity, history, one current.
        assignment = services.assignment_create(
            student=form.cleaned_data["student"],
            mentor=form.cleaned_data["mentor"],
            assigned_by=request.user,
            reason=form.cleaned_data.get("reason", ""),
            override_capacity=form.cleaned_data.get("override_capacity", False),
        )
        obj.pk = assignment.pk


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin):
    list_display = ["email", "role", "invited_by", "created_at", "expires_at", "accepted_at"]
    list_filter = ["role", ("accepted_at", admin.EmptyFieldListFilter)]
    search_fields = ["email", "display_name"]
    readonly_fields = ["invited_by", "created_at", "sent_at", "accepted_at", "accepted_user"]
    list_select_related = ["invited_by"]
    fields = ["email", "display_name", "role", "supervisor", "expires_at", *readonly_fields]

    def get_fields(self, request, obj=None):
        # A new invitation's expiry is the service's (INVITATION_VALID_DAYS); offering
        # the field on the add page would let staff pick a date that is then ignored.
        fields = super().get_fields(request, obj)
        return [field for field in fields if field != "expires_at"] if obj is None else fields

    def save_model(self, request, obj, form, change):
        if change:
            super().save_model(request, obj, form, change)
            return
        invitation, _token = services.invitation_create(
            email=obj.email,
            role=obj.role,
            display_name=obj.display_name,
            supervisor=obj.supervisor,
            invited_by=request.user,
        )
        obj.pk = invitation.pk


class ApiTokenAddForm(forms.ModelForm):
    class Meta:
        model = ApiToken
        fields = ["name", "user"]


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ["name", "prefix", "user", "created_at", "last_used_at", "revoked_at"]
    list_filter = [("revoked_at", admin.EmptyFieldListFilter)]
    search_fields = ["name", "prefix", "user__email"]
    autocomplete_fields = ["user"]
    list_select_related = ["user"]
    actions = ["revoke"]

    def get_form(self, request, obj=None, **kwargs):
        if obj is None:
            kwargs["form"] = ApiTokenAddForm
        return super().get_form(request, obj, **kwargs)

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return []
        return ["name", "user", "prefix", "created_by", "created_at", "last_used_at", "revoked_at"]

    def save_model(self, request, obj, form, change):
        if change:
            return
        token, key = services.api_token_create(
            name=obj.name, user=obj.user, created_by=request.user
        )
        obj.pk = token.pk
        self.message_user(
            request,
            _("Copy the token now, it will not be shown again: %(key)s") % {"key": key},
            messages.WARNING,
        )

    @admin.action(description=_("Revoke selected tokens"))
    def revoke(self, request, queryset):
        tokens = list(queryset.filter(revoked_at__isnull=True))
        for token in tokens:
            services.api_token_revoke(token=token)
        self.message_user(
            request,
            ngettext("%(count)d token revoked.", "%(count)d tokens revoked.", len(tokens))
            % {"count": len(tokens)},
        )


# --- The activity event log -----------------------------------------------------------


@admin.register(ActivityEvent)
class ActivityEventAdmin(ReadOnlyAdmin):
    """Append-only: events come from the portal's own actions and the learning
    platform's pushes; the daily rollup and every signal are computed from them."""

    list_display = ["occurred_at", "student", "kind", "day", "source", "external_id", "value"]
    list_filter = ["kind", "source"]
    search_fields = ["student__email", "student__display_name", "external_id"]
    list_select_related = ["student"]
    date_hierarchy = "occurred_at"
    show_full_result_count = False  # the table is large: no second COUNT(*) per page


@admin.register(DailyActivity)
class DailyActivityAdmin(ReadOnlyAdmin):
    """The per-student per-day rollup, kept current as events arrive."""

    list_display = ["day", "student", "events"]
    search_fields = ["student__email", "student__display_name"]
    list_select_related = ["student"]
    date_hierarchy = "day"
    show_full_result_count = False


@admin.register(Notification)
class NotificationAdmin(ReadOnlyAdmin):
    """The notifications' outbox as staff see it: whether each e-mail went, and why not
    (mentorship.notifications). Staff may send failed ones again."""

    list_display = ["title", "user", "kind", "created_at", "email_state", "email_attempts"]
    list_filter = ["email_state", "kind", "created_at"]
    search_fields = ["user__email", "written_title"]
    list_select_related = ["user"]
    date_hierarchy = "created_at"
    show_full_result_count = False
    actions = ["email_retry"]
    fields = [
        "user",
        "kind",
        "title",
        "body",
        "written_title",
        "message",
        "params",
        "url",
        "created_at",
        "read_at",
        "email_state",
        "emailed_at",
        "email_attempts",
        "email_next_attempt_at",
        "email_claimed_until",
        "email_error",
    ]

    @admin.action(description=_("Send the failed e-mails again"))
    def email_retry(self, request, queryset):
        retried = notifications_email_retry(
            notification_ids=list(
                queryset.filter(email_state=EmailState.FAILED).values_list("pk", flat=True)
            )
        )
        self.message_user(
            request,
            ngettext(
                "%(count)d e-mail will be sent again.",
                "%(count)d e-mails will be sent again.",
                retried,
            )
            % {"count": retried},
            messages.SUCCESS,
        )


# --- The audit trail (issue 16) -------------------------------------------------------


def _audit_value(value) -> str:
    if value is None:
        return "—"
    if isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False, sort_keys=True)


@admin.register(AuditEntry)
class AuditEntryAdmin(ReadOnlyAdmin):
    """Who changed what that matters, when, and the values before and after: written
    only by the services (``mentorship.audit``), never edited or deleted here. A
    student's history is this list narrowed to them (``?subject=<id>``), linked from
    their file."""

    list_display = ["at", "actor", "action", "object_label", "changes"]
    list_filter = ["action", ("actor", admin.RelatedOnlyFieldListFilter), "at"]
    search_fields = ["object_label"]
    list_select_related = ["actor"]
    date_hierarchy = "at"
    show_full_result_count = False
    fields = [
        "at",
        "actor",
        "action",
        "content_type",
        "object_id",
        "object_label",
        "subject",
        "reason",
        "diff",
    ]
    readonly_fields = fields

    def lookup_allowed(self, lookup, value, request=None):
        # The student's file links here narrowed to the student; not a sidebar filter
        # (it would list every student).
        if lookup in {"subject", "subject__id__exact", "subject_id"}:
            return True
        return super().lookup_allowed(lookup, value, request)

    @admin.display(description=_("changes"))
    def changes(self, entry: AuditEntry) -> str:
        return "; ".join(
            f"{name}: {_audit_value(before)} → {_audit_value(after)}"
            for name, before, after in audit_diff(entry)
        )[:200]

    @admin.display(description=_("before and after"))
    def diff(self, entry: AuditEntry):
        rows = format_html_join(
            "",
            "<tr><th>{}</th><td><del>{}</del></td><td><ins>{}</ins></td></tr>",
            (
                (name, _audit_value(before), _audit_value(after))
                for name, before, after in audit_diff(entry)
            ),
        )
        return format_html(
            "<table><thead><tr><th>{}</th><th>{}</th><th>{}</th></tr></thead>"
            "<tbody>{}</tbody></table>",
            _("field"),
            _("before"),
            _("after"),
            rows,
        )


# --- A student's personal data (issue 16) ---------------------------------------------


class PersonalDataEraseForm(forms.Form):
    confirm = forms.CharField(
        label=_("Type the student's name to confirm"),
        max_length=254,
        help_text=_("Erasing cannot be undone: the audit trail records who did it and when."),
    )


def _personal_data_student(request: HttpRequest, pk) -> User:
    """The student whose data staff handle; 404 for anyone else (a mentor, staff)."""
    if not may_handle_personal_data(request.user):
        raise PermissionDenied
    student = User.objects.filter(pk=pk).first() if str(pk).isdigit() else None
    if student is None or not student.is_student:
        raise Http404
    return student


def _personal_data_urls(model_admin: admin.ModelAdmin) -> list:
    wrap = model_admin.admin_site.admin_view

    @require_http_methods(["GET", "POST"])
    def page(request: HttpRequest, pk: str) -> HttpResponse:
        student = _personal_data_student(request, pk)
        form = PersonalDataEraseForm(request.POST or None)
        status = 200
        if request.method == "POST" and form.is_valid():
            try:
                personal_data_erase(
                    student=student, by=request.user, confirm=form.cleaned_data["confirm"]
                )
            except ValidationError as error:
                form.add_error("confirm", error.messages[0])
            else:
                model_admin.message_user(
                    request, _("The student's personal data was erased."), messages.SUCCESS
                )
                return redirect("admin:mentorship_user_change", student.pk)
        if request.method == "POST":
            status = 400
        context = {
            **model_admin.admin_site.each_context(request),
            "title": _("Personal data of %(student)s") % {"student": student},
            "opts": model_admin.model._meta,
            "original": student,
            "form": form,
        }
        return TemplateResponse(
            request, "admin/mentorship/user/personal_data.html", context, status=status
        )

    @require_POST
    def export(request: HttpRequest, pk: str) -> HttpResponse:
        student = _personal_data_student(request, pk)
        content = personal_data_export(student=student, by=request.user)
        response = HttpResponse(content, content_type="application/zip")
        response["Content-Disposition"] = f'attachment; filename="personal-data-{student.pk}.zip"'
        response["Cache-Control"] = "private, no-store"
        return response

    return [
        path(
            "<str:pk>/personal-data/",
            wrap(page),
            name="mentorship_user_personal_data",
        ),
        path(
            "<str:pk>/personal-data/export/",
            wrap(export),
            name="mentorship_user_personal_data_export",
        ),
    ]
