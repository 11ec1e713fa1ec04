"""Forms of weekly reports, self-development and programme analytics."""

from datetime import date

from django import forms
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from mentorship.forms import ServiceErrorsMixin
from mentorship.models import User
from projects.models import Programme

from .analytics import AnalyticsOrder
from .models import DevelopmentKind
from .periods import Period

# --- Self-development -----------------------------------------------------------------


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


# --- Weekly reports -------------------------------------------------------------------


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


# --- Programme analytics --------------------------------------------------------------


class PeriodField(forms.CharField):
    """A period by its key (``metrics.periods.Period``: ``2026-W42``, ``2026-10``,
    ``2026-Q4``), cleaned to a ``Period``; empty is None."""

    default_error_messages = {
        "invalid": _(
            "Not a period: write a month as 2026-10, a quarter as 2026-Q4 or a week as 2026-W42."
        ),
    }

    def to_python(self, value) -> Period | None:
        key = super().to_python(value)
        if not key:
            return None
        try:
            return Period.parse(key)
        except ValueError:
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid") from None

    def prepare_value(self, value) -> str:
        return value.key if isinstance(value, Period) else super().prepare_value(value)


class AnalyticsFilterForm(forms.Form):
    """The window programme analytics look at: a period, all time when empty. A bad
    period is shown beside the field and the page shows all time."""

    period = PeriodField(
        label=_("Period"),
        required=False,
        help_text=_(
            "A month (2026-10), a quarter (2026-Q4) or a week (2026-W42); all time when empty."
        ),
        widget=forms.TextInput(
            attrs={
                "class": "form-control form-control-sm",
                "placeholder": "2026-Q4",
                "autocomplete": "off",
                "size": 10,
                "maxlength": 10,
            }
        ),
    )
    order = forms.ChoiceField(
        label=_("Order"),
        required=False,
        choices=AnalyticsOrder.choices,
        widget=forms.HiddenInput,
    )
