"""Forms of the students pages. They clean input; ``services.py`` acts."""

from datetime import datetime

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from mentorship.forms import ServiceErrorsMixin, people_search_field
from mentorship.models import (
    Role,
    StudentStatus,
    User,
)
from projects.models import Programme

from .availability import BOOKING_WEEKS, BOOKING_WEEKS_MAX, FreeSlot
from .models import (
    SESSION_MAX_MINUTES,
    SESSION_OUTCOMES,
    FlagSeverity,
    FlagVerdict,
    IncidentStatus,
    OutreachKind,
    Weekday,
)
from .selectors import StudentSort, TimelineKind


class StudentSearchForm(forms.Form):
    """A people list searched by name or e-mail, and nothing else."""

    q = people_search_field()


class StudentFilterForm(forms.Form):
    """The student list's filters. ``mentors``: those whose students the person may
    pick out (a supervisor's team, every mentor for staff); None leaves the filter out
    (a mentor sees only their own students)."""

    q = people_search_field()
    mentor = forms.ModelChoiceField(
        label=_("Mentor"),
        required=False,
        queryset=User.objects.none(),
        empty_label=_("Any mentor"),
        widget=forms.Select(attrs={"class": "form-select form-select-sm"}),
    )
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("", _("Any status")), *StudentStatus.choices],
        widget=forms.Select(attrs={"class": "form-select form-select-sm"}),
    )
    programme = forms.ModelChoiceField(
        label=_("Programme"),
        required=False,
        queryset=Programme.objects.none(),
        empty_label=_("Any programme"),
        widget=forms.Select(attrs={"class": "form-select form-select-sm"}),
    )
    behind = forms.BooleanField(
        label=_("Behind plan only"),
        required=False,
        widget=forms.CheckboxInput(attrs={"class": "form-check-input"}),
    )
    flagged = forms.BooleanField(
        label=_("Flagged only"),
        required=False,
        widget=forms.CheckboxInput(attrs={"class": "form-check-input"}),
    )
    sort = forms.ChoiceField(
        label=_("Sort by"),
        required=False,
        choices=StudentSort.choices,
        widget=forms.Select(attrs={"class": "form-select form-select-sm"}),
    )

    def __init__(self, *args, programmes, mentors=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["programme"].queryset = programmes
        if mentors is None:
            del self.fields["mentor"]
        else:
            self.fields["mentor"].queryset = mentors


class TimelineFilterForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("Show"),
        required=False,
        choices=[("", _("Everything"))],
        widget=forms.Select(attrs={"class": "form-select form-select-sm"}),
    )

    def __init__(self, *args, with_notes: bool, **kwargs):
        super().__init__(*args, **kwargs)
        kinds = TimelineKind.visible(with_notes=with_notes)
        self.fields["kind"].choices = [("", _("Everything")), *kinds]


class MentorNoteForm(ServiceErrorsMixin, forms.Form):
    body = forms.CharField(
        label=_("Private note"),
        max_length=10000,
        widget=forms.Textarea(attrs={"rows": 4, "class": "form-control"}),
        help_text=_(
            "Markdown. Seen by the student's mentor, their supervisor and staff; "
            "never by the student."
        ),
    )


# --- Incidents between students -------------------------------------------------------


def incident_arbitrator_choices() -> QuerySet[User]:
    """Who the forms offer as arbitrator: active supervisors and staff."""
    return User.objects.filter(is_active=True, role__in=[Role.SUPERVISOR, Role.STAFF]).order_by(
        "display_name", "email"
    )


class IncidentFilterForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("", _("All")), *IncidentStatus.choices],
        widget=forms.Select(attrs={"class": "form-select form-select-sm"}),
    )
    arbitrating = forms.BooleanField(
        label=_("Only those I arbitrate"),
        required=False,
        widget=forms.CheckboxInput(attrs={"class": "form-check-input"}),
    )


class IncidentRecordForm(ServiceErrorsMixin, forms.Form):
    title = forms.CharField(label=_("Summary"), max_length=200)
    occurred_on = forms.DateField(
        label=_("When it happened"),
        initial=timezone.localdate,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    students = forms.ModelMultipleChoiceField(
        label=_("Students involved"),
        queryset=User.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("The students you look after. Students never see incidents."),
    )
    other_students = forms.CharField(
        label=_("Other students (e-mail addresses, one per line)"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Students involved whom you do not look after."),
    )
    description = forms.CharField(
        label=_("What happened"),
        max_length=10000,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_("Markdown. Never shown to the students."),
    )
    arbitrator = forms.ModelChoiceField(
        label=_("Arbitrator"),
        queryset=User.objects.none(),
        required=False,
        empty_label=_("Default: a mentor's supervisor, otherwise you"),
    )

    def __init__(self, *args, looked_after: QuerySet[User] | None, **kwargs):
        """``looked_after``: the students offered as checkboxes; None for staff, who
        look after everyone and name the students by e-mail."""
        super().__init__(*args, **kwargs)
        if looked_after is None:
            del self.fields["students"]
            self.fields["other_students"].label = _(
                "Students involved (e-mail addresses, one per line)"
            )
            self.fields["other_students"].help_text = ""
        else:
            self.fields["students"].queryset = looked_after
        self.fields["arbitrator"].queryset = incident_arbitrator_choices()

    def clean_other_students(self) -> list[User]:
        emails = list(
            dict.fromkeys(
                line.strip().lower()
                for line in self.cleaned_data["other_students"].splitlines()
                if line.strip()
            )
        )
        if not emails:
            return []
        found = {
            student.email_lower: student
            for student in User.objects.annotate(email_lower=Lower("email")).filter(
                role=Role.STUDENT, email_lower__in=emails
            )
        }
        unknown = [email for email in emails if email not in found]
        if unknown:
            raise ValidationError(
                _("No student has these e-mail addresses: %(emails)s."),
                code="unknown",
                params={"emails": ", ".join(unknown)},
            )
        return [found[email] for email in emails]

    def clean(self):
        cleaned_data = super().clean()
        chosen = [*cleaned_data.get("students", []), *cleaned_data.get("other_students", [])]
        cleaned_data["involved"] = list({student.pk: student for student in chosen}.values())
        return cleaned_data

    def add_service_error(self, error: ValidationError) -> None:
        # Staff have no checkboxes: what the service says about the students goes
        # beside the e-mail addresses.
        if "students" not in self.fields and "students" in getattr(error, "error_dict", {}):
            error.error_dict["other_students"] = error.error_dict.pop("students")
        super().add_service_error(error)


class IncidentResolveForm(ServiceErrorsMixin, forms.Form):
    resolution = forms.CharField(
        label=_("Resolution"),
        max_length=10000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("How it ended and what was agreed. Markdown."),
    )


class IncidentArbitratorForm(ServiceErrorsMixin, forms.Form):
    arbitrator = forms.ModelChoiceField(label=_("New arbitrator"), queryset=User.objects.none())

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["arbitrator"].queryset = incident_arbitrator_choices()


# --- At-risk flags --------------------------------------------------------------------


class FlagFilterForm(forms.Form):
    severity = forms.ChoiceField(
        label=_("Severity"),
        required=False,
        choices=[("", _("Any severity")), *FlagSeverity.choices],
        widget=forms.Select(attrs={"class": "form-select form-select-sm"}),
    )
    acknowledged = forms.ChoiceField(
        label=_("Acknowledged"),
        required=False,
        choices=[("", _("Either")), ("no", _("Not yet")), ("yes", _("Yes"))],
        widget=forms.Select(attrs={"class": "form-select form-select-sm"}),
    )
    mentor = forms.ModelChoiceField(
        label=_("Mentor"),
        required=False,
        queryset=User.objects.none(),
        empty_label=_("Any mentor"),
        widget=forms.Select(attrs={"class": "form-select form-select-sm"}),
    )

    def __init__(
        self, *args, mentors: QuerySet[User] | None, mentor_by_link: bool = False, **kwargs
    ):
        """``mentors``: those the mentor filter accepts; None leaves it out (a mentor
        sees only their own students' flags). ``mentor_by_link``: for staff, whose
        mentors are the whole school's, the filter is not a list of every mentor (a
        page of thousands of options) but the one chosen from the queue, where each
        mentor's name links to their students' flags."""
        super().__init__(*args, **kwargs)
        if mentors is None:
            del self.fields["mentor"]
            return
        self.fields["mentor"].queryset = mentors
        if mentor_by_link:
            self.fields["mentor"].widget = ChosenMentorInput()

    def clean_mentor(self):
        mentor = self.cleaned_data.get("mentor")
        widget = self.fields["mentor"].widget
        if isinstance(widget, ChosenMentorInput):
            widget.chosen = mentor
        return mentor


class ChosenMentorInput(forms.HiddenInput):
    """The mentor filter chosen from the queue (``FlagFilterForm``): kept in a hidden
    field, shown by name."""

    chosen: User | None = None

    def render(self, name, value, attrs=None, renderer=None):
        hidden = super().render(name, value, attrs, renderer)
        if self.chosen is not None:
            text = str(self.chosen)
        else:
            text = _("Any; choose one by their name in the queue")
        return format_html(
            '{}<span class="d-block small py-1" data-testid="flag-mentor-chosen">{}</span>',
            hidden,
            text,
        )


class FlagOutreachForm(ServiceErrorsMixin, forms.Form):
    kind = forms.ChoiceField(
        label=_("What you did"),
        choices=OutreachKind.choices,
        widget=forms.Select(attrs={"class": "form-select form-select-sm"}),
    )
    note = forms.CharField(
        label=_("Note"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 2, "class": "form-control form-control-sm"}),
        help_text=_("What was said or agreed. Never shown to the student."),
    )


class FlagVerdictForm(ServiceErrorsMixin, forms.Form):
    verdict = forms.ChoiceField(label=_("Was this flag useful?"), choices=FlagVerdict.choices)


# --- Mentoring sessions ---------------------------------------------------------------


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
    call_url = forms.URLField(
        label=_("Call link"),
        required=False,
        max_length=500,
        assume_scheme="https",
        help_text=_("Leave empty for the default call link of your profile."),
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


class SessionCallUrlForm(ServiceErrorsMixin, forms.Form):
    call_url = forms.URLField(
        label=_("Call link"),
        required=False,
        max_length=500,
        assume_scheme="https",
        help_text=_("The video call address your student opens; empty to remove it."),
    )


class AvailabilitySlotForm(ServiceErrorsMixin, forms.Form):
    """A weekly time a mentor offers, on their own clock."""

    weekday = forms.TypedChoiceField(label=_("Day"), choices=Weekday.choices, coerce=int)
    start_time = forms.TimeField(
        label=_("Start time"),
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
        help_text=_("In your time zone."),
    )
    duration_minutes = forms.IntegerField(
        label=_("Duration (minutes)"),
        min_value=15,
        max_value=SESSION_MAX_MINUTES,
        initial=45,
    )


class AvailabilityBlockForm(ServiceErrorsMixin, forms.Form):
    """Days a mentor is away, both ends included."""

    starts_on = forms.DateField(
        label=_("From"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    ends_on = forms.DateField(
        label=_("To (included)"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    note = forms.CharField(
        label=_("Note"),
        required=False,
        max_length=200,
        help_text=_("For you only, e.g. holiday."),
    )


class BookingWeeksForm(forms.Form):
    """How many weeks ahead the booking page looks; a bad value is the default."""

    weeks = forms.IntegerField(min_value=1, max_value=BOOKING_WEEKS_MAX, required=False)

    def weeks_or_default(self) -> int:
        if self.is_valid() and self.cleaned_data["weeks"]:
            return self.cleaned_data["weeks"]
        return BOOKING_WEEKS


class SessionBookingForm(ServiceErrorsMixin, forms.Form):
    """One of the free times on the page (``slots``), named by its start in UTC."""

    scheduled_at = forms.ChoiceField(
        label=_("Time"),
        widget=forms.RadioSelect,
        error_messages={
            "required": _("Choose a time."),
            "invalid_choice": _("This time is no longer free; choose another."),
        },
    )
    agenda = forms.CharField(
        label=_("What would you like to talk about?"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Optional; your mentor reads it before the session. Markdown."),
    )

    def __init__(self, *args, slots: list[FreeSlot], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["scheduled_at"].choices = [(slot.key, slot.key) for slot in slots]

    def clean_scheduled_at(self) -> datetime:
        return datetime.fromisoformat(self.cleaned_data["scheduled_at"])


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


# --- Matching a student with a mentor -------------------------------------------------


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
