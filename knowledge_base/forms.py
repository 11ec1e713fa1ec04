"""Forms of the knowledge base."""

from django import forms
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from mentorship.forms import ServiceErrorsMixin
from mentorship.models import ContentLanguage, Role, User
from mentorship.widgets import PlainSelect
from projects.models import Programme, Project

from .models import (
    ArticleStatus,
    CaseAudience,
    ProposalStatus,
    ProposalSubject,
    Question,
    QuestionStatus,
    QuestionVisibility,
    Topic,
)
from .patterns import DEFAULT_PERIOD_DAYS, Split

# --- Case discussions -----------------------------------------------------------------


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


# --- Improvement proposals ------------------------------------------------------------


class ProposalForm(ServiceErrorsMixin, forms.Form):
    subject = forms.ChoiceField(label=_("About"), choices=ProposalSubject.choices)
    programme = forms.ModelChoiceField(
        label=_("Programme"), queryset=Programme.objects.all(), required=False
    )
    project = forms.ModelChoiceField(
        label=_("Project"),
        queryset=Project.objects.select_related("programme").order_by("programme", "position"),
        required=False,
    )
    title = forms.CharField(label=_("Title"), max_length=200)
    body = forms.CharField(
        label=_("Your proposal"),
        max_length=20000,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_("Markdown is allowed."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, field in self.fields.items():
            select = name in ("subject", "programme", "project")
            field.widget.attrs["class"] = "form-select" if select else "form-control"


class ProposalUpdateForm(ServiceErrorsMixin, forms.Form):
    status = forms.ChoiceField(label=_("New status"), choices=ProposalStatus.choices)
    reply = forms.CharField(
        label=_("Reply to the author"),
        required=False,
        max_length=20000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["status"].widget.attrs["class"] = "form-select"
        self.fields["reply"].widget.attrs["class"] = "form-control"


# --- Articles -------------------------------------------------------------------------


# The list's "show" choice for the articles a person wrote, whatever their status.
ARTICLES_MINE = "mine"


class ProjectLabelMixin:
    """A project named with its programme, as projects of several are offered."""

    def label_from_instance(self, obj: Project) -> str:
        return f"{obj.programme.title}: {obj.title}"


class ProjectChoiceField(ProjectLabelMixin, forms.ModelMultipleChoiceField):
    pass


class ProjectFilterField(ProjectLabelMixin, forms.ModelChoiceField):
    pass


class ArticleForm(ServiceErrorsMixin, forms.Form):
    """Writing or editing an article. The programmes and projects offered are those the
    person may relate it to (``article_programmes_for``), the article's own included."""

    title = forms.CharField(label=_("Title"), max_length=200)
    body = forms.CharField(
        label=_("Text"),
        max_length=50000,
        widget=forms.Textarea(attrs={"rows": 14}),
        help_text=_("Markdown. Leave out students' names and anything private."),
    )
    language = forms.ChoiceField(
        label=_("Language of the article"), choices=ContentLanguage.choices
    )
    topics = forms.ModelMultipleChoiceField(
        label=_("Topics"),
        queryset=Topic.objects.all(),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 6}),
    )
    programmes = forms.ModelMultipleChoiceField(
        label=_("Programmes"),
        queryset=Programme.objects.none(),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 4}),
        help_text=_("Students of these programmes read it. None: the whole school."),
    )
    projects = ProjectChoiceField(
        label=_("Projects"),
        queryset=Project.objects.none(),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 6}),
        help_text=_("Projects of the chosen programmes."),
    )

    def __init__(self, *args, programmes, projects, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["programmes"].queryset = programmes
        self.fields["projects"].queryset = projects.order_by("programme__title", "position")


class ArticleFilterForm(forms.Form):
    """The article list's filters. Students are offered their own programmes and no
    status (they read published articles only)."""

    programme = forms.ModelChoiceField(
        label=_("Programme"),
        queryset=Programme.objects.none(),
        required=False,
        empty_label=_("All programmes"),
        widget=PlainSelect,
    )
    project = ProjectFilterField(
        label=_("Project"),
        queryset=Project.objects.none(),
        required=False,
        empty_label=_("All projects"),
        widget=PlainSelect,
    )
    topic = forms.ModelChoiceField(
        label=_("Topic"),
        queryset=Topic.objects.all(),
        required=False,
        empty_label=_("All topics"),
        widget=PlainSelect,
    )
    language = forms.ChoiceField(
        label=_("Language"),
        choices=[("", _("All languages")), *ContentLanguage.choices],
        required=False,
        widget=PlainSelect,
    )
    status = forms.ChoiceField(label=_("Show"), required=False, widget=PlainSelect)

    def __init__(self, *args, user: User, programmes, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["programme"].queryset = programmes
        self.fields["project"].queryset = (
            Project.objects.filter(programme__in=programmes)
            .select_related("programme")
            .order_by("programme__title", "position")
        )
        if user.role == Role.STUDENT:
            del self.fields["status"]
        else:
            drafts = _("Drafts") if user.role == Role.STAFF else _("My drafts")
            self.fields["status"].choices = [
                ("", _("Published articles")),
                (ArticleStatus.DRAFT, drafts),
                (ArticleStatus.ARCHIVED, _("Archived")),
                (ARTICLES_MINE, _("Written by me")),
            ]
        for field in self.fields.values():
            field.widget.attrs["class"] = "form-select form-select-sm"


# --- Question patterns ----------------------------------------------------------------


class PatternFilterForm(forms.Form):
    period = forms.TypedChoiceField(
        label=_("Period"),
        required=False,
        coerce=int,
        empty_value=DEFAULT_PERIOD_DAYS,
        choices=[(30, _("Last 30 days")), (90, _("Last 90 days")), (365, _("Last 365 days"))],
        initial=DEFAULT_PERIOD_DAYS,
        widget=forms.Select(attrs={"class": "form-select form-select-sm"}),
    )
    programme = forms.ModelChoiceField(
        label=_("Programme"),
        required=False,
        queryset=Programme.objects.none(),
        empty_label=_("All my programmes"),
        widget=forms.Select(attrs={"class": "form-select form-select-sm"}),
    )
    split = forms.ChoiceField(
        label=_("Split questions by"),
        required=False,
        choices=Split.choices,
        initial=Split.PROJECT,
        widget=forms.Select(attrs={"class": "form-select form-select-sm"}),
    )

    def __init__(self, *args, programmes, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["programme"].queryset = programmes


# --- Questions ------------------------------------------------------------------------


class QuestionAskForm(ServiceErrorsMixin, forms.Form):
    """A student's question. The programme is asked only of a student with several;
    the projects and topics offered are those of their programmes."""

    title = forms.CharField(
        label=_("Your question in one sentence"),
        max_length=200,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    body = forms.CharField(
        label=_("Details"),
        required=False,
        max_length=20000,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_(
            "What you tried and what happened. Markdown: `code` in backticks, code blocks "
            "between ``` lines (name the language after the first ``` to colour it)."
        ),
    )
    programme = forms.ModelChoiceField(
        label=_("Programme"), queryset=Programme.objects.none(), required=False
    )
    project = forms.ModelChoiceField(
        label=_("About a project (optional)"),
        queryset=Project.objects.none(),
        required=False,
        empty_label=_("No particular project"),
    )
    topics = forms.ModelMultipleChoiceField(
        label=_("Topics (optional)"),
        queryset=Topic.objects.all(),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 5}),
        help_text=_("To choose several on a computer, hold Ctrl (⌘ on a Mac) while clicking."),
    )
    visibility = forms.ChoiceField(
        label=_("Who can see it"),
        choices=QuestionVisibility.choices,
        initial=QuestionVisibility.PRIVATE,
        widget=forms.RadioSelect,
    )
    hide_name = forms.BooleanField(
        label=_("Hide my name from other students"),
        required=False,
        help_text=_("Only for a question public to the programme. Mentors still see it."),
    )

    def __init__(self, *args, programmes, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["programme"].queryset = programmes
        self.fields["project"].queryset = (
            Project.objects.filter(programme__in=programmes)
            .select_related("programme")
            .order_by("programme__title", "position")
        )
        if len(self.fields["programme"].queryset) < 2:
            # One programme: the question is about it; nothing to ask.
            del self.fields["programme"]
        # Suggestions appear below the title while it is typed.
        self.fields["title"].widget.attrs.update(
            {
                "hx-get": reverse("knowledge_base:question_suggest"),
                "hx-trigger": "input changed delay:400ms, keyup changed delay:400ms",
                "hx-target": "#suggestions",
                "hx-sync": "this:replace",
            }
        )


class AnswerForm(ServiceErrorsMixin, forms.Form):
    body = forms.CharField(
        label=_("Your answer"),
        max_length=20000,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("Markdown; code blocks between ``` lines."),
    )


class FollowUpForm(AnswerForm):
    """The asker's post in their own thread: it reopens the question."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["body"].label = _("Add details or say it is not solved yet")
        self.fields["body"].widget.attrs["rows"] = 4


class DuplicateForm(ServiceErrorsMixin, forms.Form):
    """The question this one duplicates, picked from the search beside it."""

    original = forms.ModelChoiceField(
        label=_("Original question"),
        queryset=Question.objects.none(),
        widget=forms.HiddenInput,
        error_messages={
            "required": _("Search for the original question and choose it."),
            "invalid_choice": _("Choose a question from the search results."),
        },
    )

    def __init__(self, *args, candidates, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["original"].queryset = candidates


class DeflectionForm(forms.Form):
    """ "This solved it": which suggestion, and what the student was typing."""

    kind = forms.ChoiceField(choices=[("article", "article"), ("question", "question")])
    pk = forms.IntegerField(min_value=1)
    query = forms.CharField(required=False, max_length=500)


class ScopeFilterForm(forms.Form):
    """Filters by programme, project and topic, their choices limited to what the page
    gives (the person's programmes, their projects, the topics in use)."""

    programme = forms.ModelChoiceField(
        label=_("Programme"),
        queryset=Programme.objects.none(),
        required=False,
        empty_label=_("All programmes"),
        widget=PlainSelect,
    )
    project = forms.ModelChoiceField(
        label=_("Project"),
        queryset=Project.objects.none(),
        required=False,
        empty_label=_("All projects"),
        widget=PlainSelect,
    )
    topic = forms.ModelChoiceField(
        label=_("Topic"),
        queryset=Topic.objects.none(),
        required=False,
        empty_label=_("All topics"),
        widget=PlainSelect,
    )

    def __init__(self, *args, programmes, projects, topics, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["programme"].queryset = programmes
        self.fields["project"].queryset = projects
        self.fields["topic"].queryset = topics
        _style_filters(self)


class QuestionFilterForm(ScopeFilterForm):
    """The question list's filters (the patterns page links here with them too). A
    value that does not fit is ignored and said so beside its field."""

    TABS = [("mine", _("Mine")), ("programme", _("My programme"))]

    tab = forms.ChoiceField(choices=TABS, required=False, widget=forms.HiddenInput)
    status = forms.ChoiceField(
        label=_("Status"),
        choices=[("", _("Any status")), *QuestionStatus.choices],
        required=False,
        widget=PlainSelect,
    )
    since = forms.DateField(
        label=_("Asked since"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    until = forms.DateField(
        label=_("Asked until"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    no_article = forms.BooleanField(label=_("No article answers it"), required=False)
    field_order = ["tab", "programme", "project", "topic", "status", "since", "until"]

    def __init__(self, *args, tabs: bool, **kwargs):
        super().__init__(*args, **kwargs)
        if not tabs:
            del self.fields["tab"]

    def clean(self):
        cleaned = super().clean()
        since, until = cleaned.get("since"), cleaned.get("until")
        if since and until and since > until:
            self.add_error("until", _("This date is before the first one; it is ignored."))
        return cleaned


class QueueFilterForm(ScopeFilterForm):
    """The question queue's filters, their choices limited to the person's programmes."""


def _style_filters(form: forms.Form) -> None:
    for field in form.fields.values():
        widget = field.widget
        if isinstance(widget, forms.CheckboxInput):
            widget.attrs["class"] = "form-check-input"
        elif isinstance(widget, forms.Select):
            widget.attrs["class"] = "form-select form-select-sm"
        elif not isinstance(widget, forms.HiddenInput):
            widget.attrs["class"] = "form-control form-control-sm"


# --- Search ---------------------------------------------------------------------------


class SearchForm(forms.Form):
    KINDS = {"": ("article", "question"), "article": ("article",), "question": ("question",)}

    q = forms.CharField(
        label=_("Search"),
        required=False,
        max_length=200,
        widget=forms.SearchInput(
            attrs={"class": "form-control", "autocomplete": "off", "autofocus": True}
        ),
    )
    kind = forms.ChoiceField(
        label=_("Show"),
        required=False,
        choices=[("", _("Everything")), ("article", _("Articles")), ("question", _("Questions"))],
        widget=forms.Select(attrs={"class": "form-select"}),
    )
