"""The demo's questions, answers, topics and articles, in English and Russian; the
seeding lives in ``knowledge_base/demo.py``."""

# Topics: (name, slug, projects that cover it as (programme slug, position)). "Docker"
# and "Career" are covered by no project: the patterns page lists them as gaps.
TOPICS = [
    ("Git", "git", [("web-developer", 5), ("web-developer", 6)]),
    ("HTML & CSS", "html-css", [("web-developer", 1), ("web-developer", 2)]),
    ("JavaScript", "javascript", [("web-developer", 3)]),
    ("SQL", "sql", [("web-developer", 4), ("data-analyst", 2)]),
    ("Python packages", "python-packages", [("web-developer", 5), ("data-analyst", 3)]),
    ("Django", "django", [("web-developer", 5)]),
    ("Deployment", "deployment", [("web-developer", 6)]),
    ("pandas", "pandas", [("data-analyst", 3)]),
    ("Charts", "charts", [("data-analyst", 4)]),
    ("Docker", "docker", []),
    ("Career", "career", []),
]

# Questions: (student number, visibility, project position or None, topic slugs,
# title, body, days ago, answers as (who, body, hours after asking) where who is
# "mentor" or "student:N", the accepted answer's index or None, a follow-up by the
# asker as (body, hours after asking) or None).
QUESTIONS = [
    (
        1,
        "programme",
        5,
        ["python-packages"],
        "pip install fails with “externally managed environment”",
        "On my laptop `pip install django` stops with *error: externally-managed-environment*. "
        "What am I doing wrong?",
        40,
        [
            (
                "mentor",
                "Your system Python belongs to the OS. Create a virtual environment first:\n\n"
                "```bash\npython3 -m venv .venv\nsource .venv/bin/activate\n"
                "pip install django\n```",
                5,
            )
        ],
        0,
        None,
    ),
    (
        2,
        "programme",
        5,
        ["python-packages"],
        "How do I install packages without breaking system Python?",
        "I read that `sudo pip` is a bad idea. What should I use instead?",
        31,
        [("mentor", "Use a virtual environment per project: `python3 -m venv .venv`.", 9)],
        0,
        None,
    ),
    (
        3,
        "programme",
        5,
        ["git"],
        "Git says I have a merge conflict, what now?",
        "I pulled from main and now `git status` shows *both modified* on two files.",
        26,
        [
            (
                "mentor",
                "Open each file, keep the lines you want between the `<<<<<<<` and "
                "`>>>>>>>` markers, delete the markers, then `git add` and `git commit`.",
                3,
            )
        ],
        0,
        None,
    ),
    (
        4,
        "programme",
        5,
        ["git"],
        "How to resolve merge conflicts in git",
        "My pull request cannot be merged because of conflicts. How do I fix them locally?",
        18,
        [("student:3", "I had the same: edit the files, remove the markers, commit again.", 20)],
        None,
        None,
    ),
    (
        5,
        "programme",
        None,
        ["git"],
        "Conflict markers appeared in my code after git pull",
        "There are `<<<<<<< HEAD` lines in my views.py. Did I break something?",
        9,
        [],
        None,
        None,
    ),
    (
        1,
        "private",
        4,
        ["sql"],
        "My JOIN returns every row twice",
        "```sql\nSELECT * FROM book JOIN author ON author.id = book.author_id;\n```\n"
        "Each book appears twice in the result.",
        14,
        [
            (
                "mentor",
                "Check the `author` table: two rows share the same id? Then the data is "
                "duplicated, not the join. `SELECT id, count(*) FROM author GROUP BY id "
                "HAVING count(*) > 1` will tell.",
                30,
            )
        ],
        None,
        ("There are no duplicate ids. The problem is still there.", 40),
    ),
    (
        2,
        "private",
        3,
        ["javascript"],
        "Why does my fetch return a Promise instead of the data?",
        "```js\nconst data = fetch('/api/books').json();\nconsole.log(data);\n```",
        2,
        [],
        None,
        None,
    ),
    (
        3,
        "private",
        None,
        ["docker"],
        "Should I learn Docker before deploying?",
        "The deployment project mentions containers but the course never explains Docker.",
        6,
        [("mentor", "Not required for the project; a short intro is in the knowledge base.", 8)],
        None,
        None,
    ),
    (
        4,
        "programme",
        None,
        ["docker"],
        "How do I run my Django app in Docker?",
        "I'd like to put my project in a container for the demo day.",
        3,
        [],
        None,
        None,
    ),
    (
        5,
        "programme",
        None,
        ["career"],
        "What should a junior developer portfolio contain?",
        "I'm finishing the programme and want to start applying.",
        12,
        [("mentor", "Two or three projects you can explain end to end, with READMEs.", 24)],
        0,
        None,
    ),
    (
        6,
        "private",
        6,
        ["deployment"],
        "Статические файлы не загружаются после деплоя",
        "Локально всё работает, а на сервере страница без стилей. `DEBUG=False`.",
        20,
        [
            (
                "mentor",
                "При `DEBUG=False` Django не раздаёт статику. Выполните `collectstatic` и "
                "подключите WhiteNoise или настройте раздачу в nginx.",
                6,
            )
        ],
        0,
        None,
    ),
    (
        7,
        "programme",
        3,
        ["pandas"],
        "Как удалить пустые строки в таблице pandas?",
        "В датафрейме много строк с NaN, нужно их убрать перед анализом.",
        16,
        [("mentor", "`df.dropna()` удаляет строки с пропусками; `subset=` — по столбцам.", 4)],
        0,
        None,
    ),
    (
        8,
        "programme",
        3,
        ["pandas"],
        "Удаление пропущенных значений в pandas",
        "Как правильно обработать пропуски: удалить или заполнить?",
        7,
        [],
        None,
        None,
    ),
    (
        6,
        "programme",
        None,
        ["python-packages"],
        "Как установить пакет, если pip не найден?",
        "Пишу `pip install requests`, терминал отвечает «command not found».",
        4,
        [],
        None,
        None,
    ),
    (
        9,
        "programme",
        6,
        ["deployment"],
        "How do I deploy my Django app to a server?",
        "It runs with `runserver` on my laptop. What do I need on the server?",
        5,
        [],
        None,
        None,
    ),
    (
        10,
        "programme",
        6,
        ["deployment"],
        "Deploying a Django app to a server for the first time",
        "Which steps do I need to deploy the app on a server: gunicorn, nginx, what else?",
        1,
        [],
        None,
        None,
    ),
    (
        11,
        "programme",
        6,
        ["deployment"],
        "Как задеплоить Django-приложение на сервер?",
        "Локально всё работает, а как развернуть приложение на сервере — непонятно.",
        2,
        [],
        None,
        None,
    ),
]

# A question closed as a duplicate of another: (duplicate's title, original's title).
DUPLICATES = [
    ("How to resolve merge conflicts in git", "Git says I have a merge conflict, what now?"),
]

# Articles: (language, programme slugs, project positions in the first programme, topic
# slugs, title, body, status, the question titles it answers).
ARTICLES = [
    (
        "en",
        [],
        [],
        ["python-packages"],
        "Installing Python packages in a virtual environment",
        "Never install packages into the system Python. For every project:\n\n"
        "```bash\npython3 -m venv .venv\nsource .venv/bin/activate   # Windows: "
        ".venv\\Scripts\\activate\npip install -r requirements.txt\n```\n\n"
        "The error *externally-managed-environment* means you skipped the first two lines.",
        "published",
        [
            "pip install fails with “externally managed environment”",
            "How do I install packages without breaking system Python?",
        ],
    ),
    (
        "en",
        ["web-developer"],
        [5, 6],
        ["git"],
        "Resolving a merge conflict",
        "A conflict means two branches changed the same lines. Git marks them:\n\n"
        "```text\n<<<<<<< HEAD\nyour version\n=======\ntheir version\n>>>>>>> main\n```\n\n"
        "Keep what is right, delete the three marker lines, then `git add` the file and "
        "`git commit`. Run the tests before you push.",
        "draft",
        ["Git says I have a merge conflict, what now?"],
    ),
    (
        "en",
        ["web-developer"],
        [3],
        ["javascript"],
        "Promises and async/await in five minutes",
        "`fetch()` returns a *promise*: the data arrives later. Wait for it:\n\n"
        "```js\nconst response = await fetch('/api/books');\nconst books = await "
        "response.json();\n```\n\n`await` works only inside an `async` function.",
        "published",
        [],
    ),
    (
        "en",
        ["web-developer", "data-analyst"],
        [4],
        ["sql"],
        "Why a JOIN returns duplicate rows",
        "A join repeats a row once for every matching row on the other side. If "
        "`author` has two rows with the same id, each book appears twice. Find them with "
        "`GROUP BY id HAVING count(*) > 1`, and add a primary key.",
        "published",
        [],
    ),
    (
        "en",
        ["web-developer"],
        [6],
        ["deployment", "docker"],
        "A gentle introduction to Docker for deployment",
        "A container packs your application with its Python and packages. A minimal "
        "`Dockerfile` for Django:\n\n```dockerfile\nFROM python:3.11-slim\nWORKDIR /app\n"
        "COPY requirements.txt .\nRUN pip install -r requirements.txt\nCOPY . .\n"
        'CMD ["gunicorn", "mysite.wsgi"]\n```',
        "published",
        ["Should I learn Docker before deploying?"],
    ),
    (
        "en",
        [],
        [],
        ["career"],
        "Writing a README reviewers love",
        "Say what the project does in one sentence, how to run it in two commands, and "
        "what you would do next.",
        "archived",
        [],
    ),
    (
        "ru",
        ["web-developer"],
        [6],
        ["deployment", "django"],
        "Раздача статических файлов Django в продакшене",
        "При `DEBUG=False` Django перестаёт раздавать CSS и JavaScript. Соберите файлы "
        "командой `python manage.py collectstatic` и подключите WhiteNoise:\n\n"
        "```python\nMIDDLEWARE = [\n    'django.middleware.security.SecurityMiddleware',\n"
        "    'whitenoise.middleware.WhiteNoiseMiddleware',\n]\n```",
        "published",
        ["Статические файлы не загружаются после деплоя"],
    ),
    (
        "ru",
        ["data-analyst"],
        [3],
        ["pandas"],
        "Пропущенные значения в pandas: удалять или заполнять",
        "Метод `dropna()` удаляет строки с пропусками, `fillna()` заполняет их. Удаляйте, "
        "если пропусков мало и они случайны; заполняйте медианой, если строк жалко.",
        "published",
        ["Как удалить пустые строки в таблице pandas?"],
    ),
    (
        "ru",
        [],
        [],
        ["python-packages"],
        "Установка пакетов Python через pip",
        "Если терминал не знает команду `pip`, вызовите его через интерпретатор: "
        "`python3 -m pip install requests`. Лучше всего — внутри виртуального окружения "
        "(`python3 -m venv .venv`).",
        "published",
        [],
    ),
    (
        "ru",
        ["web-developer"],
        [5],
        ["git"],
        "Конфликты слияния в Git",
        "Конфликт возникает, когда две ветки изменили одни и те же строки. Оставьте "
        "нужный вариант, удалите маркеры `<<<<<<<`, `=======`, `>>>>>>>`, затем "
        "`git add` и `git commit`.",
        "published",
        [],
    ),
    (
        "ru",
        ["data-analyst"],
        [4],
        ["charts"],
        "Как подписать график, чтобы его поняли",
        "Заголовок графика должен говорить вывод, а не описывать оси: «Постоянные "
        "клиенты тратят вдвое больше», а не «Средний чек по группам».",
        "published",
        [],
    ),
]

# Students who opened a suggestion while typing and said it solved the problem:
# (student number, what they typed, the article's title).
DEFLECTIONS = [
    (7, "pip externally managed", "Installing Python packages in a virtual environment"),
    (8, "await fetch json", "Promises and async/await in five minutes"),
    (9, "не работает pip", "Установка пакетов Python через pip"),
    (10, "css не грузится на сервере", "Раздача статических файлов Django в продакшене"),
]

# Words the scaled demo composes its many questions and articles from.
SCALE_SUBJECTS_EN = [
    "virtual environment", "merge conflict", "SQL join", "pandas dataframe", "Django form",
    "static files", "async function", "CSS grid", "unit test", "REST API", "Docker image",
    "git branch", "recursion", "list comprehension", "HTTP status code", "database index",
]  # fmt: skip
SCALE_PROBLEMS_EN = [
    "fails with an error", "is too slow", "returns the wrong result", "does not work on Windows",
    "breaks after an update", "how do I start", "best practice", "cannot be found",
]  # fmt: skip
SCALE_SUBJECTS_RU = [
    "виртуальное окружение", "конфликт слияния", "запрос SQL", "таблица pandas",
    "форма Django", "статические файлы", "асинхронная функция", "сетка CSS",
    "модульный тест", "рекурсия", "индекс базы данных", "ветка git",
]  # fmt: skip
SCALE_PROBLEMS_RU = [
    "выдаёт ошибку", "работает медленно", "возвращает неверный результат",
    "не запускается", "ломается после обновления", "с чего начать", "как лучше сделать",
]  # fmt: skip
