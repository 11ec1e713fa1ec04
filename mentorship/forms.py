"""Forms about people: preferences, profiles and invitations; ``ServiceErrorsMixin``
for every app's forms."""

from django import forms
from django.conf import settings
from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from django.utils.translation import get_language_info
from django.utils.translation import gettext_lazy as _

from .models import TIME_ZONE_CHOICES, ContentLanguage, Invitation, Role, User
from .selectors import PEOPLE_SEARCH_MAX_LENGTH


def people_search_field() -> forms.CharField:
    """The search box of a people list (``mentorship.selectors.people_matching``)."""
    return forms.CharField(
        label=_("Name or e-mail"),
        required=False,
        max_length=PEOPLE_SEARCH_MAX_LENGTH,
        widget=forms.TextInput(
            attrs={
                "type": "search",
                "class": "form-control form-control-sm",
                "placeholder": _("Search"),
                "autocomplete": "off",
            }
        ),
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
    call_url = forms.URLField(
        label=_("Default call link"),
        required=False,
        max_length=500,
        assume_scheme="https",
        help_text=_(
            "Your video call room: every session booked or scheduled with you gets it, "
            "and you can change it on each session."
        ),
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
