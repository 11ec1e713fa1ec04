"""The PostgreSQL engine behind ``knowledge_base.search.search``: full-text search with
ranking, other word forms, misspelt words and highlighted snippets, over candidates the
caller has already limited to what the reader may see.

Each question's and article's ``search_vector`` is kept by a trigger in the text-search
configuration of its language, the title weighted A and the body B, with a GIN index
(``migrations/0003_search_postgres.py``); titles have a trigram GIN index too.

How a query runs (``hits``), in five to nine short statements:

1. **Words.** The query's words are parsed in both the ``russian`` and the ``english``
   configuration (its language is unknown; a Cyrillic word is taken in ``russian``).
   Longer words match as prefixes of their stems (``установ:*`` finds «Установка» for
   «установить»), and other forms the prefix misses match too (``QueryWord.loose``).
2. **Candidates** (``_rounds``, ``_gather``). A common word is in tens of thousands of
   items, and ranking them all would take seconds, so candidates are gathered from the
   strictest match down (every word; all but one; any) until there are enough of each
   kind. The GIN index is cheap for rare words and dear for common ones (its bitmap of
   a word in half the items costs 10 ms, of a prefix three times that), a sequential
   scan the other way round (it stops at the first rows it needs, or reads the whole
   table for a word nobody wrote). So the planner's own statistics
   (``pg_stats.most_common_elems``, the ``Vocabulary``) say which words are common: a
   prefix that common words start with is spelt out as those words (exact lexemes,
   which the index intersects cheaply), and a match that is rare on the statistics'
   own reckoning is told to use the index (``SET LOCAL enable_seqscan = off`` for that
   statement alone).
3. **Ranking** (``_ranked``): each word found, weighed by its rarity among the
   candidates and by where it was found (title, body, another form), as a share of the
   query's words; times the share of the words found at all; plus the title's trigram
   similarity to the query, ``ts_rank`` and the query's language.
4. **Misspelt words.** A word no candidate has, and no common one, is corrected
   against the vocabulary by trigrams; on a small knowledge base (no statistics yet, or
   few items) titles with a word like it are found by their trigram index too (on a
   large one that index takes hundreds of milliseconds for a long word). What they find
   joins the candidates, ranked again.
5. **Snippets** (``_headlines``): ``ts_headline`` for the page only, its markers random
   for the call, the text HTML-escaped, then the markers made ``<mark>``.

When many items match equally (a common word alone), the candidates are those the scan
meets first, not the newest or the best of them all: ranking every match is what the
budget does not allow.
"""

import bisect
import html
import math
import re
import secrets
import time
from dataclasses import dataclass, field

from django.contrib.postgres.search import SearchQuery
from django.db import connection
from django.db.models import Q, QuerySet
from django.utils.safestring import SafeString, mark_safe

# What a query word found in an item is worth: in its title, or only in its body; the
# same for another form of it (``QueryWord.loose``). A misspelt word not corrected is
# worth its trigram similarity to the title, when that is at least TYPO_SIMILARITY.
TITLE_MATCH = 1.0
BODY_MATCH = 0.65
LOOSE_TITLE_MATCH = 0.6
LOOSE_BODY_MATCH = 0.4
TYPO_SIMILARITY = 0.5
TYPO_MIN_LENGTH = 4
# Words this long or longer also match as prefixes of the indexed stems (other word
# forms); shorter ones only as they are ("c", "go", "id").
PREFIX_MIN_LENGTH = 4
# Other forms: from stems this long, prefixes of at least this many letters and this
# share of the stem (Russian words change more of their ending than English ones).
LOOSE_MIN_STEM = 5
LOOSE_MIN_PREFIX = 4
LOOSE_MIN_SHARE = 0.75
LOOSE_MIN_SHARE_CYRILLIC = 0.5
# On top of the words found: the whole query's trigram similarity to the title
# (near-identical titles first), ts_rank (how often the words occur, how near the
# start), and the query's language.
TITLE_SIMILARITY_WEIGHT = 0.2
RANK_WEIGHT = 0.2
LANGUAGE_MATCH = 0.15
# ts_rank's weights for D, C, B (the body) and A (the title); normalisation 1 divides by
# 1 + the log of the item's length, so long bodies do not win by bulk.
RANK_WEIGHTS = [0.1, 0.2, 0.4, 1.0]
RANK_NORMALIZATION = 1
# Candidates ranked, at most, of each kind (or the page's offset and limit, if more);
# the looser rounds are not tried for a kind with this many already (see ``_gather``).
RANK_CANDIDATES = 100
ENOUGH_CANDIDATES = 20
# "All words but one": this many conjunctions, at most (see ``_rounds``).
ALL_BUT_ONE_TIERS = 3
# A word in this share of the items or more is common: a sequential scan finds it
# sooner than the index; so are words together in this share (if independent). A
# student sees a tenth of the questions or less, so a scan reads ten rows for each one
# it keeps: below a tenth, the index is cheaper.
COMMON_SHARE = 0.1
PLENTIFUL_SHARE = 0.1
# Misspelt words: candidates found by the titles' trigrams, at most, of each kind, and
# only while the larger table has fewer rows than this; a correction from the
# vocabulary needs this trigram similarity.
TYPO_CANDIDATES = 30
TYPO_TITLES_MAX_ROWS = 20_000
CORRECTION_SIMILARITY = 0.45
# The vocabulary is read again after this many seconds.
VOCABULARY_SECONDS = 600
# The common forms a prefix is spelt out as, at most.
PREFIX_FORMS = 24
SNIPPET_WORDS = (12, 30)

CYRILLIC = re.compile("[\u0400-\u04ff]")
TABLES = {"article": "knowledge_base_article", "question": "knowledge_base_question"}


class ParsedSearchQuery(SearchQuery):
    """A ``tsquery`` already parsed, from its text: a constant to PostgreSQL."""

    template = "(%(expressions)s)::tsquery"


# --- The vocabulary -------------------------------------------------------------------


@dataclass(frozen=True)
class Vocabulary:
    """The common lexemes of questions and articles, from the planner's statistics
    (``ANALYZE``): those in more than a few hundredths of a percent of the items, with
    the share of items they are in. A word not among them is rare (or misspelt)."""

    frequency: dict[str, float] = field(default_factory=dict)
    # The larger table's rows, as the statistics have it (0: never analysed).
    rows: int = 0
    # The lexemes in order, for prefixes.
    lexemes: list[str] = field(default_factory=list)

    def starting_with(self, prefix: str) -> list[str]:
        lexemes = self.lexemes
        found = []
        for lexeme in lexemes[bisect.bisect_left(lexemes, prefix) :]:
            if not lexeme.startswith(prefix) or len(found) == PREFIX_FORMS:
                break
            found.append(lexeme)
        return found

    def correction(self, lexeme: str) -> str | None:
        """The common lexeme most like a misspelt one (by trigrams), if any is enough
        alike."""
        best, best_similarity = None, CORRECTION_SIMILARITY
        mine = _trigrams(lexeme)
        for candidate in self.lexemes:
            if abs(len(candidate) - len(lexeme)) > 2 or candidate[0] != lexeme[0]:
                continue
            theirs = _trigrams(candidate)
            similarity = len(mine & theirs) / len(mine | theirs)
            if similarity > best_similarity:
                best, best_similarity = candidate, similarity
        return best


def _trigrams(word: str) -> set[str]:
    """A word's trigrams as pg_trgm takes them: padded with two spaces before and one
    after."""
    padded = f"  {word} "
    return {padded[at : at + 3] for at in range(len(padded) - 2)}


VOCABULARY_SQL = """
    SELECT c.reltuples, s.most_common_elems::text::text[], s.most_common_elem_freqs
    FROM pg_class c
    LEFT JOIN pg_stats s
      ON s.schemaname = current_schema() AND s.tablename = c.relname
     AND s.attname = 'search_vector'
    WHERE c.relname = ANY(%(tables)s) AND c.relnamespace = current_schema()::regnamespace
"""

_vocabularies: dict[str, tuple[float, Vocabulary]] = {}


def vocabulary() -> Vocabulary:
    """The vocabulary of the current database, read at most every VOCABULARY_SECONDS:
    each common lexeme's share of all questions and articles together."""
    key = connection.settings_dict["NAME"]
    read_at, known = _vocabularies.get(key, (0.0, None))
    if known is not None and time.monotonic() - read_at < VOCABULARY_SECONDS:
        return known
    with connection.cursor() as cursor:
        cursor.execute(VOCABULARY_SQL, {"tables": list(TABLES.values())})
        tables = [(max(0.0, rows or 0.0), lexemes, shares) for rows, lexemes, shares in cursor]
    everything = sum(rows for rows, _lexemes, _shares in tables) or 1.0
    frequency = {}
    for rows, lexemes, shares in tables:
        # The shares end with three figures of their own (least, most, empty).
        for lexeme, share in zip(lexemes or [], shares or [], strict=False):
            if lexeme:
                frequency[lexeme] = frequency.get(lexeme, 0.0) + share * rows / everything
    known = Vocabulary(
        frequency, int(max((rows for rows, *_rest in tables), default=0)), sorted(frequency)
    )
    _vocabularies[key] = (time.monotonic(), known)
    return known


def vocabulary_forget() -> None:
    """Read the vocabulary afresh next time (after ``ANALYZE``, in tests)."""
    _vocabularies.clear()


# --- The query's words ----------------------------------------------------------------


@dataclass(frozen=True)
class QueryWord:
    """A word of the query with its lexemes in the text-search configurations."""

    text: str
    lexemes: tuple[str, ...]
    # Corrected from a misspelling: matched as it is, no other forms.
    corrected: bool = False

    @property
    def russian(self) -> bool:
        return bool(CYRILLIC.search(self.text))

    @property
    def prefix(self) -> bool:
        return len(self.text) >= PREFIX_MIN_LENGTH and not self.corrected

    def tsquery(self, weight: str = "") -> str:
        """The word's lexemes, as prefixes when the word is long enough."""
        marks = (":*" if self.prefix else ":") + weight
        if marks == ":":
            marks = ""
        return _any(f"'{_quoted(lexeme)}'{marks}" for lexeme in self.lexemes)

    def loose_prefixes(self) -> tuple[list[str], list[str]]:
        """Other forms of the word that its prefix misses: an item's stem that is a
        shorter prefix of the word's (``индекс`` for «индексирование», ``contain`` for
        "containerize"), and for a Russian word its stem less two letters, as a prefix
        (``удал:*`` for «удаление» finds «удалить», ``вет:*`` for «веток» «ветку»).
        The exact stems, then the prefixes."""
        if self.corrected:
            return [], []
        share = LOOSE_MIN_SHARE_CYRILLIC if self.russian else LOOSE_MIN_SHARE
        exact, prefixes = [], []
        for lexeme in self.lexemes:
            if len(lexeme) < LOOSE_MIN_STEM:
                continue
            shortest = max(LOOSE_MIN_PREFIX, math.ceil(share * len(lexeme)))
            exact += [lexeme[:end] for end in range(shortest, len(lexeme))]
            if self.russian:
                prefixes.append(lexeme[:-2])
        return list(dict.fromkeys(exact)), list(dict.fromkeys(prefixes))

    def loose(self, weight: str = "") -> str:
        """The other forms as a ``tsquery``, or ``""``."""
        exact, prefixes = self.loose_prefixes()
        marks = f":{weight}" if weight else ""
        terms = [f"'{_quoted(stem)}'{marks}" for stem in exact]
        terms += [f"'{_quoted(stem)}':*{weight}" for stem in prefixes]
        return _any(terms) if terms else ""

    def either(self) -> str:
        loose = self.loose()
        return f"( {self.tsquery()} | {loose} )" if loose else self.tsquery()

    def _indexed(self, stem: str, prefix: bool, common: Vocabulary) -> list[str]:
        if not prefix:
            return [f"'{_quoted(stem)}'"]
        forms = common.starting_with(stem)
        if not forms:
            return [f"'{_quoted(stem)}':*"]
        return [f"'{_quoted(form)}'" for form in dict.fromkeys([stem, *forms])]

    def indexed(self, common: Vocabulary) -> str:
        """The word and its other forms as candidates are looked for: a prefix that
        common words start with spelt out as those words, which the index intersects
        cheaply (see the module docstring)."""
        terms = []
        for lexeme in self.lexemes:
            terms += self._indexed(lexeme, self.prefix, common)
        exact, prefixes = self.loose_prefixes()
        for stem in exact:
            terms += self._indexed(stem, False, common)
        for stem in prefixes:
            terms += self._indexed(stem, True, common)
        return _any(dict.fromkeys(terms))

    def share(self, common: Vocabulary) -> float:
        """The share of items with the word, as far as the vocabulary knows (0 for a
        rare word, or a misspelt one)."""
        shares = [0.0]
        for lexeme in self.lexemes:
            forms = common.starting_with(lexeme) if self.prefix else [lexeme]
            shares += [common.frequency.get(form, 0.0) for form in forms]
        return max(shares)


def _any(terms) -> str:
    return "( " + " | ".join(terms) + " )"


def _quoted(lexeme: str) -> str:
    return lexeme.replace("\\", "\\\\").replace("'", "''")


WORDS_SQL = """
    SELECT tsvector_to_array(to_tsvector('russian', word)),
           tsvector_to_array(to_tsvector('english', word))
    FROM unnest(%s::text[]) WITH ORDINALITY AS t(word, position)
    ORDER BY position
"""


def query_words(words: list[str]) -> list[QueryWord]:
    """The words with their lexemes (a Cyrillic word's in ``russian``, any other's in
    both configurations, which agree on Latin words). Words without lexemes (stop
    words: «как», "the") are left out."""
    with connection.cursor() as cursor:
        cursor.execute(WORDS_SQL, [words])
        rows = cursor.fetchall()
    parsed = []
    for word, (russian, english) in zip(words, rows, strict=True):
        lexemes = russian if CYRILLIC.search(word) else list(dict.fromkeys(english + russian))
        if lexemes:
            parsed.append(QueryWord(word, tuple(lexemes)))
    return parsed


# --- Candidates -----------------------------------------------------------------------


@dataclass(frozen=True)
class Round:
    """One statement's worth of places to look for candidates, strictest first (each
    ``tsquery`` a tier), and whether the planner is told to use the index."""

    tiers: list[str]
    index_only: bool


def _rounds(parsed: list[QueryWord], common: Vocabulary) -> list[Round]:
    """Where candidates are looked for, strictest first, in up to three statements:

    1. every word, in some form. Through the index (which intersects the words' lists,
       cheaply while one is short) unless the words are so common together that
       reading the table finds them sooner;
    2. all the words but one (for three words or more): each a conjunction the index
       answers, leaving out first a word no item may have (misspelt), then the
       commonest ones;
    3. any of the words: reading the table finds a common one soon, the index a rare
       one.
    """
    shares = [word.share(common) for word in parsed]
    either = [word.indexed(common) for word in parsed]
    rounds = [Round([" & ".join(either)], math.prod(shares) < PLENTIFUL_SHARE)]
    if len(parsed) >= 3:
        left_out = sorted(range(len(parsed)), key=lambda at: (shares[at] > 0, -shares[at]))
        rounds.append(
            Round(
                [
                    " & ".join(form for at, form in enumerate(either) if at != left)
                    for left in left_out[:ALL_BUT_ONE_TIERS]
                ],
                True,
            )
        )
    rounds.append(Round([" | ".join(either)], max(shares) < COMMON_SHARE))
    return rounds


def _corrected_rounds(parsed, corrected: list[QueryWord], common: Vocabulary) -> list[Round]:
    """Where to look again once misspelt words are corrected: every word (as corrected),
    then any of the corrected words."""
    either = [word.indexed(common) for word in parsed]
    shares = [word.share(common) for word in parsed]
    return [
        Round([" & ".join(either)], math.prod(shares) < PLENTIFUL_SHARE),
        Round(
            [" | ".join(word.indexed(common) for word in corrected)],
            max(word.share(common) for word in corrected) < COMMON_SHARE,
        ),
    ]


def _gather(
    candidates, rounds: list[Round], wanted: int, enough: int, found=None
) -> dict[str, list[int]]:
    """Up to ``wanted`` candidates of each kind, round by round; a kind with ``enough``
    after a round (with more of the words than a later round would find) is done."""
    found = found or {kind: [] for kind in candidates}
    for round_ in rounds:
        statements = {}
        for kind, queryset in candidates.items():
            missing = wanted - len(found[kind])
            if missing <= 0 or len(found[kind]) >= enough or queryset.query.is_empty():
                continue
            statements[kind] = (_tiered(queryset, round_.tiers, found[kind], missing), missing)
        if not statements:
            break
        for kind, pk in _fetch(statements, index_only=round_.index_only):
            found[kind].append(pk)
    return found


def _tiered(queryset, tiers: list[str], found: list[int], limit: int) -> list[QuerySet]:
    """A queryset for each tier, without what the tier before it or an earlier round
    found, each with the limit (so that PostgreSQL plans each to stop early). Unordered:
    when more items match than are wanted, those the scan meets first are taken
    (sorting would read every match)."""
    querysets, before = [], None
    for tier in tiers:
        matches = Q(search_vector=ParsedSearchQuery(tier))
        if before is not None:
            matches &= ~Q(search_vector=ParsedSearchQuery(before))
        querysets.append(queryset.filter(matches).exclude(pk__in=found).order_by()[:limit])
        before = tier
    return querysets


def _typo_titles(candidates, typos: list[QueryWord], found, seen) -> dict[str, list[int]]:
    """Candidates whose title has a word like a misspelt one (by trigrams), but for
    those ``seen``."""
    similar = Q()
    for word in typos:
        similar |= Q(title__trigram_word_similar=word.text)
    statements = {
        kind: (
            [
                queryset.filter(similar)
                .exclude(pk__in=[*seen[kind], *found[kind]])
                .order_by()[:TYPO_CANDIDATES]
            ],
            TYPO_CANDIDATES,
        )
        for kind, queryset in candidates.items()
        if not queryset.query.is_empty()
    }
    for kind, pk in _fetch(statements):
        found[kind].append(pk)
    return found


def _fetch(statements: dict[str, tuple[list[QuerySet], int]], *, index_only=False) -> list:
    """(kind, pk) rows in one statement: for each kind, its querysets' rows in turn, up
    to its limit (PostgreSQL stops at the limit, leaving the later querysets unread).
    ``index_only`` tells the planner not to read the tables sequentially, for this
    statement alone."""
    if not statements:
        return []
    parts, params = [], []
    for kind, (querysets, limit) in statements.items():
        tiers, part_params = [], [kind]
        for queryset in querysets:
            sql, tier_params = queryset.values("pk").query.sql_with_params()
            tiers.append(f"({sql})")
            part_params += tier_params
        union = " UNION ALL ".join(tiers)
        parts.append(f"(SELECT %s AS kind, pk FROM ({union}) AS {kind}_tiers LIMIT %s)")  # noqa: S608
        params += [*part_params, limit]
    sql = " UNION ALL ".join(parts)
    with connection.cursor() as cursor:
        if not index_only:
            cursor.execute(sql, params)
            return cursor.fetchall()
        # In autocommit the two statements make one implicit transaction, which the
        # setting ends with; inside a transaction it is put back.
        cursor.execute(f"SET LOCAL enable_seqscan = off; {sql}", params)
        rows = cursor.fetchall()
        if connection.in_atomic_block:
            cursor.execute("SET LOCAL enable_seqscan = on")
        return rows


# --- Ranking --------------------------------------------------------------------------

# The candidates ranked (see ``_ranked``). Each item's vector is read (and, for a long
# article, decompressed) once, into the materialised ``candidate``, however many words
# are looked up in it.
RANK_SQL = """
WITH candidate AS MATERIALIZED (
    SELECT 'article' AS kind, id AS pk, title, language, search_vector || ''::tsvector AS vector
    FROM knowledge_base_article WHERE id = ANY(%(article)s)
    UNION ALL
    SELECT 'question', id, title, language, search_vector || ''::tsvector
    FROM knowledge_base_question WHERE id = ANY(%(question)s)
),
found AS (
    SELECT kind, pk, title, language, {found},
           ts_rank(%(rank_weights)s::float4[], vector, %(tsquery)s::tsquery,
                   %(rank_normalization)s) AS rank,
           word_similarity(%(phrase)s, title) AS similarity
    FROM candidate
),
weighed AS (
    SELECT *, {weights} FROM found
)
SELECT kind, pk, title, language,
       ({weighed}) / ({total}) * ({words_found})::float / %(words)s
       + %(similarity_weight)s * similarity + %(rank_weight)s * rank
       + CASE WHEN language = %(language)s THEN %(language_match)s ELSE 0 END AS score,
       {anywhere}
FROM weighed
ORDER BY score DESC, kind, pk DESC
LIMIT %(limit)s OFFSET %(offset)s
"""


def _word_found_sql(at: int, word: QueryWord, typo: bool) -> tuple[str, dict]:
    """SQL for what the word found in a candidate (see TITLE_MATCH), and its
    parameters."""
    if typo:
        return (
            f"CASE WHEN word_similarity(%(word_{at})s, title) >= {TYPO_SIMILARITY} "
            f"THEN word_similarity(%(word_{at})s, title) ELSE 0 END",
            {f"word_{at}": word.text},
        )
    forms = [(word.tsquery("A"), TITLE_MATCH), (word.tsquery(), BODY_MATCH)]
    if word.loose():
        forms += [(word.loose("A"), LOOSE_TITLE_MATCH), (word.loose(), LOOSE_BODY_MATCH)]
    whens = " ".join(
        f"WHEN vector @@ %(form_{at}_{number})s::tsquery THEN {value}"
        for number, (_form, value) in enumerate(forms)
    )
    return (
        f"CASE {whens} ELSE 0 END",
        {f"form_{at}_{number}": form for number, (form, _value) in enumerate(forms)},
    )


def _ranked(parsed, phrase, language, found_pks, *, typos=(), limit, offset):
    """The page of (kind, pk, title, language, score), best first, of the candidates,
    and the positions of the words found in none of them.

    The score: the words found, each weighed by its rarity among the candidates (an
    inverse document frequency: "python" in every other title counts less than
    "isolated") and by where it was found (TITLE_MATCH...), as a share of all the
    query's words; times the share of the words found at all, so that three words in
    the body beat one in the title; plus the title's trigram similarity to the query,
    ts_rank and the query's language."""
    found, params = [], {}
    for at, word in enumerate(parsed):
        sql, word_params = _word_found_sql(at, word, word in typos)
        found.append(f"{sql} AS found_{at}")
        params.update(word_params)
    names = [f"found_{at}" for at in range(len(parsed))]
    sql = RANK_SQL.format(
        found=", ".join(found),
        weights=", ".join(
            f"ln(1 + count(*) OVER () / greatest(1, count(*) FILTER (WHERE {name} > 0) "
            f"OVER ())::float) AS weight_{at}"
            for at, name in enumerate(names)
        ),
        weighed=" + ".join(f"{name} * weight_{at}" for at, name in enumerate(names)),
        total=" + ".join(f"weight_{at}" for at in range(len(names))),
        words_found=" + ".join(f"({name} > 0)::integer" for name in names),
        anywhere=", ".join(f"max({name}) OVER () > 0" for name in names),
    )
    params |= {
        "article": found_pks.get("article", []),
        "question": found_pks.get("question", []),
        "rank_weights": RANK_WEIGHTS,
        "tsquery": " | ".join(word.either() for word in parsed),
        "rank_normalization": RANK_NORMALIZATION,
        "phrase": phrase,
        "words": len(parsed),
        "similarity_weight": TITLE_SIMILARITY_WEIGHT,
        "rank_weight": RANK_WEIGHT,
        "language": language,
        "language_match": LANGUAGE_MATCH,
        "limit": limit,
        "offset": offset,
    }
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    if not rows:
        return [], set(range(len(parsed)))
    anywhere = rows[0][5:]
    return [row[:5] for row in rows], {at for at, seen in enumerate(anywhere) if not seen}


# --- The whole ------------------------------------------------------------------------


def hits(words: list[str], candidates: dict[str, QuerySet], *, language, limit, offset):
    """The page of hits as (kind, pk, title, language, score, snippet), best first.
    ``candidates`` are the querysets of what the reader may see, by kind; ``language``
    the query's."""
    parsed = query_words(words)
    if not parsed:
        return []
    common = vocabulary()
    phrase = " ".join(words)
    wanted = max(RANK_CANDIDATES, offset + limit)
    enough = max(ENOUGH_CANDIDATES, offset + limit)
    found = _gather(candidates, _rounds(parsed, common), wanted, enough)
    page, missing = _ranked(parsed, phrase, language, found, limit=limit, offset=offset)
    # A word in no candidate, and not a common one, is likely misspelt.
    typos = [
        word
        for at, word in enumerate(parsed)
        if at in missing and len(word.text) >= TYPO_MIN_LENGTH and not word.share(common)
    ]
    if typos:
        # Corrected against the common words, or (on a small knowledge base) looked
        # for in titles by its trigrams; what that finds joins the candidates, all
        # ranked again.
        corrected = {}
        for word in typos:
            correction = common.correction(word.lexemes[0])
            if correction:
                corrected[word] = QueryWord(word.text, (correction,), corrected=True)
        more = {kind: [] for kind in candidates}
        if corrected:
            parsed = [corrected.get(word, word) for word in parsed]
            typos = [word for word in typos if word not in corrected]
            more = _gather(
                candidates,
                _corrected_rounds(parsed, list(corrected.values()), common),
                wanted,
                enough,
            )
        by_titles = typos and common.rows < TYPO_TITLES_MAX_ROWS
        if by_titles:
            more = _typo_titles(candidates, typos, more, seen=found)
        if corrected or by_titles:
            for kind, pks in more.items():
                found[kind] += [pk for pk in pks if pk not in found[kind]]
            page, _missing = _ranked(
                parsed, phrase, language, found, typos=typos, limit=limit, offset=offset
            )
    snippets = _headlines(page, " | ".join(word.either() for word in parsed))
    return [(*row, snippets.get((row[0], row[1]), mark_safe(""))) for row in page]  # noqa: S308


# --- Snippets -------------------------------------------------------------------------

HEADLINE_SQL = """
SELECT kind, pk, ts_headline(
    CASE WHEN language = 'ru' THEN 'russian' ELSE 'english' END::regconfig,
    -- Markdown's marks (headings, emphasis, code fences, quotes) are not prose.
    regexp_replace(CASE WHEN body = '' THEN title ELSE body END, '[#*`>_~]+', ' ', 'g'),
    %(tsquery)s::tsquery, %(options)s)
FROM (
    SELECT 'article' AS kind, id AS pk, title, body, language
    FROM knowledge_base_article WHERE id = ANY(%(article)s)
    UNION ALL
    SELECT 'question', id, title, body, language
    FROM knowledge_base_question WHERE id = ANY(%(question)s)
) AS hit
"""


def _headlines(page, tsquery: str) -> dict[tuple[str, int], SafeString]:
    """``ts_headline`` of each hit's body (its title when it has none), for the page
    only, in one query: the matched words come back between markers no text can hold
    (random, for this call), the whole is HTML-escaped, then the markers become
    ``<mark>`` and ``</mark>``."""
    if not page:
        return {}
    start, stop = (f"zz{secrets.token_hex(6)}{side}" for side in ("s", "e"))
    params = {
        "tsquery": tsquery,
        "options": f"StartSel={start}, StopSel={stop}, MinWords={SNIPPET_WORDS[0]}, "
        f"MaxWords={SNIPPET_WORDS[1]}, ShortWord=2",
        "article": [pk for kind, pk, *_rest in page if kind == "article"],
        "question": [pk for kind, pk, *_rest in page if kind == "question"],
    }
    with connection.cursor() as cursor:
        cursor.execute(HEADLINE_SQL, params)
        rows = cursor.fetchall()
    return {
        (kind, pk): mark_safe(  # noqa: S308 (escaped first)
            html.escape(headline or "").replace(start, "<mark>").replace(stop, "</mark>")
        )
        for kind, pk, headline in rows
    }
