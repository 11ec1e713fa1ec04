"""The search page: articles and questions this person may read, through the one
search function (``knowledge_base.search``)."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from ..forms import SearchForm
from ..search import search as search_knowledge_base

SEARCH_PAGE_SIZE = 20
# Pages beyond this are not offered: nobody reads result 2,000, and deep offsets cost.
SEARCH_MAX_PAGE = 50


@require_GET
def search(request: HttpRequest) -> HttpResponse:
    """An empty query shows only the box; otherwise a page of results, with a next page
    offered when one more result exists."""
    form = SearchForm(request.GET or None)
    query, kind = "", ""
    if form.is_valid():
        query, kind = form.cleaned_data["q"].strip(), form.cleaned_data["kind"]
    page = _page_number(request.GET.get("page"))
    hits = []
    if query:
        hits = search_knowledge_base(
            request.user,
            query,
            kinds=SearchForm.KINDS[kind],
            limit=SEARCH_PAGE_SIZE + 1,
            offset=(page - 1) * SEARCH_PAGE_SIZE,
        )
    params = request.GET.copy()
    params.pop("page", None)
    return render(
        request,
        "knowledge_base/search.html",
        {
            "form": form,
            "query": query,
            "hits": hits[:SEARCH_PAGE_SIZE],
            "page": page,
            "previous_page": page - 1 if page > 1 else None,
            "next_page": page + 1
            if len(hits) > SEARCH_PAGE_SIZE and page < SEARCH_MAX_PAGE
            else None,
            "params": params.urlencode(),
        },
    )


def _page_number(value) -> int:
    """``?page=`` as a number from 1 to ``SEARCH_MAX_PAGE``; anything else is page 1."""
    try:
        page = int(value)
    except (TypeError, ValueError):
        return 1
    return min(max(page, 1), SEARCH_MAX_PAGE)
