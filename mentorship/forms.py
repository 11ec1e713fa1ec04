from datetime import date

from django import forms
from django.conf import settings
from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from django.utils.formats import date_format
from django.utils.translation import get_language_info
from django.utils.translation import gettext_lazy as _

from .models import (
    SESSION_OUTCOMES,
    TIME_ZONE_CHOICES,
    CaseAudience,
    ContentLanguage,
    DevelopmentKind,
    Invitation,
    Role,
    User,
)


class ServiceErrorsMixin:
    def add_service_error(self, error: ValidationError) -> None:
        """Put a service's ValidationError beside the field it names (``files``,
        ``mentor``, ...), or above the form when it names none or a field not shown."""
        if hasattr(error, "error_dict"):
            for field, errors in error.error_dict.items():
                self.add_error(field if field in self.fields else None, errors)
        else:
            self.add_error(None, error)


def interface_language_choices() -> list[tuple[str, str]]:
    """Each language named in itself ("Русский"), as people look for their own."""
    return [
        (code, get_language_info(code)["name_local"].capitalize())
        for code, _name in settings.LANGUAGES
    ]


class PreferencesForm(forms.Form):
    display_name = forms.CharField(label=_("Display name"), max_length=150)
    language = forms.ChoiceField(label=_("Interface language"), choices=interface_language_choices)
    time_zone = forms.ChoiceField(label=_("Time zone"), choices=TIME_ZONE_CHOICES)
    email_notifications = forms.BooleanField(
        label=_("E-mail me notifications"),
        required=False,
        help_text=_("They always appear in the portal."),
    )


class StudentProfileForm(forms.Form):
    goals = forms.CharField(
        label=_("Your goals"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("What you want from the programme; your mentor reads this."),
    )
    weekly_hours = forms.IntegerField(
        label=_("Hours you can study per week"), min_value=1, max_value=80
    )


class MentorProfileForm(forms.Form):
    languages = forms.MultipleChoiceField(
        label=_("Languages you mentor in"),
        choices=ContentLanguage.choices,
        widget=forms.CheckboxSelectMultiple,
    )
    bio = forms.CharField(
        label=_("About you"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Your experience and expertise, shown to your students."),
    )


class InvitationForm(forms.Form):
    email = forms.EmailField(label=_("E-mail address"))
    display_name = forms.CharField(label=_("Name"), max_length=150, required=False)
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices, initial=Role.STUDENT)
    language = forms.ChoiceField(
        label=_("Language of the invitation"),
        choices=interface_language_choices,
        help_text=_("The e-mail is written in it, and the portal starts in it."),
    )
    supervisor = forms.ModelChoiceField(
        label=_("Supervisor"),
        queryset=User.objects.supervisors(),
        required=False,
        help_text=_("For mentors: the team they join."),
    )


class InvitationAcceptForm(forms.Form):
    display_name = forms.CharField(label=_("Your name"), max_length=150)
    language = forms.ChoiceField(label=_("Interface language"), choices=interface_language_choices)
    password1 = forms.CharField(
        label=_("Password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=password_validation.password_validators_help_text_html(),
    )
    password2 = forms.CharField(
        label=_("Password (again)"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def __init__(self, *args, invitation: Invitation, **kwargs):
        super().__init__(*args, **kwargs)
        self.invitation = invitation

    def clean(self):
        cleaned = super().clean()
        password1, password2 = cleaned.get("password1"), cleaned.get("password2")
        if password1 and password2:
            if password1 != password2:
                self.add_error("password2", _("The two passwords differ."))
            else:
                candidate = User(
                    email=self.invitation.email, display_name=cleaned.get("display_name", "")
                )
                try:
                    password_validation.validate_password(password1, candidate)
                except forms.ValidationError as error:
                    self.add_error("password1", error)
        return cleaned


# --- Mentoring sessions -------------------------------------------------------------

# A datetime-local input; Django reads its value in the active (the person's) time zone.
_LOCAL_DATETIME = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


class SessionScheduleForm(ServiceErrorsMixin, forms.Form):
    student = forms.ModelChoiceField(label=_("Student"), queryset=User.objects.none())
    scheduled_at = forms.DateTimeField(
        label=_("Date and time"),
        widget=_LOCAL_DATETIME,
        help_text=_("In your time zone; your student sees it in theirs."),
    )
    duration_minutes = forms.IntegerField(
        label=_("Duration (minutes)"), min_value=15, max_value=180, initial=45
    )
    agenda = forms.CharField(
        label=_("Agenda"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("What you will go through; your student sees it. Markdown."),
    )

    def __init__(self, *args, students, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["student"].queryset = students


class SessionLogForm(ServiceErrorsMixin, forms.Form):
    status = forms.ChoiceField(
        label=_("What happened"),
        choices=[(status.value, status.label) for status in SESSION_OUTCOMES],
        widget=forms.RadioSelect,
    )
    student_cancelled_at = forms.DateTimeField(
        label=_("When the student cancelled"),
        required=False,
        widget=_LOCAL_DATETIME,
        help_text=_("Only for a cancellation by the student; the notice is computed from it."),
    )
    summary = forms.CharField(
        label=_("Summary"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Your student reads this. Markdown."),
    )
    next_steps = forms.CharField(
        label=_("Next steps"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Your student reads this. Markdown."),
    )
    private_notes = forms.CharField(
        label=_("Private notes"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Only you, your supervisor and staff see these; never the student."),
    )


class SessionRatingForm(forms.Form):
    rating = forms.TypedChoiceField(
        label=_("How useful was the session?"),
        choices=[(value, str(value)) for value in range(1, 6)],
        coerce=int,
        widget=forms.RadioSelect,
    )
    comment = forms.CharField(
        label=_("Comment"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class SessionStatementForm(forms.Form):
    """Which mentor and month. ``mentors`` is the list the person may see, loaded
    once by the view for both the choices and the lookup."""

    mentor = forms.TypedChoiceField(label=_("Mentor"), coerce=int)
    month = forms.DateField(
        label=_("Month"),
        input_formats=["%Y-%m"],
        widget=forms.DateInput(attrs={"type": "month"}, format="%Y-%m"),
    )

    def __init__(self, *args, mentors: list[User], **kwargs):
        super().__init__(*args, **kwargs)
        self.mentors = {mentor.pk: mentor for mentor in mentors}
        self.fields["mentor"].choices = [(mentor.pk, str(mentor)) for mentor in mentors]

    def clean_mentor(self) -> User:
        return self.mentors[self.cleaned_data["mentor"]]


# --- Matching and assignment --------------------------------------------------------


class AssignmentForm(ServiceErrorsMixin, forms.Form):
    """Choose a student's mentor. The mentors offered are those the person may
    assign to (staff all, a supervisor their team); the service checks capacity."""

    mentor = forms.ModelChoiceField(
        label=_("Mentor"),
        queryset=User.objects.none(),
        widget=forms.RadioSelect,
        error_messages={
            "required": _("Choose a mentor."),
            "invalid_choice": _("Choose one of the mentors you may assign students to."),
        },
    )
    reason = forms.CharField(
        label=_("Reason"),
        max_length=255,
        required=False,
        help_text=_("Kept in the student's history of mentors."),
    )
    override_capacity = forms.BooleanField(
        label=_("Exceed the mentor's capacity"),
        required=False,
        help_text=_("Only with a reason."),
    )

    def __init__(self, *args, mentors, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["mentor"].queryset = mentors


# --- Case discussions ---------------------------------------------------------------


class CaseOpenForm(ServiceErrorsMixin, forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    audience = forms.ChoiceField(
        label=_("Who sees it"), choices=CaseAudience.choices, initial=CaseAudience.SUPERVISOR
    )
    student = forms.ModelChoiceField(
        label=_("About a student (optional)"),
        queryset=User.objects.none(),
        required=False,
        help_text=_("The student never sees the case."),
    )
    body = forms.CharField(
        label=_("The case"),
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_("What happened, what you tried, what you need. Markdown."),
    )

    def __init__(self, *args, students, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["student"].queryset = students


class CaseReplyForm(forms.Form):
    body = forms.CharField(
        label=_("Your reply"),
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Markdown."),
    )


class CaseFilterForm(forms.Form):
    show = forms.ChoiceField(
        label=_("Show"),
        required=False,
        choices=[
            ("", _("All")),
            ("open", _("Open")),
            ("resolved", _("Resolved")),
            ("mine", _("Mine")),
        ],
    )


# --- Self-development ---------------------------------------------------------------


class DevelopmentRecordForm(ServiceErrorsMixin, forms.Form):
    """A mentor records a programme of ours completed as a student, another course or
    an area of expertise. The field the kind does not use is ignored; the one it needs
    is required."""

    kind = forms.ChoiceField(
        label=_("What are you recording?"),
        choices=DevelopmentKind.choices,
        initial=DevelopmentKind.PROGRAMME,
        widget=forms.RadioSelect,
    )
    programme = forms.ModelChoiceField(
        label=_("Programme"),
        queryset=None,
        required=False,
        help_text=_("For a programme of ours you completed as a student."),
    )
    title = forms.CharField(
        label=_("Course or area of expertise"),
        max_length=200,
        required=False,
        help_text=_("For another course or an area of expertise."),
    )
    completed_on = forms.DateField(
        label=_("Completed on"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text=_("Needed for a programme or a course."),
    )
    evidence_url = forms.URLField(
        label=_("Certificate or evidence link"),
        max_length=500,
        required=False,
        assume_scheme="https",
    )
    note = forms.CharField(
        label=_("Note"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args, **kwargs):
        from projects.models import Programme

        super().__init__(*args, **kwargs)
        self.fields["programme"].queryset = Programme.objects.order_by("title")

    def clean(self):
        cleaned = super().clean()
        kind = cleaned.get("kind")
        if kind is None:
            return cleaned
        needed, ignored = (
            ("programme", "title") if kind == DevelopmentKind.PROGRAMME else ("title", "programme")
        )
        # What was typed in the field this kind ignores neither counts nor fails.
        self.errors.pop(ignored, None)
        cleaned[ignored] = "" if ignored == "title" else None
        if not cleaned.get(needed) and needed not in self.errors:
            self.add_error(
                needed,
                _("Choose the programme you completed.")
                if needed == "programme"
                else _("Name the course or the area of expertise."),
            )
        if (
            kind != DevelopmentKind.EXPERTISE
            and cleaned.get("completed_on") is None
            and "completed_on" not in self.errors
        ):
            self.add_error("completed_on", _("Say when you completed it."))
        return cleaned


class DevelopmentFilterForm(forms.Form):
    """Which records the list shows: one mentor's (among those the person may see)
    and, for staff, those awaiting verification or all."""

    AWAITING = "awaiting"
    ALL = "all"

    mentor = forms.TypedChoiceField(
        label=_("Mentor"),
        coerce=int,
        required=False,
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    show = forms.ChoiceField(
        label=_("Show"),
        required=False,
        choices=[(AWAITING, _("Awaiting verification")), (ALL, _("All"))],
        widget=forms.Select(attrs={"class": "form-select"}),
    )

    def __init__(self, *args, mentors: list[User], verification: bool, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["mentor"].choices = [("", _("All mentors"))] + [
            (mentor.pk, str(mentor)) for mentor in mentors
        ]
        if not verification:
            del self.fields["show"]


# --- Weekly reports -----------------------------------------------------------------


class WeeklyReportForm(ServiceErrorsMixin, forms.Form):
    """What the mentor adds to the figures before sending."""

    comments = forms.CharField(
        label=_("Comments"),
        required=False,
        max_length=10000,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("How the week went with your students. Markdown."),
    )
    difficulties = forms.CharField(
        label=_("Difficulties"),
        required=False,
        max_length=10000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("What got in the way, and what help you need. Markdown."),
    )


class WeeklyReportFilterForm(forms.Form):
    """Which week and which mentor a supervisor or staff member looks at. ``weeks``
    and ``mentors`` are loaded once by the view for the choices and the lookup."""

    week = forms.TypedChoiceField(
        label=_("Week of"),
        coerce=date.fromisoformat,
        error_messages={"invalid_choice": _("Choose one of the weeks listed.")},
    )
    mentor = forms.TypedChoiceField(
        label=_("Mentor"),
        coerce=int,
        required=False,
        empty_value=None,
        error_messages={"invalid_choice": _("Choose one of the mentors listed.")},
    )

    def __init__(self, *args, weeks: list, mentors: list[User], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["week"].choices = [
            (week.isoformat(), date_format(week, "DATE_FORMAT")) for week in weeks
        ]
        self.fields["mentor"].choices = [("", _("All mentors"))] + [
            (mentor.pk, str(mentor)) for mentor in mentors
        ]
