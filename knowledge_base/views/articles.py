"""Knowledge-base articles: the list, an article, writing and editing, publishing and
archiving, the history, "this helped", and a question turned into a draft."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import prefetch_related_objects
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from mentorship.access import NotAllowed
from mentorship.decorators import role_required
from mentorship.models import Role
from mentorship.redirects import local_url
from projects.models import Programme

from .. import articles
from ..deflections import may_say_solved
from ..forms import ARTICLES_MINE, ArticleFilterForm, ArticleForm
from ..models import Article, ArticleStatus
from ..questions import programmes_of, question_for_user

ARTICLE_PAGE_SIZE = 20
VERSION_PAGE_SIZE = 20


@require_GET
def article_list(request: HttpRequest) -> HttpResponse:
    """The articles this person may read, newest first, filtered by programme, project,
    topic and language, and (for those who write) by status or "written by me"."""
    user = request.user
    # A student filters by their own programmes: others' articles are not theirs to read.
    programmes = programmes_of(user) if user.role == Role.STUDENT else Programme.objects.all()
    form = ArticleFilterForm(request.GET, user=user, programmes=programmes)
    form.is_valid()  # an invalid filter is shown beside its field and left out
    filters = {
        name: form.cleaned_data.get(name) for name in ("programme", "project", "topic", "language")
    }
    show = form.cleaned_data.get("status") or ""
    if show == ARTICLES_MINE:
        filters["author"] = user
    else:
        filters["status"] = show or ArticleStatus.PUBLISHED
    # The list shows no text: leave the bodies (and the search vectors) in the database.
    found = articles.articles_browse(user, **filters).defer("body", "search_vector")
    page = Paginator(found, ARTICLE_PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "knowledge_base/article_list.html",
        {
            "page": page,
            "form": form,
            "query": query.urlencode(),
            "filtered": bool(query),
            "can_write": articles.may_write_articles(user),
        },
    )


@require_GET
def article_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """An article, read: counted as a view (and a student's activity)."""
    user = request.user
    article = articles.article_for_user(user, pk)
    prefetch_related_objects([article], "topics", "programmes", "projects", "authors")
    articles.article_read(article=article, reader=user)
    is_author = any(author.pk == user.pk for author in article.authors.all())
    return render(
        request,
        "knowledge_base/article_detail.html",
        {
            "article": article,
            "helped": articles.article_helped(user, article=article),
            "can_vote": article.is_published and not is_author,
            "related": articles.article_related(user, article=article),
            "questions": articles.article_questions_for(user, article=article),
            "can_edit": articles.may_edit_article(user, article=article),
            "can_publish": articles.may_publish_article(user, article=article),
            "can_see_history": articles.may_see_article_history(user),
            # Opened from the suggestions while asking: "did this solve it?"
            "from_ask": request.GET.get("from_ask", "")[:200],
            "solved_box": bool(request.GET.get("from_ask"))
            and may_say_solved(user, article=article),
        },
    )


def _article_form(request: HttpRequest, article: Article | None = None) -> ArticleForm:
    if article is not None:
        initial = {
            "title": article.title,
            "body": article.body,
            "language": article.language,
            "topics": list(article.topics.all()),
            "programmes": list(article.programmes.all()),
            "projects": list(article.projects.all()),
        }
    else:
        initial = {"language": request.user.language}
    return ArticleForm(
        request.POST if request.method == "POST" else None,
        initial=initial,
        programmes=articles.article_programmes_for(request.user, article=article),
        projects=articles.article_projects_for(request.user, article=article),
    )


def _render_form(request, form, *, article: Article | None = None) -> HttpResponse:
    return render(
        request,
        "knowledge_base/article_form.html",
        {"form": form, "article": article},
        status=400 if form.errors else 200,
    )


@role_required(*articles.WRITER_ROLES)
@require_http_methods(["GET", "POST"])
def article_create(request: HttpRequest) -> HttpResponse:
    """A mentor, supervisor or staff member starts a draft."""
    form = _article_form(request)
    if request.method == "POST" and form.is_valid():
        try:
            article = articles.article_create(author=request.user, **form.cleaned_data)
        except ValidationError as error:
            form.add_service_error(error)
        else:
            messages.success(request, _("The draft is saved. Publish it when it is ready."))
            return redirect("knowledge_base:article_detail", pk=article.pk)
    return _render_form(request, form)


@require_http_methods(["GET", "POST"])
def article_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """An author or staff edits the article; each saved change keeps the version
    before it."""
    article = articles.article_for_user(request.user, pk)
    if not articles.may_edit_article(request.user, article=article):
        raise NotAllowed(str(articles.EDIT_REFUSED))
    form = _article_form(request, article)
    if request.method == "POST" and form.is_valid():
        try:
            articles.article_update(article=article, editor=request.user, **form.cleaned_data)
        except ValidationError as error:
            form.add_service_error(error)
        else:
            messages.success(request, _("Your changes are saved."))
            return redirect("knowledge_base:article_detail", pk=article.pk)
    return _render_form(request, form, article=article)


@require_POST
def article_publish(request: HttpRequest, pk: int) -> HttpResponse:
    article = articles.article_for_user(request.user, pk)
    try:
        articles.article_publish(article=article, by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("The article is published."))
    return redirect("knowledge_base:article_detail", pk=article.pk)


@require_POST
def article_archive(request: HttpRequest, pk: int) -> HttpResponse:
    article = articles.article_for_user(request.user, pk)
    try:
        articles.article_archive(article=article, by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("The article is archived: readers no longer find it."))
    return redirect("knowledge_base:article_detail", pk=article.pk)


@require_GET
def article_history(request: HttpRequest, pk: int) -> HttpResponse:
    """Staff read every saved version of an article: who saved it, when, what it said."""
    article = articles.article_for_user(request.user, pk)
    if not articles.may_see_article_history(request.user):
        raise NotAllowed(str(articles.HISTORY_REFUSED))
    page = Paginator(articles.article_versions(article=article), VERSION_PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(
        request, "knowledge_base/article_history.html", {"article": article, "page": page}
    )


@require_POST
def article_helped(request: HttpRequest, pk: int) -> HttpResponse:
    """ "This helped": htmx gets the count back; a plain form post the article."""
    article = articles.article_for_user(request.user, pk)
    error = ""
    try:
        articles.article_vote(article=article, user=request.user)
    except ValidationError as refused:
        error = " ".join(refused.messages)
    if request.htmx:
        return render(
            request,
            "knowledge_base/_article_helped.html",
            {
                "article": article,
                "helped": articles.article_helped(request.user, article=article),
                "can_vote": True,
                "helped_error": error,
            },
            status=400 if error else 200,
        )
    if error:
        messages.error(request, error)
    else:
        messages.success(request, _("Thank you: your vote is counted."))
    return redirect("knowledge_base:article_detail", pk=article.pk)


@require_POST
def article_from_question(request: HttpRequest, pk: int) -> HttpResponse:
    """A mentor, supervisor or staff turns an answered question into a draft (or opens
    the draft they already made from it) and goes on to edit it."""
    question = question_for_user(request.user, pk)
    try:
        article = articles.article_draft_from_question(question=question, by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        back = local_url(
            request, request.headers.get("referer", ""), reverse("knowledge_base:article_list")
        )
        return redirect(back)
    messages.success(
        request,
        _("A draft is made from the question. Check that it names nobody, then publish it."),
    )
    return redirect("knowledge_base:article_edit", pk=article.pk)
