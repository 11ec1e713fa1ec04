"""Counting a page's own queries apart from the search's. One search runs a bounded
number of queries of its own (on PostgreSQL: parsing the words, a few rounds of
candidates, ranking, snippets; how many rounds depends on the words, not on how much
data there is), so a page's query-count test counts what the page adds around it."""

from contextlib import contextmanager

from django.db import connection
from django.test.utils import CaptureQueriesContext


class CountingSearch:
    """The real search, counting its calls and the queries they run."""

    def __init__(self, search):
        self.search = search
        self.calls = 0
        self.queries = 0

    def __call__(self, *args, **kwargs):
        with CaptureQueriesContext(connection) as context:
            hits = self.search(*args, **kwargs)
        self.calls += 1
        self.queries += len(context.captured_queries)
        return hits


@contextmanager
def own_queries(monkeypatch, module, name: str = "search"):
    """``with own_queries(monkeypatch, views_module) as count: ...``; afterwards
    ``count()`` is the number of queries run outside the search, ``count.search`` the
    counting search."""
    counting = CountingSearch(getattr(module, name))
    monkeypatch.setattr(module, name, counting)
    with CaptureQueriesContext(connection) as context:

        def count() -> int:
            return len(context.captured_queries) - counting.queries

        count.search = counting
        yield count
