"""The search benchmark behind ``make bench`` (``manage.py bench_search``).

It builds a synthetic knowledge base in a database of its own on the same PostgreSQL
server (never the dev or CI database): 200,000 questions and 10,000 articles by default,
in English and Russian, across eight programmes, asked by 20,000 students with mentors,
supervisors and enrolments, so that what a student, a mentor and staff may see is as
large as it would be. Words are drawn from a vocabulary of a programming school with a
skewed frequency (Russian text borrowing English terms), so the commonest word
("python") is in half the questions, «ошибка» in a quarter and the least common of the
vocabulary in about one in seventy; one word in twenty is a rare identifier (two words
run together, as class and error names are), in a handful of items each.

Then, for a student, a mentor and staff, it times the two calls of ``search`` that
answer while someone waits: the suggestions while a student types a question
(``answered_only=True, limit=5``) and the search page (``limit=20``), over a few hundred
queries (common words, rare ones, several words, typos, both languages), next to the
*floor*: the bare GIN-indexed match of the same words, ``search_vector @@ query`` with a
``LIMIT`` and nothing else (no visibility, no ranking, no snippets).

Data are generated set-based in SQL (``INSERT ... SELECT generate_series``).
"""

import json
import random
import statistics
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

from django.db import connection, transaction

from mentorship.bench import BenchDatabase
from mentorship.models import User
from projects.models import Programme

from .articles import articles_visible_to
from .questions import questions_visible_to
from .search import query_words, search
from .search_postgresql import PREFIX_MIN_LENGTH

# The benchmark's own database; bump the version when the generated data change, so an
# old benchmark database is rebuilt.
DATABASE = BenchDatabase(
    marker_table="bench_search_marker", sizes=("questions", "articles"), version=2
)
TARGET_P95_MS = 50.0
# The slowest queries of each call written down, for a look at what is slow.
SLOWEST = 10
PROGRAMMES = 8
# Skew of the word draws: position = n * random() ** SKEW, so the first words of a
# vocabulary are drawn far more often than the last.
SKEW = 1.6
# The English words Russian text borrows: the first (commonest) of the vocabulary.
BORROWED_WORDS = 60

# Content words, the commonest first. Russian words come in several forms, as in text.
ENGLISH_WORDS = """
python error file function code data list install django test module class string
import value table query database git branch commit server request model project
variable loop array dictionary key object method package environment script run
pandas dataframe column row index sql join select docker container image build
deploy production api http response status json parse read write open path folder
return argument parameter type integer float boolean none null exception traceback
debug print log message form template view url route static css html javascript
browser page button event click fetch promise async await callback merge conflict
rebase pull push remote origin repository clone github review feedback mentor
project deadline submission grade rubric lesson course exercise task homework
recursion algorithm sort search binary tree graph node stack queue heap complexity
memory performance slow fast cache timeout connection socket port network proxy
linux terminal command shell bash permission denied user password secret token
settings config variable environment virtualenv venv pip requirements version
upgrade dependency library framework flask fastapi numpy matplotlib plot chart
notebook jupyter kernel cell notebook csv excel encoding unicode utf bytes regex
pattern match group split replace strip format date time timezone datetime
migration schema field foreign relation many constraint unique transaction lock
thread process pool worker celery queue task schedule cron email send smtp
authentication login logout session cookie csrf cors header token jwt oauth
testing pytest fixture mock assert coverage unittest integration continuous
pipeline workflow action lint format style pep typing annotation dataclass
generator iterator comprehension lambda closure decorator scope global local
inheritance polymorphism interface abstract property setter getter constructor
tuple set frozen immutable mutable copy deep shallow reference garbage collector
""".split()  # noqa: SIM905 (a list of words reads best as text)

RUSSIAN_WORDS = """
ошибка ошибку ошибки файл файла файлы функция функции функцию код кода данные
данных список списка установка установить установил модуль модуля класс класса
строка строки значение значения таблица таблицы запрос запроса база базы данных
ветка ветку ветки коммит коммита сервер сервера модель модели проект проекта
переменная переменной цикл цикла массив словарь словаря ключ объект объекта метод
пакет пакета пакеты окружение окружения скрипт запуск запустить столбец строку
индекс соединение docker контейнер образ сборка собрать развернуть развертывание
продакшен ответ ответа статус json разбор чтение читать запись записать открыть
путь папка папки возврат аргумент параметр тип число целое логический исключение
отладка вывод лог сообщение форма шаблон представление адрес маршрут стили
браузер страница кнопка событие нажатие промис асинхронный ожидание слияние
конфликт конфликта перебазирование удаленный репозиторий клонировать ревью отзыв
ментор дедлайн сдача оценка критерий урок курс упражнение задача задание
рекурсия рекурсивная алгоритм сортировка поиск бинарный дерево граф узел стек
очередь куча сложность память производительность медленно быстро кэш таймаут
подключение сокет порт сеть прокси линукс терминал команда консоль права доступ
пользователь пароль секрет токен настройки конфигурация виртуальное версия
обновление зависимость библиотека фреймворк график блокнот ячейка кодировка
байты регулярное выражение шаблона совпадение группа разделить заменить формат
дата время часовой пояс миграция миграции схема поле связь ограничение транзакция
блокировка поток процесс пул воркер задачи расписание письмо отправить авторизация
вход выход сессия куки заголовок тестирование тест тесты фикстура мок покрытие
интеграция конвейер линтер стиль аннотация генератор итератор замыкание декоратор
область видимость наследование интерфейс абстрактный свойство конструктор кортеж
множество неизменяемый копия ссылка сборщик мусора
""".split()  # noqa: SIM905 (a list of words reads best as text)

ENGLISH_STOP_WORDS = """
the a an to in of and is it my i how do does why what when with for on not but this
that can from after before again still only so be was are have has
""".split()  # noqa: SIM905 (a list of words reads best as text)

RUSSIAN_STOP_WORDS = """
и в не на что как почему когда с по для это у меня я но же ли уже еще только так
после перед снова все его её их из за к
""".split()  # noqa: SIM905 (a list of words reads best as text)

# Queries a student or mentor types, besides those drawn from the vocabulary.
HANDWRITTEN_QUERIES = [
    "how to install a package with pip",
    "virtual environment activate windows",
    "git merge conflict",
    "undo last commit",
    "left join vs inner join",
    "pandas read csv encoding",
    "docker container exits immediately",
    "recursion depth exceeded",
    "deploy django nginx gunicorn",
    "pytest fixture scope",
    "cors error fetch",
    "ModuleNotFoundError: No module named 'requests'",
    "как установить пакет",
    "виртуальное окружение не активируется",
    "конфликт при слиянии веток",
    "отменить последний коммит",
    "соединение таблиц sql",
    "ошибка кодировки при чтении csv",
    "контейнер сразу останавливается",
    "рекурсия превышена глубина",
    "развернуть django на сервере",
    "фикстуры pytest",
    "ошибка cors в браузере",
    "SELECT * FROM users; DROP TABLE users; --",
    "how to 'quote' & | ! ( ) : * things",
]


@dataclass
class Figures:
    """Milliseconds of one call over the queries: the median, the 95th percentile and
    the slowest."""

    p50: float
    p95: float
    max: float

    @classmethod
    def of(cls, seconds: list[float]) -> "Figures":
        ms = sorted(1000 * each for each in seconds)
        p95 = ms[min(len(ms) - 1, max(0, round(0.95 * len(ms)) - 1))]
        return cls(round(statistics.median(ms), 2), round(p95, 2), round(ms[-1], 2))


@dataclass
class BenchResult:
    """What was measured, in milliseconds (``Figures``), with the target."""

    questions: int
    articles: int
    queries: int
    rounds: int
    # Per reader ("student", "mentor", "staff") and call ("suggestions", "search").
    calls: dict = field(default_factory=dict)
    floor: Figures | None = None
    # What each reader may see, for the record.
    visible: dict = field(default_factory=dict)
    # The slowest queries of each reader's call, (milliseconds, query).
    slowest: dict = field(default_factory=dict)
    target_p95_ms: float = TARGET_P95_MS

    @property
    def worst_p95(self) -> float:
        return max(figures.p95 for by_call in self.calls.values() for figures in by_call.values())

    def as_dict(self) -> dict:
        return {
            **asdict(self),
            "worst_p95_ms": self.worst_p95,
            "within_target": self.worst_p95 <= self.target_p95_ms,
        }


# --- Data -----------------------------------------------------------------------------


def _words(language: str, count: str, stop_share: float) -> str:
    """SQL for ``count`` words of an item in ``language``: a share of stop words; one
    in twenty a rare identifier (two words run together: ``ParseFile``, as class,
    function and error names are); the rest drawn from the vocabulary with the skew.
    Russian text borrows English technical words (``python``, ``docker``) for one word
    in five."""
    vocabulary, stop_words = f"%({language})s::text[]", f"%({language}_stop)s::text[]"
    english = "%(english)s::text[]"

    def skewed(words: str, among: str = "") -> str:
        size = among or f"cardinality({words})"
        return f"({words})[1 + floor({size} * power(random(), {SKEW}))::integer]"

    def uniform(words: str) -> str:
        return f"({words})[1 + floor(random() * cardinality({words}))::integer]"

    borrowed = ""
    if language == "russian":
        borrowed = f"WHEN draw.r < {stop_share + 0.25} THEN {skewed(english, str(BORROWED_WORDS))}"
    # Numbers and our own parameter names only.
    return f"""(
        SELECT string_agg(
            CASE WHEN draw.r < {stop_share} THEN {uniform(stop_words)}
                 WHEN draw.r < {stop_share + 0.05}
                      THEN initcap({uniform(vocabulary)}) || initcap({uniform(vocabulary)})
                 {borrowed}
                 ELSE {skewed(vocabulary)}
            END, ' ')
        FROM generate_series(1, {count}) AS word_number
        CROSS JOIN LATERAL (SELECT random() AS r, word_number) AS draw
    )"""  # noqa: S608


def _text(count: str, stop_share: float) -> str:
    """SQL for the words of an item in its language (``item_language``)."""
    return (
        f"CASE WHEN item_language = 'ru' THEN {_words('russian', count, stop_share)} "
        f"ELSE {_words('english', count, stop_share)} END"
    )


# People and programmes: students by number n are enrolled in programme n % 8 (one in
# ten in the next one too) and mentored by a mentor of that programme; each mentor
# teaches two programmes and belongs to one of the supervisors.
GENERATE = [
    "SET LOCAL synchronous_commit = off",
    """
    INSERT INTO mentorship_user
        (password, is_superuser, email, display_name, role, language, time_zone,
         email_notifications, is_active, date_joined)
    SELECT '!', false, 'bench-search-' || r.role || '-' || n || '@bench.test',
           'Bench ' || r.role || ' ' || n, r.role, 'en', 'UTC', false, true, now()
    FROM (VALUES ('supervisor', %(supervisors)s), ('mentor', %(mentors)s),
                 ('student', %(students)s), ('staff', 1)) AS r(role, people)
    CROSS JOIN LATERAL generate_series(0, r.people - 1) AS n
    """,
    """
    CREATE TEMP TABLE bench_person ON COMMIT DROP AS
    SELECT role, (row_number() OVER (PARTITION BY role ORDER BY id) - 1)::integer AS n, id
    FROM mentorship_user WHERE email LIKE 'bench-search-%%'
    """,
    "CREATE UNIQUE INDEX ON bench_person (role, n)",
    """
    CREATE TEMP TABLE bench_programme ON COMMIT DROP AS
    SELECT (row_number() OVER (ORDER BY id) - 1)::integer AS n, id
    FROM projects_programme WHERE slug LIKE 'bench-search-%%'
    """,
    """
    INSERT INTO mentorship_studentprofile (user_id, goals, weekly_hours, status, external_id)
    SELECT id, '', 10, 'active', '' FROM bench_person WHERE role = 'student'
    """,
    """
    INSERT INTO mentorship_mentorprofile (user_id, capacity, languages, bio, supervisor_id)
    SELECT m.id, 100, '["en", "ru"]'::jsonb, '', s.id
    FROM bench_person m
    JOIN bench_person s ON s.role = 'supervisor' AND s.n = m.n %% %(supervisors)s
    WHERE m.role = 'mentor'
    """,
    """
    INSERT INTO mentorship_mentorprofile_programmes (mentorprofile_id, programme_id)
    SELECT profile.id, p.id
    FROM bench_person m
    JOIN mentorship_mentorprofile profile ON profile.user_id = m.id
    CROSS JOIN (VALUES (0), (3)) AS shift(k)
    JOIN bench_programme p ON p.n = (m.n + shift.k) %% %(programmes)s
    WHERE m.role = 'mentor'
    """,
    """
    INSERT INTO projects_enrolment
        (student_id, programme_id, started_on, target_end_on, status, allow_skipping)
    SELECT s.id, p.id, current_date - 60, current_date + 120, 'active', false
    FROM bench_person s
    CROSS JOIN (VALUES (0), (1)) AS shift(k)
    JOIN bench_programme p ON p.n = (s.n + shift.k) %% %(programmes)s
    WHERE s.role = 'student' AND (shift.k = 0 OR s.n %% 10 = 0)
    """,
    """
    INSERT INTO mentorship_assignment (student_id, mentor_id, started_at, reason)
    SELECT s.id, m.id, now() - interval '60 days', 'Benchmark'
    FROM bench_person s
    JOIN bench_person m ON m.role = 'mentor'
     AND m.n = (s.n %% %(programmes)s
                + %(programmes)s * ((s.n / %(programmes)s) %% (%(mentors)s / %(programmes)s)))
    WHERE s.role = 'student'
    """,
    # Questions: by student n % students in their (first) programme; three in five
    # public; half answered, some solved, the rest waiting. Two in five in Russian.
    f"""
    INSERT INTO knowledge_base_question
        (author_id, programme_id, title, body, language, visibility, hide_name, status,
         created_at, waiting_since, first_answered_at)
    SELECT s.id, p.id, initcap({_text("3 + g %% 5", 0.2)}) || '?',
           {_text("15 + g %% 45", 0.4)}, item_language,
           CASE WHEN g %% 10 < 6 THEN 'programme' ELSE 'private' END, g %% 7 = 0,
           CASE WHEN g %% 20 < 10 THEN 'answered' WHEN g %% 20 < 13 THEN 'accepted'
                ELSE 'open' END,
           now() - (g %% 700) * interval '1 day', now() - (g %% 700) * interval '1 day',
           CASE WHEN g %% 20 < 13 THEN now() - (g %% 700) * interval '1 day' END
    FROM generate_series(0, %(questions)s - 1) AS g
    CROSS JOIN LATERAL (
        SELECT CASE WHEN g %% 5 < 2 THEN 'ru' ELSE 'en' END AS item_language
    ) AS language
    JOIN bench_person s ON s.role = 'student' AND s.n = g %% %(students)s
    JOIN bench_programme p ON p.n = (g %% %(students)s) %% %(programmes)s
    """,  # noqa: S608 (our own SQL and parameter names)
    # Articles: longer, one in ten a draft, seven in ten for one programme (the rest
    # for the whole school), each by a mentor.
    f"""
    INSERT INTO knowledge_base_article
        (title, body, language, status, created_at, updated_at, published_at, view_count)
    SELECT initcap({_text("3 + g %% 4", 0.15)}), {_text("60 + g %% 140", 0.4)},
           item_language, CASE WHEN g %% 10 = 0 THEN 'draft' ELSE 'published' END,
           now() - (g %% 700) * interval '1 day', now() - (g %% 700) * interval '1 day',
           CASE WHEN g %% 10 <> 0 THEN now() - (g %% 700) * interval '1 day' END, 0
    FROM generate_series(0, %(articles)s - 1) AS g
    CROSS JOIN LATERAL (
        SELECT CASE WHEN g %% 5 < 2 THEN 'ru' ELSE 'en' END AS item_language
    ) AS language
    """,  # noqa: S608 (our own SQL and parameter names)
    """
    CREATE TEMP TABLE bench_article ON COMMIT DROP AS
    SELECT (row_number() OVER (ORDER BY id) - 1)::integer AS n, id
    FROM knowledge_base_article
    WHERE id > coalesce((SELECT max(article_id) FROM knowledge_base_article_authors), 0)
    """,
    """
    INSERT INTO knowledge_base_article_programmes (article_id, programme_id)
    SELECT a.id, p.id FROM bench_article a
    JOIN bench_programme p ON p.n = a.n %% %(programmes)s
    WHERE a.n %% 10 < 7
    """,
    """
    INSERT INTO knowledge_base_article_authors (article_id, user_id)
    SELECT a.id, m.id FROM bench_article a
    JOIN bench_person m ON m.role = 'mentor' AND m.n = a.n %% %(mentors)s
    """,
    "ANALYZE",
]


def bench_data_generate(
    *, questions: int, articles: int, progress=lambda step: None, vacuum: bool = True
) -> None:
    """The knowledge base and its people, in one transaction of set-based statements,
    then ``VACUUM ANALYZE`` (which cannot run inside a transaction, hence
    ``vacuum=False`` in tests)."""
    students = max(20, questions // 10)
    mentors = PROGRAMMES * max(2, students // (PROGRAMMES * 200))
    params = {
        "questions": questions,
        "articles": articles,
        "students": students,
        "mentors": mentors,
        "supervisors": max(1, mentors // 20),
        "programmes": PROGRAMMES,
        "english": ENGLISH_WORDS,
        "russian": RUSSIAN_WORDS,
        "english_stop": ENGLISH_STOP_WORDS,
        "russian_stop": RUSSIAN_STOP_WORDS,
    }
    with transaction.atomic():
        Programme.objects.bulk_create(
            Programme(slug=f"bench-search-{number}", title=f"Bench programme {number}")
            for number in range(PROGRAMMES)
        )
        with connection.cursor() as cursor:
            for statement in GENERATE:
                progress(" ".join(statement.split())[:70])
                cursor.execute(statement, params)
            progress("COMMIT")
    if vacuum:
        progress("VACUUM ANALYZE")
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")


# --- Queries --------------------------------------------------------------------------


def _typo(word: str, chooser: random.Random) -> str:
    """The word with one letter dropped, doubled or two swapped."""
    at = chooser.randrange(1, len(word) - 1)
    kind = chooser.choice(("drop", "double", "swap"))
    if kind == "drop":
        return word[:at] + word[at + 1 :]
    if kind == "double":
        return word[:at] + word[at] + word[at:]
    return word[: at - 1] + word[at] + word[at - 1] + word[at + 1 :]


def bench_queries(count: int = 300, *, seed: int = 7) -> list[str]:
    """The handwritten queries and others drawn from the vocabularies with the same
    skew as the text: single words (common ones among them), two to five words with
    stop words, Russian ones with an English term in some, a rare identifier in one in
    ten, and a typo in one in five."""
    chooser = random.Random(seed)
    queries = list(HANDWRITTEN_QUERIES)
    while len(queries) < count:
        russian = chooser.random() < 0.4
        words, stop_words = (
            (RUSSIAN_WORDS, RUSSIAN_STOP_WORDS) if russian else (ENGLISH_WORDS, ENGLISH_STOP_WORDS)
        )
        size = chooser.choice((1, 2, 2, 3, 3, 4, 5))
        query = [words[int(len(words) * chooser.random() ** SKEW)] for _word in range(size)]
        if russian and chooser.random() < 0.3:
            query[-1] = ENGLISH_WORDS[int(BORROWED_WORDS * chooser.random() ** SKEW)]
        if chooser.random() < 0.1:
            query[0] = chooser.choice(words).title() + chooser.choice(words).title()
        if chooser.random() < 0.2:
            longest = max(range(size), key=lambda index: len(query[index]))
            if len(query[longest]) >= 5:
                query[longest] = _typo(query[longest], chooser)
        if size > 1 and chooser.random() < 0.5:
            query.insert(1, chooser.choice(stop_words))
        queries.append(" ".join(query))
    return queries[:count]


# --- Timing ---------------------------------------------------------------------------

# The floor: the same words as ``search`` matches them (OR-combined, the longer ones
# as prefixes, parsed in both configurations), then matched through the GIN index of
# each table with a LIMIT, nothing else: no visibility, no ranking, no snippets.
FLOOR_PARSE_SQL = "SELECT (to_tsquery('russian', %s) || to_tsquery('english', %s))::text"
FLOOR_SQL = """
    (SELECT id FROM knowledge_base_question WHERE search_vector @@ %(tsquery)s::tsquery
     LIMIT %(limit)s)
    UNION ALL
    (SELECT id FROM knowledge_base_article WHERE search_vector @@ %(tsquery)s::tsquery
     LIMIT %(limit)s)
"""

CALLS = {
    "suggestions": {"answered_only": True, "limit": 5},
    "search": {"limit": 20},
}


def bench_readers() -> dict[str, User]:
    """A student enrolled in two programmes, a mentor (who teaches two) and staff."""
    return {
        "student": User.objects.get(email="bench-search-student-0@bench.test"),
        "mentor": User.objects.get(email="bench-search-mentor-0@bench.test"),
        "staff": User.objects.get(email="bench-search-staff-0@bench.test"),
    }


def _floor_words(query: str) -> str:
    """The query's words OR-combined, the longer ones as prefixes, as ``search``
    matches them."""
    words = query_words(query)
    return " | ".join(f"{word}:*" if len(word) >= PREFIX_MIN_LENGTH else word for word in words)


def _floor_time(cursor, query: str) -> float:
    started = time.perf_counter()
    words = _floor_words(query)
    if words:
        cursor.execute(FLOOR_PARSE_SQL, [words, words])
        (tsquery,) = cursor.fetchone()
        if tsquery:
            cursor.execute(FLOOR_SQL, {"tsquery": tsquery, "limit": 20})
            cursor.fetchall()
    return time.perf_counter() - started


def bench_run(*, queries: list[str], rounds: int = 3) -> BenchResult:
    """Each reader's two calls and the floor over every query: one pass to warm the
    caches, then ``rounds`` passes, each query's median of them reported (this
    machine's timings move with its other work; a query slow in every pass stays
    slow). The calls of a query are taken in turn, the floor with them."""
    readers = bench_readers()
    result = BenchResult(
        questions=questions_visible_to(readers["staff"]).count(),
        articles=articles_visible_to(readers["staff"]).count(),
        queries=len(queries),
        rounds=rounds,
    )
    for role, user in readers.items():
        result.visible[role] = {
            "questions": questions_visible_to(user).count(),
            "articles": articles_visible_to(user).count(),
        }
    seconds = {role: {call: [[] for _query in queries] for call in CALLS} for role in readers}
    floor = [[] for _query in queries]
    with connection.cursor() as cursor:
        for number in range(rounds + 1):
            for at, query in enumerate(queries):
                took = _floor_time(cursor, query)
                if number:
                    floor[at].append(took)
                for role, user in readers.items():
                    for call, arguments in CALLS.items():
                        started = time.perf_counter()
                        search(user, query, **arguments)
                        if number:
                            seconds[role][call][at].append(time.perf_counter() - started)
    result.calls = {
        role: {
            call: Figures.of([statistics.median(runs) for runs in by_query])
            for call, by_query in by_call.items()
        }
        for role, by_call in seconds.items()
    }
    result.slowest = {
        f"{role} {call}": [
            (round(1000 * median, 1), query)
            for median, query in sorted(
                (
                    (statistics.median(runs), query)
                    for runs, query in zip(by_query, queries, strict=True)
                ),
                reverse=True,
            )[:SLOWEST]
        ]
        for role, by_call in seconds.items()
        for call, by_query in by_call.items()
    }
    result.floor = Figures.of([statistics.median(runs) for runs in floor])
    return result


def bench_results_write(result: BenchResult, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(result.as_dict(), indent=2, ensure_ascii=False) + "\n")
