"""Forms of the students pages. They clean input; ``services.py`` acts."""

from django import forms
from django.utils.translation import gettext_lazy as _

from mentorship.forms import ServiceErrorsMixin
from mentorship.models import StudentStatus
from projects.models import Programme

from .selectors import StudentSort, TimelineKind


class StudentFilterForm(forms.Form):
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
    sort = forms.ChoiceField(
        label=_("Sort by"),
        required=False,
        choices=StudentSort.choices,
        widget=forms.Select(attrs={"class": "form-select form-select-sm"}),
    )

    def __init__(self, *args, programmes, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["programme"].queryset = programmes


class TimelineFilterForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("Show"),
        required=False,
        choices=[("", _("Everything"))],
        widget=forms.Select(attrs={"class": "form-select form-select-sm"}),
    )

    def __init__(self, *args, with_notes: bool, **kwargs):
        super().__init__(*args, **kwargs)
        kinds = [
            (value, label)
            for value, label in TimelineKind.choices
            if with_notes or value != TimelineKind.NOTE
        ]
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
