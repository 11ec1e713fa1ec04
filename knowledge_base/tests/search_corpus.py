"""A fixed corpus for the search quality test (``test_search.py``): articles and public
answered questions of a programming school, in English and in Russian, each with the
queries a student might type to find it.

The queries are worded differently from their target on purpose, as a student who has
not seen the item would word them: in Russian other word forms («как установить пакет»
for «Установка пакетов»), in English synonyms and another word order, and in several
queries one typo (marked ``# typo``). Nearby items compete for the same words (pip and
``ModuleNotFoundError``, SQL joins and merging DataFrames, undoing a commit and deleting
a branch), so the expected item has to win, not merely be found.

Do not reword a query to make the engine pass: a failing query is what the test is for.
"""

from dataclasses import dataclass


@dataclass(frozen=True)
class Item:
    key: str
    kind: str  # "article" or "question"
    language: str
    title: str
    body: str
    queries: tuple[str, ...]


A, Q = "article", "question"

ENGLISH = [
    Item(
        "pip-install",
        A,
        "en",
        "Installing packages with pip",
        "Activate your virtual environment first, then run python -m pip install requests. "
        "Pin the versions you rely on in requirements.txt and install them all at once "
        "with pip install -r requirements.txt. If pip says permission denied, you are "
        "most likely outside the environment.",
        (
            "how to add a library with pip",
            "pip install packeges",  # typo
        ),
    ),
    Item(
        "venv",
        A,
        "en",
        "Creating a virtual environment with venv",
        "Run python -m venv .venv in the project folder and activate it: source "
        ".venv/bin/activate on macOS and Linux, .venv\\Scripts\\activate on Windows. Each "
        "project then keeps its own dependencies, isolated from the system Python.",
        ("set up an isolated python env per project", "virtualenv activation on windows"),
    ),
    Item(
        "merge-conflict",
        Q,
        "en",
        "How do I resolve a merge conflict in Git?",
        "I ran git merge main and now several files contain <<<<<<< HEAD and >>>>>>> "
        "markers. What should I do to finish the merge without losing my changes?",
        ("fixing conflicts after merging branches", "git conflcit markers in my files"),  # typo
    ),
    Item(
        "undo-commit",
        A,
        "en",
        "Undoing the last commit",
        "git reset --soft HEAD~1 takes the commit back and keeps your changes staged. "
        "On a branch others already pulled, use git revert instead: it adds a new commit "
        "that reverses the old one and rewrites no history.",
        ("revert a commit I already made", "cancel my previous comit"),  # typo
    ),
    Item(
        "delete-branch",
        A,
        "en",
        "Deleting a branch locally and on GitHub",
        "git branch -d feature removes a local branch once it has been merged (-D forces "
        "it). To remove it from the remote too, run git push origin --delete feature.",
        ("remove a remote branch", "get rid of old git branches"),
    ),
    Item(
        "sql-joins",
        A,
        "en",
        "SQL joins explained: INNER, LEFT and RIGHT",
        "An INNER JOIN keeps only the rows that have a match in both tables. A LEFT JOIN "
        "keeps every row of the left table and fills the columns of the right one with "
        "NULL where nothing matches. RIGHT JOIN is the mirror image.",
        ("difference between a left join and an inner join", "combine rows of two tables sql"),
    ),
    Item(
        "group-by",
        Q,
        "en",
        "Why does my GROUP BY query fail with 'must appear in the GROUP BY clause'?",
        "I select name and count(*) from orders grouped by customer_id, and PostgreSQL "
        "says column name must appear in the GROUP BY clause or be used in an aggregate "
        "function.",
        ("aggregate error column is not grouped",),
    ),
    Item(
        "read-csv",
        A,
        "en",
        "Reading a CSV file with pandas",
        "A CSV file holds comma-separated values, and pd.read_csv('data.csv') returns them as "
        "a DataFrame. Pass sep=';' for semicolon-separated "
        "files, encoding='utf-8' when letters come out garbled, and parse_dates for date "
        "columns.",
        ("load a comma separated file into a dataframe", "open csv in pandsa"),  # typo
    ),
    Item(
        "dropna",
        Q,
        "en",
        "How to drop rows with missing values in a DataFrame?",
        "I load my data with pandas and some cells are NaN, so the mean comes out wrong. How "
        "do I get rid of those rows, or fill them with something sensible?",
        ("remove NaN rows pandas", "pandas empty cells delete"),
    ),
    Item(
        "merge-dataframes",
        A,
        "en",
        "Merging and joining DataFrames",
        "pd.merge(left, right, on='id', how='left') works like a SQL join on a key column; "
        "pd.concat stacks frames on top of each other or side by side.",
        ("combine two dataframes on a shared key column",),
    ),
    Item(
        "http-status",
        A,
        "en",
        "HTTP status codes every web developer should know",
        "200 OK, 201 Created, 301 and 302 redirects, 400 Bad Request, 401 Unauthorized "
        "versus 403 Forbidden, 404 Not Found and 500 Internal Server Error: what each "
        "means and when your API should return it.",
        ("what does a 403 response mean", "meaning of http response codes"),
    ),
    Item(
        "get-post",
        Q,
        "en",
        "What is the difference between GET and POST requests?",
        "When should a form use POST instead of GET? Is it only about the data being "
        "visible in the address bar?",
        ("post vs get http methods, when to use which",),
    ),
    Item(
        "dockerfile",
        A,
        "en",
        "Writing your first Dockerfile",
        "A Dockerfile lists the steps that package your application into an image a container "
        "runs from. Start FROM python:3.12-slim, COPY requirements.txt, RUN pip install, COPY the "
        "code and set CMD. Build the image with docker build -t app . and start it with "
        "docker run -p 8000:8000 app.",
        ("containerize a python web app", "docker image build example"),
    ),
    Item(
        "container-exits",
        Q,
        "en",
        "Docker container exits immediately after start",
        "docker run prints nothing and docker ps shows no running container. The logs "
        "are empty too. What am I missing?",
        ("why does my container stop right away",),
    ),
    Item(
        "recursion",
        A,
        "en",
        "Understanding recursion with factorial and Fibonacci",
        "A recursive function calls itself with a smaller input and needs a base case to "
        "stop. Each call waits on the call stack until the smaller problem is solved.",
        ("function that calls itself and the base case", "recursive fibonaci"),  # typo
    ),
    Item(
        "recursion-error",
        Q,
        "en",
        "RecursionError: maximum recursion depth exceeded",
        "My tree traversal crashes on big inputs with this error. Should I raise the "
        "limit with sys.setrecursionlimit or rewrite it with a loop?",
        ("hit the recursion limit in python",),
    ),
    Item(
        "deploy-django",
        A,
        "en",
        "Deploying a Django app to a VPS with Gunicorn and Nginx",
        "On a production server Gunicorn runs the application, Nginx sits in front of it, "
        "serves static files and terminates HTTPS; systemd keeps Gunicorn running after a "
        "reboot.",
        ("put my django site on a production server",),
    ),
    Item(
        "secrets",
        A,
        "en",
        "Environment variables and secrets in deployment",
        "Never commit API keys, SECRET_KEY or database passwords. Read them from os.environ, "
        "keep a .env file out of git and give production its own values.",
        ("where to store api keys safely", "hide passwords from the repository"),
    ),
    Item(
        "pytest",
        A,
        "en",
        "Writing unit tests with pytest",
        "Name test functions test_something, check results with a plain assert, share "
        "setup through fixtures and run everything with pytest -q.",
        ("how to test python code, fixtures and asserts",),
    ),
    Item(
        "flaky-tests",
        Q,
        "en",
        "My tests pass alone but fail when run together",
        "Each test passes when I run it by itself, but the whole suite fails. It looks "
        "like one test leaves state behind for the next.",
        ("test suite depends on the order of tests",),
    ),
    Item(
        "mocking",
        A,
        "en",
        "Mocking external APIs in tests",
        "Replace the network call with unittest.mock.patch, or use the responses library "
        "to fake HTTP answers, so tests stay fast and do not depend on a third party.",
        ("fake http calls in unit tests",),
    ),
    Item(
        "list-comprehension",
        A,
        "en",
        "List comprehensions in Python",
        "[x * 2 for x in numbers if x > 0] builds a new list in one expression: the value, "
        "the loop and an optional condition.",
        ("build a list in a single line with a for loop",),
    ),
    Item(
        "list-tuple",
        Q,
        "en",
        "What is the difference between a list and a tuple?",
        "Both hold several values and both can be indexed. Why would I choose one over the other?",
        ("tuple vs list immutability",),
    ),
    Item(
        "exceptions",
        A,
        "en",
        "Handling exceptions with try and except",
        "Wrap the risky code in try, catch the specific error class in except, put "
        "clean-up in finally, and re-raise what you cannot handle.",
        ("catch errors in python", "try except finaly block"),  # typo
    ),
    Item(
        "module-not-found",
        Q,
        "en",
        "ModuleNotFoundError: No module named 'requests'",
        "I installed the requests library with pip, but Python still cannot import it "
        "when I run my script from the editor.",
        ("import fails although the library is installed",),
    ),
    Item(
        "pull-requests",
        A,
        "en",
        "Feature branches and pull requests",
        "Create a branch for each task, push it, and open a pull request (PR) on GitHub so a "
        "mentor can review the changes before they reach main.",
        ("open a PR from my branch on github",),
    ),
    Item(
        "flexbox-center",
        A,
        "en",
        "CSS Flexbox: centring an element",
        "Give the parent display: flex; justify-content: center; align-items: center; and "
        "the child sits in the middle, horizontally and vertically.",
        ("center a div horizontally and vertically",),
    ),
    Item(
        "cors",
        Q,
        "en",
        "Why is my JavaScript fetch blocked by CORS?",
        "The request works in Postman, but in the browser the console says it was "
        "blocked by CORS policy: no Access-Control-Allow-Origin header.",
        ("cross origin request error in the browser",),
    ),
    Item(
        "async-await",
        A,
        "en",
        "Async and await in JavaScript",
        "An async function returns a promise; await pauses it until the promise settles. "
        "Handle failures with try and catch around the await.",
        ("waiting for a promise in js asynchronous code",),
    ),
    Item(
        "postgres-index",
        A,
        "en",
        "Indexes in PostgreSQL: when they help",
        "An index makes lookups faster: a B-tree lets the database find rows without reading "
        "the whole table. Use "
        "EXPLAIN ANALYZE to see whether a query uses it or falls back to a sequential "
        "scan.",
        ("postgres query is slow",),
    ),
    Item(
        "django-postgres",
        Q,
        "en",
        "How do I connect Django to PostgreSQL?",
        "What do I put in DATABASES in settings.py, and which driver do I need to install?",
        ("django database settings for postgres",),
    ),
    Item(
        "migrations",
        A,
        "en",
        "Django migrations: makemigrations and migrate",
        "After changing a model, run makemigrations to write a migration file and migrate "
        "to apply it to the database. Commit the migration files with the code.",
        ("apply model changes to the database in django",),
    ),
    Item(
        "rest-design",
        A,
        "en",
        "REST API design basics",
        "Name resources with nouns, use HTTP methods for actions, return meaningful status "
        "codes and paginate long lists.",
        ("how to design endpoints for a restful service",),
    ),
    Item(
        "parse-json",
        Q,
        "en",
        "How to parse JSON in Python?",
        "I get a string back from an API. How do I turn it into a dictionary, and how do "
        "I read a JSON file?",
        ("convert a json string to a dict",),
    ),
    Item(
        "regex",
        A,
        "en",
        "Regular expressions for beginners",
        "re.search finds the first match, re.findall every match, and groups in "
        "parentheses capture parts of it. Test patterns on small examples first.",
        ("regex to find all emails in a text", "regullar expressions python"),  # typo
    ),
    Item(
        "big-o",
        A,
        "en",
        "Big O notation and algorithm complexity",
        "Big O describes how the running time grows with the input: O(1), O(log n), O(n), "
        "O(n log n), O(n^2). Nested loops over the same data are usually quadratic.",
        ("time complexity of algorithms explained",),
    ),
    Item(
        "binary-search",
        Q,
        "en",
        "Binary search returns the wrong index",
        "My binary search loops forever or returns the element next to the one I want. "
        "I think the bounds are off by one.",
        ("off by one error in bisection search",),
    ),
    Item(
        "sort-dicts",
        A,
        "en",
        "Sorting a list of dictionaries by a key",
        "sorted(people, key=lambda person: person['age']) returns a new list; pass "
        "reverse=True for descending order, or use operator.itemgetter.",
        ("order dicts by a field value",),
    ),
    Item(
        "timezones",
        A,
        "en",
        "Working with dates and time zones in Python",
        "Use aware datetimes with zoneinfo, store times in UTC and convert them to the "
        "user's zone only for display.",
        ("convert datetime to another timezone",),
    ),
    Item(
        "matplotlib-jupyter",
        Q,
        "en",
        "Matplotlib plot does not show in Jupyter",
        "I call plt.plot(x, y) in a notebook cell and nothing appears, no error either.",
        ("chart not displayed in my notebook",),
    ),
    Item(
        "linux-basics",
        A,
        "en",
        "Linux command line basics: cd, ls, cp and mv",
        "In the terminal, move around with cd, list files with ls -la, copy with cp, move "
        "or rename with mv, and read the manual of any command with man.",
        ("moving files in the terminal",),
    ),
    Item(
        "permission-denied",
        Q,
        "en",
        "Permission denied when running a shell script",
        "./deploy.sh answers permission denied. The file is there and I can read it.",
        ("can't execute my .sh file", "bash script wont run permision error"),  # typo
    ),
    Item(
        "code-review",
        A,
        "en",
        "Code review: giving and receiving feedback",
        "Comment on the code, not the person; explain why, suggest an alternative, and "
        "say what is good too. When receiving a review, ask rather than defend.",
        ("tips for reviewing a teammate's code",),
    ),
    Item(
        "interview",
        A,
        "en",
        "Preparing for a technical interview",
        "Practise small algorithm problems aloud, revise your own projects and be ready "
        "to explain the decisions you made in them.",
        ("get ready for coding interviews",),
    ),
    Item(
        "large-file",
        Q,
        "en",
        "How to read a large file line by line without loading it into memory?",
        "The log is 8 GB and f.read() runs out of memory.",
        ("process a huge text file efficiently",),
    ),
    Item(
        "classes",
        A,
        "en",
        "Python classes and objects: __init__ and self",
        "A class is a blueprint; __init__ sets up each new object, and self is the object "
        "the method was called on.",
        ("what is self in a python class",),
    ),
]

RUSSIAN = [
    Item(
        "ru-pip-install",
        A,
        "ru",
        "Установка пакетов через pip",
        "Сначала активируйте виртуальное окружение, затем выполните python -m pip install "
        "requests. Версии зависимостей фиксируются в requirements.txt и ставятся все сразу "
        "командой pip install -r requirements.txt.",
        ("как установить пакет", "установка пакетав pip"),  # typo
    ),
    Item(
        "ru-venv",
        A,
        "ru",
        "Виртуальное окружение: создание и активация",
        "Команда python -m venv .venv в папке проекта создаёт окружение, source "
        ".venv/bin/activate включает его. У каждого проекта свои зависимости, отдельно от "
        "системного Python.",
        ("как создать виртуальные окружения", "активировать venv на маке"),
    ),
    Item(
        "ru-merge-conflict",
        Q,
        "ru",
        "Как разрешить конфликт при слиянии веток?",
        "После git merge main в нескольких файлах появились маркеры <<<<<<< HEAD. Что "
        "делать, чтобы закончить слияние и не потерять свои изменения?",
        ("конфликты слияния в git", "что делать с конфликтами после мержа"),
    ),
    Item(
        "ru-undo-commit",
        A,
        "ru",
        "Отмена последнего коммита",
        "git reset --soft HEAD~1 убирает коммит и оставляет изменения в индексе. Если ветку "
        "уже забрали другие, используйте git revert: он создаёт новый коммит, обратный "
        "старому.",
        ("как отменить коммит", "откатить закомиченные изменения"),
    ),
    Item(
        "ru-delete-branch",
        Q,
        "ru",
        "Как удалить ветку в Git?",
        "Ветка уже слита в main, хочу убрать её и у себя, и на GitHub.",
        ("удаление веток локально и на гитхабе",),
    ),
    Item(
        "ru-sql-joins",
        A,
        "ru",
        "Соединения таблиц в SQL: INNER JOIN и LEFT JOIN",
        "INNER JOIN оставляет только строки, у которых есть пара в обеих таблицах. LEFT "
        "JOIN сохраняет все строки левой таблицы и заполняет столбцы правой значением "
        "NULL.",
        ("как соединить две таблицы в sql", "чем отличается левое соединение от внутреннего"),
    ),
    Item(
        "ru-group-by",
        Q,
        "ru",
        "Почему запрос с GROUP BY выдаёт ошибку?",
        "Выбираю имя и count(*) из заказов с группировкой по покупателю, а PostgreSQL пишет, "
        "что столбец должен быть в GROUP BY или в агрегатной функции.",
        ("ошибка при группировке в запросе",),
    ),
    Item(
        "ru-read-csv",
        A,
        "ru",
        "Чтение CSV-файлов в pandas",
        "pd.read_csv('data.csv') возвращает DataFrame. Для файлов с точкой с запятой "
        "укажите sep=';', при нечитаемых буквах — encoding='utf-8'.",
        ("прочитать csv файл в пандас", "загрузить таблицу из файла csv"),
    ),
    Item(
        "ru-dropna",
        Q,
        "ru",
        "Как удалить пропущенные значения в датафрейме?",
        "В данных есть ячейки NaN, и среднее считается неправильно. Как убрать такие строки "
        "или чем-то их заполнить?",
        ("удаление пропусков в pandas", "пропущеные значения в таблице"),  # typo
    ),
    Item(
        "ru-merge-dataframes",
        Q,
        "ru",
        "Как объединить два датафрейма по столбцу?",
        "Есть таблица заказов и таблица клиентов с общим столбцом id. Как свести их в одну?",
        ("объединение датафреймов по ключу",),
    ),
    Item(
        "ru-http-status",
        A,
        "ru",
        "Коды ответов HTTP",
        "200 — успех, 201 — создано, 301 и 302 — перенаправления, 400 — неверный запрос, "
        "401 и 403 — нет доступа, 404 — не найдено, 500 — ошибка сервера.",
        ("что значит код ответа 404", "статусы ответа сервера"),
    ),
    Item(
        "ru-get-post",
        Q,
        "ru",
        "Чем GET отличается от POST?",
        "Когда форма должна отправляться методом POST, а когда GET? Дело только в том, что "
        "данные видны в адресной строке?",
        ("разница между методами get и post",),
    ),
    Item(
        "ru-dockerfile",
        A,
        "ru",
        "Первый Dockerfile для Python-приложения",
        "Начните с FROM python:3.12-slim, скопируйте requirements.txt, выполните pip install, "
        "скопируйте код и задайте CMD. Образ собирается командой docker build.",
        ("упаковать приложение в докер", "как собрать образ docker"),
    ),
    Item(
        "ru-container-exits",
        Q,
        "ru",
        "Контейнер Docker сразу останавливается",
        "docker run ничего не выводит, в docker ps контейнера нет, логи пустые.",
        ("контейнер останавливается после запуска",),
    ),
    Item(
        "ru-recursion",
        A,
        "ru",
        "Рекурсия: базовый случай и стек вызовов",
        "Рекурсивная функция вызывает саму себя с меньшими входными данными. Без базового "
        "случая она не остановится, а каждый вызов ждёт своей очереди в стеке.",
        ("рекурсивные функции как работают", "рекурсия факториал пример"),
    ),
    Item(
        "ru-deploy-django",
        A,
        "ru",
        "Развёртывание Django на сервере",
        "Gunicorn запускает приложение, Nginx стоит перед ним, отдаёт статику и HTTPS, а "
        "systemd перезапускает Gunicorn после перезагрузки.",
        ("как развернуть проект django на сервер", "настроить сервер для django приложения"),
    ),
    Item(
        "ru-pytest",
        A,
        "ru",
        "Написание тестов с pytest",
        "Функции с именами test_что-то, проверки обычным assert, общая подготовка через "
        "фикстуры; запуск командой pytest -q.",
        ("как писать тест на pytest", "тестирование кода на питоне фикстуры"),
    ),
    Item(
        "ru-flaky-tests",
        Q,
        "ru",
        "Тесты проходят по отдельности, но падают вместе",
        "Каждый тест по отдельности зелёный, а весь набор падает. Похоже, один тест "
        "оставляет состояние следующему.",
        ("тест падает при запуске всех тестов",),
    ),
    Item(
        "ru-exceptions",
        A,
        "ru",
        "Обработка исключений в Python",
        "Опасный код помещают в try, конкретный класс ошибки ловят в except, уборку — в "
        "finally, а то, что обработать нельзя, пробрасывают дальше.",
        ("как обработать исключение", "как ловить ошибки в python"),
    ),
    Item(
        "ru-module-not-found",
        Q,
        "ru",
        "ModuleNotFoundError после установки библиотеки",
        "Поставил requests через pip, но Python всё равно не может его импортировать, когда "
        "запускаю скрипт из редактора.",
        ("модуль не найден, хотя библиотека установлена",),
    ),
    Item(
        "ru-list-comprehension",
        A,
        "ru",
        "Генераторы списков в Python",
        "[x * 2 for x in numbers if x > 0] строит новый список одним выражением: значение, "
        "цикл и необязательное условие.",
        ("генератор списка пример", "создать список в одну строку циклом"),
    ),
    Item(
        "ru-list-tuple",
        Q,
        "ru",
        "Чем список отличается от кортежа?",
        "И там и там несколько значений, и оба индексируются. Когда что выбирать?",
        ("разница списков и кортежей",),
    ),
    Item(
        "ru-flexbox",
        A,
        "ru",
        "Центрирование элементов с помощью Flexbox",
        "Родителю задайте display: flex; justify-content: center; align-items: center; — "
        "и дочерний элемент окажется посередине по горизонтали и вертикали.",
        ("выровнять блок по центру flexbox",),
    ),
    Item(
        "ru-cors",
        Q,
        "ru",
        "Ошибка CORS при запросе из браузера",
        "В Postman запрос работает, а в браузере консоль пишет, что он заблокирован "
        "политикой CORS: нет заголовка Access-Control-Allow-Origin.",
        ("браузер блокирует запросы к api",),
    ),
    Item(
        "ru-postgres-index",
        A,
        "ru",
        "Индексы в PostgreSQL",
        "Индекс ускоряет поиск: B-tree позволяет находить строки, не читая всю таблицу. "
        "EXPLAIN ANALYZE "
        "покажет, использует ли запрос индекс или читает таблицу последовательно.",
        ("ускорить медленный запрос к базе", "индексирование таблиц"),
    ),
    Item(
        "ru-migrations",
        A,
        "ru",
        "Миграции в Django",
        "После изменения модели makemigrations пишет файл миграции, migrate применяет его "
        "к базе. Файлы миграций коммитят вместе с кодом.",
        ("как применить миграцию", "изменения моделей в базе данных"),
    ),
    Item(
        "ru-django-postgres",
        Q,
        "ru",
        "Как подключить Django к PostgreSQL?",
        "Что писать в DATABASES в settings.py и какой драйвер нужно поставить?",
        ("подключение базы postgresql в django",),
    ),
    Item(
        "ru-regex",
        A,
        "ru",
        "Регулярные выражения для начинающих",
        "re.search находит первое совпадение, re.findall — все, а группы в скобках "
        "захватывают части совпадения.",
        ("регулярное выражение для поиска email", "регулярные выражэния"),  # typo
    ),
    Item(
        "ru-big-o",
        A,
        "ru",
        "Сложность алгоритмов и нотация O большое",
        "O большое описывает, как растёт время работы с размером входа: O(1), O(log n), "
        "O(n), O(n²). Вложенные циклы по одним данным обычно квадратичны.",
        ("как оценить сложность алгоритма",),
    ),
    Item(
        "ru-binary-search",
        Q,
        "ru",
        "Бинарный поиск возвращает неправильный индекс",
        "Мой двоичный поиск зацикливается или возвращает соседний элемент. Кажется, "
        "границы сдвинуты на единицу.",
        ("ошибка в двоичном поиске",),
    ),
    Item(
        "ru-sort-dicts",
        A,
        "ru",
        "Сортировка списка словарей по ключу",
        "sorted(people, key=lambda person: person['age']) возвращает новый список; "
        "reverse=True — по убыванию.",
        ("отсортировать словари по значению поля",),
    ),
    Item(
        "ru-timezones",
        A,
        "ru",
        "Даты и часовые пояса в Python",
        "Используйте datetime с зоной из zoneinfo, храните время в UTC и переводите в пояс "
        "пользователя только при показе.",
        ("перевести время в другой часовой пояс",),
    ),
    Item(
        "ru-matplotlib",
        Q,
        "ru",
        "График matplotlib не отображается в Jupyter",
        "Вызываю plt.plot(x, y) в ячейке блокнота, и ничего не появляется, ошибки тоже нет.",
        ("не показывается график в блокноте",),
    ),
    Item(
        "ru-linux",
        A,
        "ru",
        "Основы командной строки Linux",
        "cd — перейти в папку, ls -la — список файлов, cp — копировать, mv — переместить или "
        "переименовать, man — справка по любой команде.",
        ("как переместить файл командой в терминале",),
    ),
    Item(
        "ru-permission-denied",
        Q,
        "ru",
        "Permission denied при запуске скрипта",
        "./deploy.sh отвечает permission denied. Файл на месте, прочитать его я могу.",
        ("нет прав на запуск скрипта",),
    ),
    Item(
        "ru-code-review",
        A,
        "ru",
        "Как проводить код-ревью",
        "Комментируйте код, а не человека; объясняйте почему и предлагайте вариант. "
        "Получая ревью, спрашивайте, а не защищайтесь.",
        ("советы по ревью кода",),
    ),
    Item(
        "ru-interview",
        A,
        "ru",
        "Подготовка к техническому собеседованию",
        "Решайте вслух небольшие задачи на алгоритмы, повторите свои проекты и будьте "
        "готовы объяснить принятые в них решения.",
        ("как подготовиться к собеседованиям", "техническое собеседования советы"),
    ),
    Item(
        "ru-large-file",
        Q,
        "ru",
        "Как прочитать большой файл построчно?",
        "Лог весит 8 ГБ, и f.read() съедает всю память.",
        ("чтение больших файлов по строкам",),
    ),
    Item(
        "ru-classes",
        A,
        "ru",
        "Классы и объекты в Python",
        "Класс — это чертёж; __init__ настраивает каждый новый объект, а self — объект, на "
        "котором вызван метод.",
        ("что такое self в классе", "создание объектов класса"),
    ),
    Item(
        "ru-pull-requests",
        A,
        "ru",
        "Ветки и пул-реквесты",
        "Для каждой задачи создайте ветку, отправьте её и откройте пул-реквест, чтобы "
        "ментор проверил изменения до того, как они попадут в main.",
        ("создать пул реквест из своей ветки",),
    ),
    Item(
        "ru-secrets",
        A,
        "ru",
        "Переменные окружения и секреты",
        "Никогда не коммитьте секретный ключ (SECRET_KEY) и пароли от базы. Читайте их "
        "из os.environ, держите файл .env вне git.",
        ("где хранить секретный ключ", "пароли в переменной окружения"),
    ),
    Item(
        "ru-async",
        A,
        "ru",
        "Асинхронность в JavaScript: async и await",
        "async-функция возвращает промис, await приостанавливает её, пока промис не "
        "выполнится. Ошибки ловите try и catch вокруг await.",
        ("асинхронные функции в js", "ожидание промиса"),
    ),
    Item(
        "ru-parse-json",
        Q,
        "ru",
        "Как распарсить JSON в Python?",
        "API возвращает строку. Как превратить её в словарь и как прочитать JSON-файл?",
        ("разбор json строки в словарь",),
    ),
    Item(
        "ru-mocking",
        A,
        "ru",
        "Моки в тестах: подмена внешних сервисов",
        "Сетевой вызов заменяют через unittest.mock.patch или библиотеку responses, чтобы "
        "тесты были быстрыми и не зависели от чужого сервиса.",
        ("замокать запросы к внешнему api",),
    ),
    Item(
        "ru-rest-design",
        A,
        "ru",
        "Проектирование REST API",
        "Называйте ресурсы существительными, действия выражайте методами HTTP, возвращайте "
        "осмысленные коды ответа и разбивайте длинные списки на страницы.",
        ("как спроектировать api для сервиса",),
    ),
    Item(
        "ru-files",
        A,
        "ru",
        "Работа с файлами: открытие, чтение и запись",
        "open(path, 'w', encoding='utf-8') открывает файл на запись; with закроет его сам. "
        "Режим 'a' дописывает в конец.",
        ("как записать текст в файл", "открыть файл на чтение"),
    ),
]

CORPUS = ENGLISH + RUSSIAN
