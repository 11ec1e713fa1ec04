"""Search over articles and questions, behind one function (``search``), so the search
page, the suggestions while a student types, the duplicate picker and the API find the
same things by the same rules and never show what the reader may not see: the
candidates are always ``questions_visible_to`` / ``articles_visible_to`` the reader,
narrowed further by the caller, never widened.

On PostgreSQL the engine is ``search_postgresql``: full-text search in the ``russian``
and ``english`` configurations with other word forms, ranking (title above body, rarer
words above common ones, more words above fewer), trigrams for misspelt words and
near-identical titles, and snippets from ``ts_headline``; its docstring says how, and
how it stays fast on 200,000 questions.

On SQLite (the embedded default, and the second CI pass) a simpler fallback
(``_fallback_hits``) matches the first letters of each word (a crude stem) in titles
and bodies and scores title matches above body matches, more words above fewer. The
same function and the same tests; only the ranking quality test needs PostgreSQL.

``search`` returns one page; there is no total. The API and the search page ask for
one hit more than they show to know whether there is a next page: counting every match
of a common word would cost more than the search itself.
"""

import html
import re
from dataclasses import dataclass

from django.db import connection
from django.db.models import Q, QuerySet
from django.utils.safestring import SafeString, mark_safe

from mentorship.models import User
from mentorship.text import text_language

from . import search_postgresql
from .articles import articles_visible_to
from .models import QuestionStatus, QuestionVisibility
from .questions import questions_visible_to

KINDS = ("article", "question")
# Longer queries are cut (a pasted stack trace is not a query); at most this many
# distinct words of it are searched.
MAX_QUERY_CHARS = 200
MAX_WORDS = 12
MAX_LIMIT = 100
SNIPPET_WORDS = 30

# Markdown's marks (headings, emphasis, code fences, quotes) are left out of snippets.
MARKDOWN_MARKS = re.compile(r"[#*`>_~]+")
WORD = re.compile(r"[^\W_]+")


@dataclass(frozen=True)
class SearchHit:
    """One search result, an article or a question the reader may see."""

    kind: str  # "article" or "question"
    pk: int
    title: str
    # A short excerpt with the matched words in <mark>…</mark>; all else HTML-escaped.
    snippet: SafeString
    language: str  # "en" / "ru"
    score: float  # higher is better


def guess_language(text: str) -> str:
    """The language of a query or a text, by the portal's one rule
    (``mentorship.text.text_language``)."""
    return text_language(text)


def search(
    user: User,
    query: str,
    *,
    kinds=KINDS,
    answered_only: bool = False,
    questions: QuerySet | None = None,
    articles: QuerySet | None = None,
    limit: int = 10,
    offset: int = 0,
) -> list[SearchHit]:
    """Articles and questions ``user`` may see that match ``query``, best first: the
    page of ``limit`` hits from ``offset`` (``limit`` at most ``MAX_LIMIT``).

    ``kinds`` says which of ``"article"`` and ``"question"`` to search.
    ``answered_only`` keeps, of the questions, the public ones that are answered or
    solved (the suggestions while a student types). ``questions`` and ``articles``
    narrow the candidates further (a programme, questions without an article yet, all
    but one question); they are intersected with what the reader may see, never added
    to it. An empty query finds nothing; no query text raises."""
    words = query_words(query)
    limit = min(limit, MAX_LIMIT)
    offset = max(offset, 0)
    if not words or limit <= 0:
        return []
    candidates = _candidates(
        user, kinds=kinds, answered_only=answered_only, questions=questions, articles=articles
    )
    if connection.vendor == "postgresql":
        rows = search_postgresql.hits(
            words, candidates, language=guess_language(query), limit=limit, offset=offset
        )
        return [
            SearchHit(
                kind=kind, pk=pk, title=title, snippet=snippet, language=language, score=score
            )
            for kind, pk, title, language, score, snippet in rows
        ]
    return _fallback_hits(words, candidates, limit=limit, offset=offset)


def query_words(query) -> list[str]:
    """The distinct words of a query, lower-cased, in order (letters and digits only:
    punctuation, operators and emoji are dropped)."""
    if not isinstance(query, str):
        return []
    words = WORD.findall(query[:MAX_QUERY_CHARS].lower())
    return list(dict.fromkeys(words))[:MAX_WORDS]


def _candidates(user, *, kinds, answered_only, questions, articles) -> dict[str, QuerySet]:
    unknown = set(kinds) - set(KINDS)
    if unknown:
        raise ValueError(f"Unknown kinds of search hits: {sorted(unknown)}")
    candidates = {}
    if "article" in kinds:
        visible = articles_visible_to(user)
        if articles is not None:
            visible = visible.filter(pk__in=articles.order_by().values("pk"))
        candidates["article"] = visible
    if "question" in kinds:
        visible = questions_visible_to(user)
        if answered_only:
            visible = visible.filter(
                visibility=QuestionVisibility.PROGRAMME,
                status__in=[QuestionStatus.ANSWERED, QuestionStatus.ACCEPTED],
            )
        if questions is not None:
            visible = visible.filter(pk__in=questions.order_by().values("pk"))
        candidates["question"] = visible
    return candidates


# --- SQLite and others ----------------------------------------------------------------

# The fallback's crude stem: the first letters of a word (other forms of the word mostly
# share them), and what a match is worth.
FALLBACK_STEM_LETTERS = 5
FALLBACK_TITLE_MATCH = 3.0
FALLBACK_BODY_MATCH = 1.0
FALLBACK_CANDIDATES = 500


def _fallback_hits(words, candidates, *, limit, offset) -> list[SearchHit]:
    # One-letter words ("a", "и") would match every text.
    stems = [word[:FALLBACK_STEM_LETTERS] for word in words if len(word) > 1]
    if not stems:
        return []
    phrase = " ".join(word.casefold() for word in words)
    rows = []
    for kind, queryset in candidates.items():
        matches = Q()
        for stem in stems:
            for form in {stem, stem.capitalize(), stem.upper()}:
                matches |= Q(title__contains=form) | Q(body__contains=form)
        found = (
            queryset.filter(matches)
            .order_by("-pk")
            .values_list("pk", "title", "body", "language")[:FALLBACK_CANDIDATES]
        )
        for pk, title, body, language in found:
            score = _fallback_score(stems, title.casefold(), body.casefold())
            if score and phrase in " ".join(WORD.findall(title.casefold())):
                score += FALLBACK_TITLE_MATCH  # the words as typed, in the title
            if score:
                rows.append((kind, pk, title, body, language, score))
    rows.sort(key=lambda row: (-row[5], row[0], -row[1]))
    return [
        SearchHit(
            kind=kind,
            pk=pk,
            title=title,
            snippet=_fallback_snippet(stems, MARKDOWN_MARKS.sub(" ", body or title)),
            language=language,
            score=score,
        )
        for kind, pk, title, body, language, score in rows[offset : offset + limit]
    ]


def _starts_a_word(stem: str, text: str) -> bool:
    return re.search(rf"(?<!\w){re.escape(stem)}", text) is not None


def _fallback_score(stems, title, body) -> float:
    """Title matches above body matches, more words above fewer; a stem counts where
    it begins a word (``rebas`` in "rebase", not in "zebrabase")."""
    score, found = 0.0, 0
    for stem in stems:
        in_title, in_body = _starts_a_word(stem, title), _starts_a_word(stem, body)
        score += FALLBACK_TITLE_MATCH * in_title + FALLBACK_BODY_MATCH * in_body
        found += in_title or in_body
    return score * found / len(stems)


def _fallback_snippet(stems, text) -> SafeString:
    """Up to ``SNIPPET_WORDS`` words of the text from a little before the first
    match, escaped, with the words that match in <mark>."""
    tokens = text.split()
    folded = [token.casefold() for token in tokens]
    first = next(
        (index for index, token in enumerate(folded) if any(s in token for s in stems)), 0
    )
    start = max(0, first - 3)
    parts = []
    for token, token_folded in zip(
        tokens[start : start + SNIPPET_WORDS],
        folded[start : start + SNIPPET_WORDS],
        strict=True,
    ):
        escaped = html.escape(token, quote=True)
        matched = any(stem in token_folded for stem in stems)
        parts.append(f"<mark>{escaped}</mark>" if matched else escaped)
    return mark_safe(" ".join(parts))  # noqa: S308 (each token escaped)
