"""Forms of weekly reports, self-development, second reading, review consistency, the
students' surveys, the scorecard pages' period picker and programme analytics."""

from datetime import date
from zoneinfo import ZoneInfo

from django import forms
from django.core.exceptions import ValidationError
from django.http import QueryDict
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from mentorship.forms import ServiceErrorsMixin, people_search_field
from mentorship.models import Role, User
from projects.models import Programme

from .analytics import AnalyticsOrder
from .models import DevelopmentKind, SurveyContinue
from .periods import Period
from .scorecards import default_period

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


# --- Second reading and review consistency --------------------------------------------


class SecondReadingForm(ServiceErrorsMixin, forms.Form):
    """A second reader's rating of one review: 1-5 and a comment."""

    rating = forms.TypedChoiceField(
        label=_("Rating"),
        choices=[(value, str(value)) for value in range(1, 6)],
        coerce=int,
        widget=forms.RadioSelect,
        error_messages={
            "required": _("Rate the review from 1 to 5."),
            "invalid_choice": _("Rate the review from 1 to 5."),
        },
    )
    comment = forms.CharField(
        label=_("Comment"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


def _team_choices(teams: list[User]) -> list[tuple]:
    return [("", _("All teams"))] + [(supervisor.pk, str(supervisor)) for supervisor in teams]


class SecondReadingFilterForm(forms.Form):
    """Whose reviews the sample shows: one mentor's among those the person reads and,
    for staff, one supervisor's team. ``mentors`` and ``teams`` are loaded once by the
    view; ``teams`` is None for a supervisor (their team is the only one)."""

    team = forms.TypedChoiceField(
        label=_("Team"),
        coerce=int,
        required=False,
        empty_value=None,
        widget=forms.Select(attrs={"class": "form-select form-select-sm"}),
        error_messages={"invalid_choice": _("Choose one of the teams listed.")},
    )
    mentor = forms.TypedChoiceField(
        label=_("Mentor"),
        coerce=int,
        required=False,
        empty_value=None,
        widget=forms.Select(attrs={"class": "form-select form-select-sm"}),
        error_messages={"invalid_choice": _("Choose one of the mentors listed.")},
    )

    def __init__(self, *args, mentors: list[User], teams: list[User] | None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["mentor"].choices = [("", _("All mentors"))] + [
            (mentor.pk, str(mentor)) for mentor in mentors
        ]
        if teams is None:
            del self.fields["team"]
        else:
            self.fields["team"].choices = _team_choices(teams)


class ConsistencyFilterForm(forms.Form):
    """Which period the review consistency covers (a key ``metrics.periods.Period``
    reads: ``2026-10``, ``2026-Q4``, ``2026-W42``; empty: the current month) and, for
    staff, which supervisor's team (empty: every mentor)."""

    period = forms.CharField(
        label=_("Period"),
        required=False,
        widget=forms.TextInput(
            attrs={"class": "form-control form-control-sm", "placeholder": "2026-10"}
        ),
        help_text=_("A month (2026-10), a quarter (2026-Q4) or a week (2026-W42)."),
    )
    team = forms.TypedChoiceField(
        label=_("Team"),
        coerce=int,
        required=False,
        empty_value=None,
        widget=forms.Select(attrs={"class": "form-select form-select-sm"}),
        error_messages={"invalid_choice": _("Choose one of the teams listed.")},
    )

    def __init__(self, *args, teams: list[User] | None, **kwargs):
        super().__init__(*args, **kwargs)
        if teams is None:
            del self.fields["team"]
        else:
            self.fields["team"].choices = _team_choices(teams)

    def clean_period(self) -> Period | None:
        key = self.cleaned_data["period"].strip()
        if not key:
            return None
        try:
            return Period.parse(key)
        except ValueError:
            raise forms.ValidationError(
                _(
                    "Write the period as a month (2026-10), a quarter (2026-Q4) "
                    "or a week (2026-W42)."
                )
            ) from None


# --- Student surveys ------------------------------------------------------------------


class SurveyScoreForm(ServiceErrorsMixin, forms.Form):
    """The survey's one-click question: each score is a submit button of its own."""

    score = forms.TypedChoiceField(
        label=_("How likely are you to recommend your mentoring to a friend?"),
        coerce=int,
        choices=[(value, str(value)) for value in range(11)],
        error_messages={
            "required": _("Choose a score from 0 to 10."),
            "invalid_choice": _("Choose a score from 0 to 10."),
        },
    )


class SurveyFollowUpForm(ServiceErrorsMixin, forms.Form):
    """The survey's optional questions, asked once the score is recorded."""

    plans_to_continue = forms.ChoiceField(
        label=_("Do you plan to continue your studies?"),
        choices=SurveyContinue.choices,
        required=False,
        widget=forms.RadioSelect,
        error_messages={"invalid_choice": _("Choose yes, no or not sure yet.")},
    )
    comment = forms.CharField(
        label=_("Anything you would like to tell us?"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Your comment goes to your mentor's supervisor, not to your mentor."),
    )


class SurveyAnswerFilterForm(forms.Form):
    """Which survey answers a supervisor or staff member reads: about one mentor (among
    those they may see, passed in by the view) and answered in one period."""

    mentor = forms.TypedChoiceField(
        label=_("Mentor"),
        coerce=int,
        required=False,
        empty_value=None,
        error_messages={"invalid_choice": _("Choose one of the mentors listed.")},
        widget=forms.Select(attrs={"class": "form-select form-select-sm"}),
    )
    period = forms.CharField(
        label=_("Answered in"),
        required=False,
        max_length=10,
        widget=forms.TextInput(
            attrs={"class": "form-control form-control-sm", "placeholder": "2026-10", "size": 9}
        ),
    )

    def __init__(self, *args, mentors: list[User], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["mentor"].choices = [("", _("All mentors"))] + [
            (mentor.pk, str(mentor)) for mentor in mentors
        ]

    def clean_period(self) -> Period | None:
        key = self.cleaned_data["period"].strip().upper()
        if not key:
            return None
        try:
            return Period.parse(key)
        except ValueError:
            raise forms.ValidationError(
                _("Write a month (2026-10), a quarter (2026-Q4) or a week (2026-W42).")
            ) from None


# --- Scorecards and the team dashboard ------------------------------------------------


class PeriodForm(forms.Form):
    """The period a scorecard or the dashboard shows, as its key (2026-W42, 2026-10,
    2026-Q4). A key that names no period, or one that has not begun on the reader's
    calendar, is an error beside the field; ``chosen_period()`` then falls back to
    ``default``."""

    period = forms.CharField(
        label=_("Period"),
        max_length=10,
        required=False,
        help_text=_("A week, a month or a quarter: 2026-W42, 2026-10 or 2026-Q4."),
        widget=forms.TextInput(attrs={"class": "form-control form-control-sm w-auto", "size": 9}),
    )

    def __init__(self, *args, zone: ZoneInfo, default: Period, **kwargs):
        super().__init__(*args, **kwargs)
        self.zone = zone
        self.default = default

    @classmethod
    def from_query(cls, query: QueryDict, *, zone: ZoneInfo, **kwargs) -> "PeriodForm":
        """The form bound to a page's query, the default period (``default_period``)
        filled in when the query names none, so the field always shows a key."""
        default = default_period(zone)
        data = query.copy()
        if not data.get("period"):
            data["period"] = default.key
        return cls(data, zone=zone, default=default, **kwargs)

    def clean_period(self) -> Period | None:
        key = self.cleaned_data["period"].strip()
        if not key:
            return None
        try:
            period = Period.parse(key)
        except ValueError:
            raise ValidationError(
                _("Write a week, a month or a quarter, as 2026-W42, 2026-10 or 2026-Q4."),
                code="invalid",
            ) from None
        today = timezone.now().astimezone(self.zone).date()
        if period.start > today:
            raise ValidationError(
                _("%(period)s has not begun yet."), code="future", params={"period": period.label}
            )
        return period

    def chosen_period(self) -> Period:
        """The period asked for, or the default when none was or it was wrong."""
        if not self.is_bound:
            return self.default
        self.is_valid()  # the fields that are valid apply; the others keep their defaults
        return self.cleaned_data.get("period") or self.default


class DashboardFilterForm(PeriodForm):
    """The dashboard's period, for staff the team (one supervisor's mentors), and a
    search of the mentors by name or e-mail."""

    supervisor = forms.ModelChoiceField(
        label=_("Supervisor"),
        queryset=User.objects.none(),
        required=False,
        empty_label=_("All teams"),
        error_messages={"invalid_choice": _("Choose one of the supervisors listed.")},
        widget=forms.Select(attrs={"class": "form-select form-select-sm"}),
    )

    q = people_search_field()

    def __init__(self, *args, teams: bool, **kwargs):
        super().__init__(*args, **kwargs)
        if teams:
            self.fields["supervisor"].queryset = User.objects.filter(
                role=Role.SUPERVISOR
            ).order_by("display_name", "email")
        else:
            del self.fields["supervisor"]

    def chosen_search(self) -> str:
        """The mentors' names or e-mail searched for; "" when none (or too long,
        which is said beside the field)."""
        if not self.is_bound:
            return ""
        self.is_valid()
        return self.cleaned_data.get("q") or ""

    def chosen_supervisor(self) -> User | None:
        """The team asked for (staff only), or None for every mentor."""
        if "supervisor" not in self.fields or not self.is_bound:
            return None
        self.is_valid()
        return self.cleaned_data.get("supervisor")


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
