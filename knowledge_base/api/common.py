"""What the questions and articles endpoints share: topics as they are shown, the
``?search=`` parameter, and paging that works for a list and for a search alike. Their
filters are applied as every list's are (``mentorship.api_filters``)."""

from collections.abc import Callable
from dataclasses import dataclass

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers
from rest_framework.exceptions import NotFound
from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response
from rest_framework.utils.urls import remove_query_param, replace_query_param

from mentorship.api_filters import ID_MAX

from ..models import Topic
from ..search import SearchHit


class TopicSerializer(serializers.ModelSerializer):
    class Meta:
        model = Topic
        fields = ["id", "slug", "name"]
        read_only_fields = fields


class SearchFilterSerializer(serializers.Serializer):
    search = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=200,
        help_text=_(
            "Words to look for. Results come best match first, each with its score and a "
            "snippet; without it, newest first."
        ),
    )


def search_score_field() -> serializers.Field:
    """A list row's ``score``: set in search mode (the row carries its ``SearchHit`` as
    ``search_hit`` while it is serialised), null otherwise."""
    return serializers.FloatField(
        source="search_hit.score",
        read_only=True,
        allow_null=True,
        help_text=_("How well it matches the search, higher is better; null without a search."),
    )


def search_snippet_field() -> serializers.Field:
    """A list row's ``snippet``: set in search mode, null otherwise."""
    return serializers.CharField(
        source="search_hit.snippet",
        read_only=True,
        allow_null=True,
        help_text=_(
            "HTML: a passage with the matched words in <mark>, everything else escaped; "
            "null without a search."
        ),
    )


@dataclass(frozen=True)
class _SearchPage:
    number: int
    has_next: bool


class SearchablePagination(PageNumberPagination):
    """The API's page-number paging (``?page=``, ``PAGE_SIZE`` rows). A list counts its
    rows; a search cannot count its matches cheaply, so its page is asked of the search
    function by limit and offset (one row more than a page, to know whether another
    follows) and its ``count`` is null."""

    _search_page: _SearchPage | None = None

    def paginate_search(self, request, run: Callable[..., list[SearchHit]]) -> list[SearchHit]:
        """One page of hits from ``run(limit=..., offset=...)``, best first."""
        self.request = request
        number = self._page_number(request)
        hits = run(limit=self.page_size + 1, offset=(number - 1) * self.page_size)
        if number > 1 and not hits:
            raise NotFound(self.invalid_page_message)
        self._search_page = _SearchPage(number, has_next=len(hits) > self.page_size)
        return hits[: self.page_size]

    def _page_number(self, request) -> int:
        raw = request.query_params.get(self.page_query_param) or "1"
        try:
            number = int(raw)
        except ValueError:
            number = 0
        # A page so far on that its offset is beyond a 64-bit integer is past the end
        # of any search: PostgreSQL would refuse the offset (bigint out of range, 500).
        if not 1 <= number < ID_MAX // self.page_size:
            raise NotFound(self.invalid_page_message)
        return number

    def get_paginated_response(self, data):
        if self._search_page is None:
            return super().get_paginated_response(data)
        url = self.request.build_absolute_uri()
        number = self._search_page.number
        next_link = (
            replace_query_param(url, self.page_query_param, number + 1)
            if self._search_page.has_next
            else None
        )
        if number == 1:
            previous_link = None
        elif number == 2:
            previous_link = remove_query_param(url, self.page_query_param)
        else:
            previous_link = replace_query_param(url, self.page_query_param, number - 1)
        return Response(
            {"count": None, "next": next_link, "previous": previous_link, "results": data}
        )

    def get_paginated_response_schema(self, schema):
        paged = super().get_paginated_response_schema(schema)
        paged["properties"]["count"] = {
            "type": "integer",
            "nullable": True,
            "example": 123,
            "description": "The number of results; null in search mode.",
        }
        return paged


def search_results(view, *, rows: QuerySet, run: Callable[..., list[SearchHit]]) -> Response:
    """A page of search results as ``view`` serialises its rows, in the order of the
    hits: the hits come from ``run``, the rows (with whatever the serialiser needs
    loaded) from ``rows`` in one query, each carrying its hit as ``search_hit``."""
    hits = view.paginator.paginate_search(view.request, run)
    by_pk = rows.in_bulk([hit.pk for hit in hits])
    found = []
    for hit in hits:
        row = by_pk.get(hit.pk)
        if row is not None:  # the search already keeps to what the caller sees
            row.search_hit = hit
            found.append(row)
    return view.get_paginated_response(view.get_serializer(found, many=True).data)


def search_page(
    view, *, search: Callable, query: str, kind: str, candidates: QuerySet, rows: QuerySet
):
    """The list's ``?search=`` mode: a page of hits of one kind among the filtered
    ``candidates``, best first (``search_results``); ``search`` is
    ``knowledge_base.search.search`` as the calling module has it."""

    def run(*, limit: int, offset: int):
        return search(
            view.request.user,
            query,
            kinds=(kind,),
            **{f"{kind}s": candidates},
            limit=limit,
            offset=offset,
        )

    return search_results(view, rows=rows, run=run)
