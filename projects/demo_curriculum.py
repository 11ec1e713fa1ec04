"""What the demo programmes' projects ask for: briefs, deliverables, rubric criteria,
and the sample work and review comments the demo generates. Content only; the
seeding lives in ``projects/demo.py``. Keyed by (programme slug, project position),
the natural key of the projects ``mentorship/demo.py`` creates."""

from dataclasses import dataclass

from .models import Deliverable


@dataclass(frozen=True)
class CriterionSpec:
    title: str
    met_means: str
    # What a reviewer writes when the criterion is not met yet.
    not_met_comment: str


@dataclass(frozen=True)
class ProjectSpec:
    brief: str
    deliverable: str
    allowed_file_types: str
    criteria: list[CriterionSpec]
    # The main file of a sample submission (a README.md comes with it).
    main_file: tuple[str, str] | None
    max_file_size_mb: int = 20


WEB = "web-developer"
DATA = "data-analyst"

CURRICULUM: dict[tuple[str, int], ProjectSpec] = {
    (WEB, 1): ProjectSpec(
        brief="""\
Your first page on the web: a one-page personal site that introduces you, lists what
you are learning and links to your profiles. No frameworks and no templates — write
the HTML and CSS yourself so you understand every line.

Use **semantic elements** (`header`, `main`, `section`, `footer`) rather than a pile of
`div`s, and keep styling in a separate stylesheet. Pick two fonts at most and a small
colour palette; good-looking pages are usually the simple ones.

### What to hand in

- `index.html` and `styles.css` (a zip is fine), or a link to the repository
- a `README.md` with a screenshot and two sentences on what you would improve next
""",
        deliverable=Deliverable.FILES_OR_LINK,
        allowed_file_types="html,css,png,jpg,jpeg,svg,zip,md",
        criteria=[
            CriterionSpec(
                "Semantic HTML",
                "Headings are in order, landmarks are used, images have alt text.",
                "Several sections are plain `div`s and the images have no `alt` text.",
            ),
            CriterionSpec(
                "Styles are separate and tidy",
                "No inline styles; the stylesheet is organised and has no dead rules.",
                "There are still `style=` attributes in the HTML; move them to the stylesheet.",
            ),
            CriterionSpec(
                "The page is valid",
                "The W3C validator reports no errors.",
                "The validator reports unclosed tags in the header.",
            ),
        ],
        main_file=(
            "index.html",
            """<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <title>About me</title>
  <link rel="stylesheet" href="styles.css">
</head>
<body>
  <header><h1>Hello, I am learning web development</h1></header>
  <main>
    <section><h2>What I am learning</h2><ul><li>HTML</li><li>CSS</li></ul></section>
  </main>
  <footer><a href="https://github.com/">GitHub</a></footer>
</body>
</html>
""",
        ),
    ),
    (WEB, 2): ProjectSpec(
        brief="""\
Make your personal page work on every screen, from a 320 px phone to a wide monitor.
Start from the smallest screen (*mobile first*) and add media queries only where the
layout actually breaks.

Use Flexbox or Grid for the layout, relative units for type, and make sure images
never overflow their container. Test with the browser's device toolbar and on a real
phone if you have one.

### What to hand in

- the updated `index.html` and `styles.css`, or a link to the repository
- screenshots at 375 px, 768 px and 1280 px in the `README.md`
""",
        deliverable=Deliverable.FILES_OR_LINK,
        allowed_file_types="html,css,png,jpg,jpeg,svg,zip,md",
        criteria=[
            CriterionSpec(
                "Mobile first",
                "Base styles target small screens; media queries only add to them.",
                "The base styles are for desktop and the phone layout overrides them.",
            ),
            CriterionSpec(
                "No horizontal scrolling",
                "Nothing overflows at 320 px.",
                "At 320 px the navigation overflows and the page scrolls sideways.",
            ),
            CriterionSpec(
                "Readable type",
                "Body text is at least 16 px with comfortable line length and height.",
                "Paragraphs run the full width on large screens; cap them around 70ch.",
            ),
            CriterionSpec(
                "Screenshots in the README",
                "Three widths shown.",
                "The README is missing the tablet screenshot.",
            ),
        ],
        main_file=(
            "styles.css",
            """:root { --text: #1d2733; --accent: #2f6fde; }
body { margin: 0; font: 1rem/1.6 system-ui, sans-serif; color: var(--text); }
main { display: grid; gap: 1.5rem; padding: 1rem; max-width: 70ch; margin: auto; }
img { max-width: 100%; height: auto; }
@media (min-width: 768px) { main { grid-template-columns: 1fr 2fr; } }
""",
        ),
    ),
    (WEB, 3): ProjectSpec(
        brief="""\
Add behaviour to your site with plain JavaScript: a project gallery that can be
filtered by technology, and a contact form that validates its fields before sending.

Keep the script in its own file, wait for the DOM before touching it, and never
build HTML from user input with `innerHTML`. The page must still be usable with
JavaScript turned off (the form submits, the gallery shows everything).

### What to hand in

- `index.html`, `app.js` and `styles.css`, or a link to the repository
- a `README.md` explaining how the filter works
""",
        deliverable=Deliverable.FILES_OR_LINK,
        allowed_file_types="html,css,js,png,jpg,jpeg,zip,md",
        criteria=[
            CriterionSpec(
                "The filter works",
                "Choosing a technology shows only matching projects; 'All' resets.",
                "After filtering by 'CSS', 'All' does not bring the other projects back.",
            ),
            CriterionSpec(
                "Form validation is helpful",
                "Each invalid field says what is wrong, next to the field.",
                "Errors appear only in an `alert()`; show them beside the fields.",
            ),
            CriterionSpec(
                "Safe DOM updates",
                "No `innerHTML` with user data; `textContent` or DOM methods are used.",
                "The form echoes the name back with `innerHTML`: that is an XSS hole.",
            ),
            CriterionSpec(
                "Works without JavaScript",
                "With JS disabled, content is visible and the form submits.",
                "With JavaScript off the gallery is empty.",
            ),
        ],
        main_file=(
            "app.js",
            """document.addEventListener("DOMContentLoaded", () => {
  const buttons = document.querySelectorAll("[data-filter]");
  const cards = document.querySelectorAll("[data-tech]");
  buttons.forEach((button) => {
    button.addEventListener("click", () => {
      const tech = button.dataset.filter;
      cards.forEach((card) => {
        card.hidden = tech !== "all" && !card.dataset.tech.split(" ").includes(tech);
      });
    });
  });
});
""",
        ),
    ),
    (WEB, 4): ProjectSpec(
        brief="""\
Design the database for a small library: books, authors (a book can have several),
members and loans. Write the schema in SQL, load some sample rows, and answer the
questions below with queries.

1. Which books are on loan right now, and since when?
2. Which members have an overdue loan (more than 21 days)?
3. The five most borrowed authors this year.

Think about keys, `NOT NULL` and uniqueness before you write a single query: a good
schema makes the queries short.

### What to hand in

- `schema.sql` (tables and sample data) and `queries.sql`
- a diagram of the tables (PNG or PDF) and a `README.md`
""",
        deliverable=Deliverable.FILES,
        allowed_file_types="sql,md,png,jpg,pdf,txt",
        criteria=[
            CriterionSpec(
                "A normalised schema",
                "Many-to-many through a join table; no repeated data.",
                "Authors are stored as a comma-separated column on books; use a join table.",
            ),
            CriterionSpec(
                "Constraints",
                "Primary and foreign keys, NOT NULL and UNIQUE where they belong.",
                "`loans` has no foreign key to `members`.",
            ),
            CriterionSpec(
                "Correct answers",
                "The three queries return the right rows on the sample data.",
                "Query 2 counts returned loans as overdue too.",
            ),
        ],
        main_file=(
            "schema.sql",
            """CREATE TABLE author (id SERIAL PRIMARY KEY, name TEXT NOT NULL);
CREATE TABLE book (id SERIAL PRIMARY KEY, title TEXT NOT NULL, isbn TEXT UNIQUE);
CREATE TABLE book_author (
  book_id INT REFERENCES book (id), author_id INT REFERENCES author (id),
  PRIMARY KEY (book_id, author_id)
);
CREATE TABLE member (id SERIAL PRIMARY KEY, email TEXT NOT NULL UNIQUE);
CREATE TABLE loan (
  id SERIAL PRIMARY KEY,
  book_id INT NOT NULL REFERENCES book (id),
  member_id INT NOT NULL REFERENCES member (id),
  borrowed_on DATE NOT NULL, returned_on DATE
);
""",
        ),
    ),
    (WEB, 5): ProjectSpec(
        brief="""\
Turn the library into a Django application: members sign in, browse and search the
catalogue, borrow and return books; librarians manage the catalogue in the admin.

Keep views thin and put the rules (a member may hold at most three books, a book on
loan cannot be borrowed) in one place with tests. Use the ORM well: the catalogue
page must not run a query per book.

### What to hand in

- a link to the repository (with a `README.md` that says how to run it)
- the `README.md` itself, so your reviewer can read it first
""",
        deliverable=Deliverable.FILES_AND_LINK,
        allowed_file_types="md,txt,pdf,png",
        criteria=[
            CriterionSpec(
                "Borrowing rules enforced",
                "The three-book limit and 'already on loan' are checked server-side.",
                "The three-book limit is only checked in the template.",
            ),
            CriterionSpec(
                "Tested",
                "Tests cover the rules and the main pages; they pass.",
                "There are no tests for returning a book.",
            ),
            CriterionSpec(
                "Efficient queries",
                "The catalogue runs a fixed number of queries whatever its size.",
                "The catalogue runs one query per book for its authors; use `prefetch_related`.",
            ),
            CriterionSpec(
                "Runs from the README",
                "A reviewer can start it by following the README.",
                "The README does not mention the migrations step.",
            ),
        ],
        main_file=None,
    ),
    (WEB, 6): ProjectSpec(
        brief="""\
Put your Django application on the internet and keep an eye on it. Any host will do;
what matters is that configuration comes from the environment, static files are
served efficiently, and you would know if it broke.

Add a health-check URL, error reporting and a simple uptime monitor. Write down how
to deploy a new version in a few commands.

### What to hand in

- the link to the running application (your repository must show the deployment set-up)
""",
        deliverable=Deliverable.LINK,
        allowed_file_types="md,txt",
        criteria=[
            CriterionSpec(
                "Configured from the environment",
                "No secrets in the repository; DEBUG is off in production.",
                "The secret key is committed in `settings.py`.",
            ),
            CriterionSpec(
                "Served over HTTPS",
                "HTTPS only, with the security headers Django offers.",
                "Plain HTTP still works and does not redirect.",
            ),
            CriterionSpec(
                "Monitored",
                "A health check and error reporting are set up.",
                "Nothing would tell you if the site went down.",
            ),
        ],
        main_file=None,
    ),
    (DATA, 1): ProjectSpec(
        brief="""\
Explore a public dataset of bike-share trips in a spreadsheet. Before any chart,
understand the data: what one row is, which columns are reliable, what is missing.

Then answer three questions with pivot tables: when are bikes used most, which
stations are busiest, and how long a typical trip lasts. Say how confident you are in
each answer and why.

### What to hand in

- your spreadsheet exported as CSV (or a PDF of the pivot tables)
- a `README.md` with your three answers in plain words
""",
        deliverable=Deliverable.FILES,
        allowed_file_types="csv,pdf,md,txt,png",
        criteria=[
            CriterionSpec(
                "Data understood",
                "The README says what a row is and lists data problems found.",
                "The README does not mention the trips with negative durations.",
            ),
            CriterionSpec(
                "Questions answered",
                "Each question has a clear answer backed by a pivot table.",
                "The busiest-stations answer is a list without the numbers behind it.",
            ),
            CriterionSpec(
                "Honest about uncertainty",
                "Limits of the data are stated next to the answers.",
                "Say that one month of data cannot show seasonal patterns.",
            ),
        ],
        main_file=(
            "findings.csv",
            "hour,trips\n7,1240\n8,2875\n9,1630\n17,2950\n18,2410\n",
        ),
    ),
    (DATA, 2): ProjectSpec(
        brief="""\
Answer business questions for an online shop with SQL alone: monthly revenue, the
customers who came back, the products often bought together, and the share of orders
delivered late.

Write each query so that someone else can read it: common table expressions with good
names, one idea per step. Check every number with a second, simpler query.

### What to hand in

- `queries.sql` with one commented query per question
- a `README.md` with the answers and how you checked them
""",
        deliverable=Deliverable.FILES,
        allowed_file_types="sql,md,csv,txt",
        criteria=[
            CriterionSpec(
                "Correct results",
                "All four answers match the reference numbers.",
                "Monthly revenue counts cancelled orders.",
            ),
            CriterionSpec(
                "Readable SQL",
                "CTEs with meaningful names; consistent formatting.",
                "The repeat-customers query is one 60-line statement; split it into CTEs.",
            ),
            CriterionSpec(
                "Numbers checked",
                "Each answer is cross-checked and the check is described.",
                "There is no check for the late-delivery share.",
            ),
        ],
        main_file=(
            "queries.sql",
            """-- Monthly revenue, cancelled orders excluded
WITH paid AS (
  SELECT date_trunc('month', ordered_at) AS month, total
  FROM orders
  WHERE status <> 'cancelled'
)
SELECT month, sum(total) AS revenue FROM paid GROUP BY month ORDER BY month;
""",
        ),
    ),
    (DATA, 3): ProjectSpec(
        brief="""\
Clean a messy export of customer records with pandas: inconsistent dates, duplicated
customers with slightly different spellings, prices stored as text with currency
symbols, and missing regions.

Write the cleaning as a script or notebook that runs from the raw file to a tidy one
in one go, and log what each step changed (how many rows dropped, values fixed).

### What to hand in

- the notebook (`.ipynb`) or script (`.py`), or a link to the repository
- a `README.md` summarising the data problems and your decisions
""",
        deliverable=Deliverable.FILES_OR_LINK,
        allowed_file_types="ipynb,py,md,csv,txt",
        criteria=[
            CriterionSpec(
                "Reproducible",
                "Runs from the raw file to the clean one without manual steps.",
                "The notebook only runs if cells are executed out of order.",
            ),
            CriterionSpec(
                "Duplicates handled",
                "Near-duplicate customers are merged with a stated rule.",
                "'Anna Müller' and 'Anna Mueller' are still two customers.",
            ),
            CriterionSpec(
                "Changes logged",
                "Each step reports what it changed.",
                "We cannot tell how many rows the date parsing dropped.",
            ),
        ],
        main_file=(
            "clean.py",
            """import pandas as pd

raw = pd.read_csv("customers_raw.csv")
print(f"{len(raw)} rows read")
raw["signed_up"] = pd.to_datetime(raw["signed_up"], dayfirst=True, errors="coerce")
raw["price"] = raw["price"].str.replace(r"[^0-9.]", "", regex=True).astype(float)
clean = raw.drop_duplicates(subset=["email"])
print(f"{len(raw) - len(clean)} duplicates dropped")
clean.to_csv("customers_clean.csv", index=False)
""",
        ),
    ),
    (DATA, 4): ProjectSpec(
        brief="""\
Tell the story of the cleaned customer data in five charts. Each chart answers one
question, has a title that states the finding ("Repeat customers spend twice as
much"), and labels its axes with units.

Choose the chart type for the question, not for looks: comparisons as bars, change
over time as lines, no pie with more than three slices.

### What to hand in

- the five charts (PNG or PDF) and the notebook that draws them
- a `README.md` with one paragraph per chart
""",
        deliverable=Deliverable.FILES,
        allowed_file_types="png,jpg,pdf,ipynb,py,md",
        criteria=[
            CriterionSpec(
                "Titles state findings",
                "Each title says what the reader should see.",
                "Titles like 'Revenue by month' describe the chart instead of the finding.",
            ),
            CriterionSpec(
                "Right chart for the question",
                "Chart types suit the data and question.",
                "The change over time is shown as a pie chart; use a line.",
            ),
            CriterionSpec(
                "Honest axes",
                "Bar charts start at zero; units labelled.",
                "The revenue bar chart starts at 40,000, which exaggerates the difference.",
            ),
        ],
        main_file=(
            "charts.py",
            """import matplotlib.pyplot as plt
import pandas as pd

data = pd.read_csv("customers_clean.csv")
fig, ax = plt.subplots()
data.groupby("segment")["spend"].mean().plot.bar(ax=ax)
ax.set_title("Repeat customers spend twice as much")
ax.set_ylabel("Average spend (EUR)")
fig.savefig("spend_by_segment.png", dpi=150)
""",
        ),
    ),
    (DATA, 5): ProjectSpec(
        brief="""\
Present your analysis to the shop's managers in ten minutes. They are busy and not
technical: lead with the recommendation, support it with three findings, and end with
what you would look at next.

Record yourself once before handing in. Cut every slide that does not change what
the managers will decide.

### What to hand in

- the slides as PDF
- a `README.md` with your speaker notes
""",
        deliverable=Deliverable.FILES,
        allowed_file_types="pdf,md,txt,png",
        criteria=[
            CriterionSpec(
                "Recommendation first",
                "The first slide says what to do and why.",
                "The recommendation only appears on slide 9.",
            ),
            CriterionSpec(
                "Evidence is clear",
                "Three findings, each with one chart a manager can read in seconds.",
                "Slide 4 has two charts and a table; keep one.",
            ),
            CriterionSpec(
                "Fits the time",
                "Ten minutes or less, next steps included.",
                "The speaker notes run well past ten minutes.",
            ),
            CriterionSpec(
                "Plain language",
                "No unexplained jargon.",
                "'Cohort retention curve' needs a one-line explanation.",
            ),
        ],
        main_file=None,
    ),
}

STUDENT_COMMENTS = [
    "Here is my work. I was not sure about the last part; happy to hear your thoughts.",
    "Done! It took longer than planned but I learnt a lot.",
    "I fixed everything from the review — see the README for what changed.",
    "Second try: I rewrote the part you flagged and added tests.",
    "",
    "Could you look especially at the structure? I am not sure it is right.",
]

APPROVED_FEEDBACK = [
    "Great work! Everything in the rubric is met.\n\n"
    "**What stood out:** your README is clear and the code is easy to follow.\n\n"
    "On to the next project — you are ahead of your plan.",
    "Approved. Solid, careful work.\n\n"
    "One idea for later (not required): look at how you would test this automatically.",
    "Well done — this is ready.\n\n"
    "- clean structure\n- good names\n- you explained your choices\n\n"
    "Keep this level of care in the next project.",
]

CHANGES_INTRO = [
    "Good progress, and most of it is there. A few things to fix before I can approve:",
    "Thanks for the submission! Please have another look at these points:",
    "You are close. Fix the items below and send it again:",
]

CHANGES_OUTRO = [
    "Ping me in the chat if anything is unclear.",
    "Take your time; quality over speed.",
    "Looking forward to the next attempt!",
]

# Snippets mentors insert into feedback (per programme; titles stay unique per project).
REVIEW_NOTES = {
    WEB: [
        (
            "README: how to run",
            "Please add a **How to run** section to your README: the commands, in "
            "order, from a fresh clone.",
        ),
        (
            "Commit messages",
            "Write commit messages that say *why*, e.g. `Fix overflow of the nav on "
            "small screens`, not `fix`.",
        ),
        (
            "Accessibility check",
            "Run Lighthouse's accessibility audit and fix what it reports; aim for 90+.",
        ),
    ],
    DATA: [
        (
            "State the question",
            "Start each section with the question it answers, in one sentence.",
        ),
        (
            "Check the totals",
            "Cross-check this number with a second, simpler calculation and say so.",
        ),
        (
            "Units on axes",
            "Every axis needs a label **with units** (EUR, trips per hour, %).",
        ),
    ],
}

DIFFICULTY_COMMENTS = [
    "",
    "",
    "The brief was clear, the last part took me a while.",
    "Harder than expected — the rubric helped.",
    "Fun one!",
    "I needed the extra reading on this.",
]
