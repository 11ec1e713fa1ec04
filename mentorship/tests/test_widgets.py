"""``PlainSelect``: Django's drop-down HTML, rendered without a template per option."""

import pytest
from django import forms

from mentorship.models import User
from mentorship.widgets import PlainSelect

CHOICES = [
    ("", "All projects"),
    ("Data & <Science>", [(1, "Loops"), (2, 'Say "hi"')]),
    ("Web", [(3, "Forms")]),
]


class _Filter(forms.Form):
    def __init__(self, *args, widget, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["project"] = forms.ChoiceField(
            choices=CHOICES,
            required=False,
            widget=widget(attrs={"class": "form-select form-select-sm"}),
        )


@pytest.mark.parametrize("data", [None, {"project": "2"}, {"project": ""}, {"project": "9"}])
def test_it_renders_a_filter_as_djangos_select_does(data):
    django_select = str(_Filter(data, widget=forms.Select)["project"])

    assert str(_Filter(data, widget=PlainSelect)["project"]) == django_select


def test_it_escapes_labels_and_marks_the_chosen_option():
    html = str(_Filter({"project": "2"}, widget=PlainSelect)["project"])

    assert '<optgroup label="Data &amp; &lt;Science&gt;">' in html
    assert '<option value="2" selected>Say &quot;hi&quot;</option>' in html


def test_it_renders_a_choice_of_objects_as_djangos_select_does(db, mentor, other_mentor):
    def field(widget):
        class _Choice(forms.Form):
            mentor = forms.ModelChoiceField(
                queryset=User.objects.mentors().order_by("pk"),
                empty_label="Choose a mentor",
                widget=widget(attrs={"class": "form-select"}),
            )

        return str(_Choice({"mentor": str(other_mentor.pk)})["mentor"])

    assert field(PlainSelect) == field(forms.Select)
    assert f'<option value="{other_mentor.pk}" selected>' in field(PlainSelect)
