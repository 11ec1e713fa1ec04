"""``/api/v1/articles/`` (read-only): knowledge-base articles as ``articles_visible_to``
shows them (students the published articles of their programmes and the school-wide
ones; mentors and supervisors every published article and their own drafts; staff
all); anything else 404.

Reading an article here does not count as a view: ``view_count`` counts people who
opened its page, and an integration syncing the articles would inflate it."""

from django.db.models import F, QuerySet
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import serializers, viewsets
from rest_framework.request import Request
from rest_framework.response import Response

from mentorship.api_filters import IdField, MomentField, filtered, period_lookups
from mentorship.models import ContentLanguage
from mentorship.text import render_markdown
from projects.api import PersonSerializer

from ..articles import articles_visible_to, helped_count
from ..models import Article, ArticleStatus
from ..search import search
from .common import (
    SearchablePagination,
    SearchFilterSerializer,
    TopicSerializer,
    search_page,
    search_score_field,
    search_snippet_field,
)


class ArticleSerializer(serializers.ModelSerializer):
    """An article in a list, without its text."""

    topics = TopicSerializer(many=True, read_only=True)
    authors = PersonSerializer(many=True, read_only=True)
    helpful_count = serializers.IntegerField(
        read_only=True, help_text=_("How many people said it helped.")
    )
    score = search_score_field()
    snippet = search_snippet_field()

    class Meta:
        model = Article
        fields = [
            "id",
            "title",
            "language",
            "status",
            "topics",
            "programmes",
            "projects",
            "authors",
            "published_at",
            "updated_at",
            "view_count",
            "helpful_count",
            "score",
            "snippet",
        ]
        read_only_fields = fields
        extra_kwargs = {
            "programmes": {"help_text": _("Programme ids; empty for the whole school.")},
            "projects": {"help_text": _("Project ids.")},
        }


class ArticleDetailSerializer(ArticleSerializer):
    body_html = serializers.SerializerMethodField(
        help_text=_("The body rendered to HTML, sanitised.")
    )

    class Meta(ArticleSerializer.Meta):
        fields = [
            *(name for name in ArticleSerializer.Meta.fields if name not in ("score", "snippet")),
            "body",
            "body_html",
        ]
        read_only_fields = fields

    def get_body_html(self, article: Article) -> str:
        return render_markdown(article.body)


class ArticleFilterSerializer(SearchFilterSerializer):
    programme = IdField(help_text=_("A programme id: the articles written for it."))
    project = IdField(help_text=_("A project id."))
    topic = IdField(help_text=_("A topic id."))
    language = serializers.ChoiceField(choices=ContentLanguage.choices, required=False)
    status = serializers.ChoiceField(
        choices=ArticleStatus.choices,
        required=False,
        help_text=_("Drafts and archived articles are listed only to their authors and staff."),
    )
    author = IdField(help_text=_("An author's id: the articles they wrote."))
    published_after = MomentField(
        required=False, help_text=_("Articles published at or after this moment (inclusive).")
    )
    published_before = MomentField(
        required=False, help_text=_("Articles published before this moment (exclusive).")
    )


def _with_listing(articles: QuerySet[Article]) -> QuerySet[Article]:
    """What an article shows, loaded: its topics, authors, programmes and projects, and
    its helpful votes counted."""
    return articles.prefetch_related("topics", "authors", "programmes", "projects").annotate(
        helpful_count=helped_count()
    )


@extend_schema_view(
    list=extend_schema(
        summary="Knowledge-base articles",
        description=(
            "The articles you may read: students the published articles of their "
            "programmes and those for the whole school; mentors and supervisors every "
            "published article and their own drafts; staff all. Newest first (drafts "
            "last), or best match first with `search`, each row then with its score and "
            "snippet (and a null `count`: pages are fetched by `page` alike). The "
            "filters only narrow that: with `author` and a period (`published_after` "
            "inclusive, `published_before` exclusive) they give the articles behind a "
            "mentor's scorecard figure."
        ),
        parameters=[ArticleFilterSerializer],
        responses={
            200: ArticleSerializer(many=True),
            400: OpenApiResponse(description="Bad filter, named by field."),
        },
    ),
    retrieve=extend_schema(
        summary="An article",
        description="Its text as Markdown and as HTML. Reading it here is not counted as a view.",
        responses={
            200: ArticleDetailSerializer,
            404: OpenApiResponse(description="Not an article you may read."),
        },
    ),
)
class ArticleViewSet(viewsets.ReadOnlyModelViewSet):
    queryset = Article.objects.none()  # for the schema; get_queryset applies access
    serializer_class = ArticleSerializer
    pagination_class = SearchablePagination

    def get_serializer_class(self):
        return ArticleSerializer if self.action == "list" else ArticleDetailSerializer

    def get_queryset(self) -> QuerySet[Article]:
        return _with_listing(articles_visible_to(self.request.user))

    def list(self, request: Request) -> Response:
        filters = ArticleFilterSerializer(data=request.query_params, context={"request": request})
        filters.is_valid(raise_exception=True)
        wanted = filters.validated_data
        articles = filtered(
            articles_visible_to(request.user),
            wanted,
            {
                "programme": "programmes",
                "project": "projects",
                "topic": "topics",
                "language": "language",
                "status": "status",
                "author": "authors",
                **period_lookups("published", "published_at"),
            },
        )
        query = wanted.get("search", "").strip()
        if query:
            return search_page(
                self,
                search=search,
                query=query,
                kind="article",
                candidates=articles,
                rows=_with_listing(articles),
            )
        newest_first = _with_listing(articles).order_by(
            F("published_at").desc(nulls_last=True), "-pk"
        )
        page = self.paginate_queryset(newest_first)
        return self.get_paginated_response(self.get_serializer(page, many=True).data)
