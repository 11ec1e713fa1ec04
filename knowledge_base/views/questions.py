"""Students' questions: asking (with suggestions while typing), the list, the mentor's
queue, one question's thread with its answers, follow-ups, acceptance and duplicates,
and "this solved it" for a suggestion."""

from datetime import timedelta

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Exists, OuterRef, Prefetch, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from mentorship.access import NotAllowed
from mentorship.decorators import role_required
from mentorship.models import Role
from projects.models import Project
from projects.selectors import students_progress
from students.selectors import current_progress

from .. import questions as services
from ..articles import (
    article_for_user,
    articles_visible_to,
    may_write_articles,
    question_promotable,
    without_published_article,
)
from ..deflections import deflection_record, may_say_solved
from ..forms import (
    AnswerForm,
    DeflectionForm,
    DuplicateForm,
    FollowUpForm,
    QuestionAskForm,
    QuestionFilterForm,
    QueueFilterForm,
)
from ..models import ArticleStatus, Question, QuestionVisibility, Topic
from ..search import search

QUESTION_PAGE_SIZE = 20
QUEUE_PAGE_SIZE = 20
SUGGESTION_COUNT = 5
DUPLICATE_RESULT_COUNT = 10

MENTORING = (Role.MENTOR, Role.SUPERVISOR, Role.STAFF)


# --- Lists ------------------------------------------------------------------------------


@require_GET
def question_list(request: HttpRequest) -> HttpResponse:
    """Questions this person may see, newest first. A student has two tabs: their own,
    and the public questions of their programmes."""
    user = request.user
    is_student = user.role == Role.STUDENT
    programmes = services.programmes_of(user)
    form = QuestionFilterForm(
        request.GET or None,
        programmes=programmes,
        projects=_projects_of(programmes),
        topics=Topic.objects.all(),
        tabs=is_student,
    )
    filters = _valid_filters(form)
    questions = services.questions_visible_to(user)
    tab = filters.get("tab") or "mine"
    if is_student and tab == "mine":
        questions = questions.filter(author=user)
    elif is_student:
        questions = questions.filter(visibility=QuestionVisibility.PROGRAMME)
    questions = services.questions_filtered(
        questions,
        zone=user.zone,
        **{key: filters.get(key) for key in services.QUESTION_FILTERS},
    )
    if filters.get("no_article"):
        questions = without_published_article(questions)
    questions = questions.select_related("author", "programme", "project").annotate(
        answer_count=services.answer_count()
    )
    page = Paginator(questions.order_by("-created_at", "-pk"), QUESTION_PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    rows = [(question, services.asker_name_for(user, question=question)) for question in page]
    return render(
        request,
        "knowledge_base/question_list.html",
        {
            "form": form,
            "page": page,
            "rows": rows,
            "tab": tab if is_student else "",
            "filtered": any(value for key, value in filters.items() if key != "tab"),
            "query": _query_without_page(request),
            "tab_query": _query_without_page(request, drop=("tab",)),
        },
    )


def _valid_filters(form) -> dict:
    """The filters that fit; the others are ignored, each said so beside its field."""
    if not form.is_bound:
        return {}
    form.is_valid()
    return form.cleaned_data


def _projects_of(programmes):
    return (
        Project.objects.filter(programme__in=programmes)
        .select_related("programme")
        .order_by("programme__title", "position")
    )


def _query_without_page(request: HttpRequest, *, drop=()) -> str:
    query = request.GET.copy()
    for key in ("page", *drop):
        query.pop(key, None)
    return query.urlencode()


@role_required(*MENTORING)
@require_GET
def question_queue(request: HttpRequest) -> HttpResponse:
    """Questions waiting for an answer that this person may answer, longest waiting
    first, each with the student's standing in their programme."""
    user = request.user
    programmes = services.programmes_of(user)
    form = QueueFilterForm(
        request.GET or None,
        programmes=programmes,
        projects=_projects_of(programmes),
        topics=_topics_in_use(programmes),
    )
    filters = _valid_filters(form)
    queue = services.question_queue(
        user,
        programme=filters.get("programme"),
        project=filters.get("project"),
        topic=filters.get("topic"),
    ).prefetch_related(Prefetch("topics", queryset=Topic.objects.order_by("name")))
    page = Paginator(queue, QUEUE_PAGE_SIZE).get_page(request.GET.get("page"))
    progress = students_progress(student_ids={question.author_id for question in page})
    rows = [
        (question, _standing_in(progress.get(question.author_id, []), question))
        for question in page
    ]
    return render(
        request,
        "knowledge_base/question_queue.html",
        {
            "form": form,
            "page": page,
            "rows": rows,
            "filtered": any(filters.values()),
            "query": _query_without_page(request),
            # The navigation's badge counts the whole queue: counted here already.
            **({} if any(filters.values()) else {"open_questions": page.paginator.count}),
            "overdue_before": timezone.now() - timedelta(hours=settings.QUESTION_REMINDER_HOURS),
        },
    )


def _topics_in_use(programmes) -> QuerySet[Topic]:
    """The topics the programmes' projects cover or their questions are about: each
    topic looked up until a first link (not every question of the programmes joined
    to its topics, then made distinct)."""
    covered = Topic.projects.through.objects.filter(
        topic_id=OuterRef("pk"), project__programme__in=programmes
    )
    asked = Question.topics.through.objects.filter(
        topic_id=OuterRef("pk"), question__programme__in=programmes
    )
    return Topic.objects.filter(Exists(covered) | Exists(asked))


def _standing_in(progress: list, question: Question):
    """The student's progress in the programme the question is about, else in their
    current one."""
    for item in progress:
        if item.enrolment.programme_id == question.programme_id:
            return item
    return current_progress(progress)


# --- Asking -----------------------------------------------------------------------------


@role_required(Role.STUDENT)
@require_http_methods(["GET", "POST"])
def question_ask(request: HttpRequest) -> HttpResponse:
    """A student asks; while they type the title, similar articles and answered
    questions are suggested (``question_suggest``)."""
    user = request.user
    if not services.may_ask_question(user):
        return render(request, "knowledge_base/question_ask.html", {"form": None})
    programmes = services.programmes_of(user)
    if request.method == "POST":
        form = QuestionAskForm(request.POST, programmes=programmes)
    else:
        form = QuestionAskForm(programmes=programmes, initial=_ask_initial(request))
    if request.method == "POST" and form.is_valid():
        try:
            question = services.question_ask(author=user, **form.cleaned_data)
        except ValidationError as error:
            form.add_service_error(error)
        else:
            messages.success(request, _("Your question is asked. You will be told of answers."))
            return redirect(services.question_url(question))
    return render(
        request,
        "knowledge_base/question_ask.html",
        {
            "form": form,
            "suggestions": _suggestions(user, form["title"].value()),
        },
        status=400 if form.errors else 200,
    )


def _ask_initial(request: HttpRequest) -> dict:
    """``?project=`` preselects a project (from its page); ``?title=`` keeps what the
    student typed before a suggestion did not solve it."""
    initial = {"title": request.GET.get("title", "")[:200]}
    project = request.GET.get("project", "")
    if project.isdigit():
        initial["project"] = int(project)
    return initial


def _suggestions(user, title) -> list:
    title = (title or "").strip()
    if len(title) < 3:
        return []
    return search(user, title, answered_only=True, limit=SUGGESTION_COUNT)


@role_required(Role.STUDENT)
@require_GET
def question_suggest(request: HttpRequest) -> HttpResponse:
    """The htmx partial beside the title: published articles and answered questions
    like what the student is typing."""
    title = request.GET.get("title", "")[:200]
    return render(
        request,
        "knowledge_base/_suggestions.html",
        {"suggestions": _suggestions(request.user, title), "title": title},
    )


@role_required(Role.STUDENT)
@require_http_methods(["GET", "POST"])
def question_solved(request: HttpRequest) -> HttpResponse:
    """A suggestion solved the student's problem: counted for the knowledge base
    (POST), then the thank-you page at its own address (GET, post/redirect/get), so a
    reload counts nothing twice."""
    form = DeflectionForm(request.POST if request.method == "POST" else request.GET)
    if not form.is_valid() and request.method == "GET":
        raise Http404
    if not form.is_valid():
        messages.error(request, _("We could not tell which suggestion solved it."))
        return redirect("knowledge_base:question_ask")
    kind, pk, query = (form.cleaned_data[name] for name in ("kind", "pk", "query"))
    user = request.user
    if kind == "article":
        item = {"article": article_for_user(user, pk)}
    else:
        item = {"question": services.question_for_user(user, pk)}
    if request.method == "GET":
        return render(
            request,
            "knowledge_base/question_solved.html",
            {"ask_url": _ask_again_url(query), **item},
        )
    try:
        deflection_record(student=user, query=query, **item)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect(services.question_url(item["question"]))
    url = reverse("knowledge_base:question_solved")
    return redirect(f"{url}?{urlencode({'kind': kind, 'pk': pk, 'query': query})}")


def _ask_again_url(query: str) -> str:
    url = reverse("knowledge_base:question_ask")
    return f"{url}?{urlencode({'title': query})}" if query else url


# --- One question -----------------------------------------------------------------------


@require_GET
def question_detail(request: HttpRequest, pk: int) -> HttpResponse:
    question = services.question_for_user(request.user, pk)
    return _render_question(request, question)


def _render_question(
    request: HttpRequest,
    question: Question,
    *,
    answer_form=None,
    duplicate_form=None,
    accept_error: str = "",
    status: int = 200,
) -> HttpResponse:
    """The question, its thread and the forms its reader may use (by the rules)."""
    user = request.user
    context = {
        "question": question,
        "asker_name": services.asker_name_for(user, question=question),
        "topics": question.topics.order_by("name"),
        "answers": services.question_answers(question=question),
        "articles": articles_visible_to(user)
        .filter(status=ArticleStatus.PUBLISHED, questions=question)
        .order_by("-published_at"),
        "duplicate_target": services.duplicate_target_for(user, question=question),
        "can_accept": services.may_accept_answer(user, question=question),
        "accept_error": accept_error,
        "can_make_article": may_write_articles(user) and question_promotable(question),
        "from_ask": request.GET.get("from_ask", "")[:200],
        "solved_box": bool(request.GET.get("from_ask"))
        and may_say_solved(user, question=question),
        "waiting_since": question.waiting_since or question.created_at,
    }
    if services.may_follow_up(user, question=question):
        context["answer_form"] = answer_form or FollowUpForm()
    elif services.may_answer_question(user, question=question):
        context["answer_form"] = answer_form or AnswerForm()
    if services.may_mark_duplicate(user, question=question):
        context["duplicate_form"] = duplicate_form or DuplicateForm(
            candidates=Question.objects.none()
        )
        # After a refused pick, the search typed is still there, with its results.
        context["duplicate_query"] = request.POST.get("q", "").strip()[:200]
        context["duplicate_hits"] = _duplicate_hits(user, question, context["duplicate_query"])
    return render(request, "knowledge_base/question_detail.html", context, status=status)


@require_POST
def question_answer(request: HttpRequest, pk: int) -> HttpResponse:
    """An answer, or the asker's follow-up: the service tells which by who posts."""
    question = services.question_for_user(request.user, pk)
    is_asker = question.author_id == request.user.pk
    form = (FollowUpForm if is_asker else AnswerForm)(request.POST)
    if form.is_valid():
        try:
            services.answer_post(question=question, author=request.user, **form.cleaned_data)
        except ValidationError as error:
            form.add_service_error(error)
        else:
            if is_asker:
                messages.success(request, _("Added. The question waits for an answer again."))
            else:
                messages.success(request, _("Your answer is posted and the student told."))
            return redirect(services.question_url(question))
    return _render_question(request, question, answer_form=form, status=400)


@require_POST
def answer_accept(request: HttpRequest, pk: int, answer_pk: int) -> HttpResponse:
    question = services.question_for_user(request.user, pk)
    answer = get_object_or_404(question.answers.select_related("question"), pk=answer_pk)
    try:
        services.answer_accept(answer=answer, by=request.user)
    except ValidationError as error:
        return _render_question(
            request, question, accept_error=" ".join(error.messages), status=400
        )
    messages.success(request, _("Marked as the answer that solved it. Thank you!"))
    return redirect(services.question_url(question))


def _duplicate_candidates(user, question: Question):
    """Questions the marker may see, other than this one (the search adds: that the
    asker may see)."""
    return services.questions_visible_to(user).exclude(pk=question.pk)


@role_required(*MENTORING)
@require_POST
def question_duplicate(request: HttpRequest, pk: int) -> HttpResponse:
    question = services.question_for_user(request.user, pk)
    form = DuplicateForm(request.POST, candidates=_duplicate_candidates(request.user, question))
    if form.is_valid():
        try:
            services.question_mark_duplicate(
                question=question, original=form.cleaned_data["original"], by=request.user
            )
        except ValidationError as error:
            form.add_service_error(error)
        else:
            messages.success(request, _("Marked as a duplicate; the student is pointed to it."))
            return redirect(services.question_url(question))
    return _render_question(request, question, duplicate_form=form, status=400)


@role_required(*MENTORING)
@require_GET
def question_duplicate_search(request: HttpRequest, pk: int) -> HttpResponse:
    """The htmx partial of the duplicate picker: questions like ``q`` that both the
    asker and the marker may see (searched as the asker)."""
    question = services.question_for_user(request.user, pk)
    if not services.may_mark_duplicate(request.user, question=question):
        raise NotAllowed(_("Only mentors mark duplicates."))
    query = request.GET.get("q", "").strip()[:200]
    return render(
        request,
        "knowledge_base/_duplicate_results.html",
        {"hits": _duplicate_hits(request.user, question, query), "query": query},
    )


def _duplicate_hits(user, question: Question, query: str) -> list:
    """Searched as the asker, so only questions they may see are offered; among those
    the marker may see too."""
    if not query:
        return []
    return search(
        question.author,
        query,
        kinds=("question",),
        questions=_duplicate_candidates(user, question),
        limit=DUPLICATE_RESULT_COUNT,
    )
