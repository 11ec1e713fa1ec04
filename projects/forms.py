"""Forms of the review loop. They clean input; the services in ``services.py`` act."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from mentorship.forms import ServiceErrorsMixin
from mentorship.widgets import PlainSelect

from .models import Programme, Project, ReviewDraft, RubricCriterion, Verdict
from .services import CriterionInput, submission_file_problem

# --- Submitting (student) -------------------------------------------------------------


class MultipleFileInput(forms.FileInput):
    """A file input that lets the browser pick several files at once."""

    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several uploaded files, cleaned one by one (Django's "Uploading multiple files"
    recipe). Cleans to a list, empty when nothing was chosen."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput())
        # An empty file is refused by name with the others (``upload_problem``), not
        # by the field for the whole list.
        kwargs.setdefault("allow_empty_file", True)
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single_file_clean = super().clean
        if isinstance(data, list | tuple):
            return [single_file_clean(item, initial) for item in data if item]
        if data:
            return [single_file_clean(data, initial)]
        if self.required:
            raise ValidationError(self.error_messages["required"], code="required")
        return []


class SubmissionForm(ServiceErrorsMixin, forms.Form):
    """A new attempt at a project: files and/or a link, and a comment. Which of files
    and link are offered follows the project's deliverables. Each file is checked on
    its own (``submission_file_problem``): a refused one is named beside the field,
    the others are in ``accepted_files`` (kept for the next try when the form is
    refused). The service decides the rest (whether the student may submit now)."""

    files = MultipleFileField(label=_("Files"), required=False)
    link = forms.URLField(
        label=_("Link"),
        required=False,
        max_length=500,
        assume_scheme="https",
        help_text=_("A repository or a deployed site, e.g. https://github.com/you/project"),
    )
    comment = forms.CharField(
        label=_("Comment for your mentor"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args, project: Project, **kwargs):
        super().__init__(*args, **kwargs)
        self.project = project
        if project.accepts_files:
            extensions = sorted(project.allowed_extensions)
            self.fields["files"].widget.attrs["accept"] = ",".join(
                f".{extension}" for extension in extensions
            )
            self.fields["files"].help_text = _(
                "Allowed: %(types)s. Up to %(size)d MB per file."
            ) % {"types": ", ".join(extensions), "size": project.max_file_size_mb}
        else:
            del self.fields["files"]
        if not project.accepts_link:
            del self.fields["link"]
        self.accepted_files: list = []

    def clean(self):
        cleaned_data = super().clean()
        for upload in cleaned_data.get("files") or []:
            problem = submission_file_problem(project=self.project, upload=upload)
            if problem is None:
                self.accepted_files.append(upload)
            else:
                self.add_error("files", problem)
        return cleaned_data


# --- After approval (student) ---------------------------------------------------------


class DifficultyRatingForm(forms.Form):
    rating = forms.TypedChoiceField(
        label=_("How difficult was this project?"),
        choices=[
            (1, _("1 — very easy")),
            (2, _("2 — easy")),
            (3, _("3 — about right")),
            (4, _("4 — hard")),
            (5, _("5 — very hard")),
        ],
        coerce=int,
        widget=forms.RadioSelect,
    )
    comment = forms.CharField(
        label=_("Anything to add? (optional)"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


# --- Reviewing (mentor, supervisor, staff) --------------------------------------------


class QueueFilterForm(forms.Form):
    """The review queue's filters. The choices are the programmes and projects that
    have something in the person's queue, passed in by the view."""

    programme = forms.TypedChoiceField(
        label=_("Programme"),
        required=False,
        coerce=int,
        widget=PlainSelect(attrs={"class": "form-select form-select-sm"}),
    )
    project = forms.TypedChoiceField(
        label=_("Project"),
        required=False,
        coerce=int,
        widget=PlainSelect(attrs={"class": "form-select form-select-sm"}),
    )

    def __init__(self, *args, programmes: list, projects: list, **kwargs):
        """``programmes``: [(id, title)]; ``projects``: [(programme title, [(id, title)])]."""
        super().__init__(*args, **kwargs)
        self.fields["programme"].choices = [("", _("All programmes")), *programmes]
        self.fields["project"].choices = [("", _("All projects")), *projects]


MET, NOT_MET = "met", "not_met"


class ReviewForm(ServiceErrorsMixin, forms.Form):
    """A verdict on every rubric criterion (met / not met and a comment), overall
    feedback, and approve or request changes (the button pressed). Fields are named
    ``criterion_<id>_met`` and ``criterion_<id>_comment``."""

    feedback = forms.CharField(
        label=_("Overall feedback"),
        max_length=20000,
        widget=forms.Textarea(attrs={"rows": 8, "class": "form-control"}),
        help_text=_("Markdown. The student reads this first."),
    )
    verdict = forms.ChoiceField(label=_("Verdict"), choices=Verdict.choices)

    def __init__(self, *args, criteria: list[RubricCriterion], **kwargs):
        super().__init__(*args, **kwargs)
        self.criteria = criteria
        for criterion in criteria:
            self.fields[f"criterion_{criterion.pk}_met"] = forms.ChoiceField(
                label=criterion.title,
                choices=[(MET, _("Met")), (NOT_MET, _("Not met"))],
                widget=forms.RadioSelect,
                error_messages={"required": _("Say whether this criterion is met.")},
            )
            self.fields[f"criterion_{criterion.pk}_comment"] = forms.CharField(
                label=_("Comment on “%(criterion)s”") % {"criterion": criterion.title},
                required=False,
                max_length=5000,
                widget=forms.Textarea(
                    attrs={
                        "rows": 2,
                        "class": "form-control form-control-sm",
                        "placeholder": _("Comment (optional)"),
                    }
                ),
            )

    @classmethod
    def initial_from_draft(cls, draft: ReviewDraft | None) -> dict:
        """What the reviewer typed before, as the form's initial values."""
        if draft is None:
            return {}
        initial = {"feedback": draft.feedback}
        for criterion_id, value in (draft.criteria or {}).items():
            met = value.get("met")
            if met is not None:
                initial[f"criterion_{criterion_id}_met"] = MET if met else NOT_MET
            initial[f"criterion_{criterion_id}_comment"] = value.get("comment", "")
        return initial

    @staticmethod
    def draft_from_data(data, criteria: list[RubricCriterion]) -> dict:
        """Whatever has been typed so far, unvalidated, in ReviewDraft's shape."""
        draft = {}
        for criterion in criteria:
            met = data.get(f"criterion_{criterion.pk}_met")
            draft[str(criterion.pk)] = {
                "met": {MET: True, NOT_MET: False}.get(met),
                "comment": data.get(f"criterion_{criterion.pk}_comment", "")[:5000],
            }
        return draft

    def rows(self):
        """Each criterion with its two bound fields, in rubric order (for the template)."""
        return [
            (
                criterion,
                self[f"criterion_{criterion.pk}_met"],
                self[f"criterion_{criterion.pk}_comment"],
            )
            for criterion in self.criteria
        ]

    def criterion_inputs(self) -> dict:
        """The cleaned verdicts as the review service takes them."""
        return {
            criterion.pk: CriterionInput(
                met=self.cleaned_data[f"criterion_{criterion.pk}_met"] == MET,
                comment=self.cleaned_data[f"criterion_{criterion.pk}_comment"],
            )
            for criterion in self.criteria
        }


class ReassignForm(ServiceErrorsMixin, forms.Form):
    mentor = forms.ModelChoiceField(
        label=_("Mentor"),
        queryset=None,
        empty_label=_("Choose a mentor"),
        # Staff may hand a review to any of the school's mentors: 2,000 options.
        widget=PlainSelect(attrs={"class": "form-select form-select-sm"}),
    )

    def __init__(self, *args, mentors, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["mentor"].queryset = mentors


class ReviewNoteForm(ServiceErrorsMixin, forms.Form):
    title = forms.CharField(
        label=_("Title"),
        max_length=120,
        widget=forms.TextInput(attrs={"class": "form-control form-control-sm"}),
    )
    body = forms.CharField(
        label=_("Text"),
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3, "class": "form-control form-control-sm"}),
    )


# --- Recommendations (mentor) ---------------------------------------------------------


class RecommendationForm(ServiceErrorsMixin, forms.Form):
    """A programme of the school or an external course (title and link) for one of
    the mentor's students; the service checks the student and the either-or rule."""

    student = forms.ModelChoiceField(label=_("Student"), queryset=None)
    programme = forms.ModelChoiceField(
        label=_("Programme"),
        queryset=Programme.objects.filter(is_active=True),
        required=False,
    )
    course_title = forms.CharField(
        label=_("Or an external course"), max_length=200, required=False
    )
    course_url = forms.URLField(
        label=_("Course link"), max_length=500, required=False, assume_scheme="https"
    )
    note = forms.CharField(
        label=_("Why you recommend it"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args, students, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["student"].queryset = students
        for name, field in self.fields.items():
            select = name in ("student", "programme")
            field.widget.attrs["class"] = "form-select" if select else "form-control"

    def clean(self):
        cleaned = super().clean()
        has_programme = bool(cleaned.get("programme"))
        has_course = bool(cleaned.get("course_title") or cleaned.get("course_url"))
        if has_programme == has_course:
            raise ValidationError(
                _("Recommend either a programme or an external course (title and link).")
            )
        if has_course and not (cleaned.get("course_title") and cleaned.get("course_url")):
            raise ValidationError(_("An external course needs both a title and a link."))
        return cleaned
