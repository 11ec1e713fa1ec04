"""Browser fixtures for journey tests: headless Chromium driven by Playwright against
pytest-django's ``live_server``. Loaded for every app by ``pytest_plugins`` in the root
``conftest.py``.

A journey test is marked ``@pytest.mark.browser`` and asks for ``page`` (an anonymous
visitor), ``new_page()`` (one more anonymous visitor, in a separate context) or
``logged_in_page("mentor")`` (a role fixture's user, or a ``User``, already signed in).
Pages open relative URLs against the live server: ``page.goto("/")``.

Every page fails its test on a JavaScript error, a Content-Security-Policy violation or
any other console error, and on a stylesheet, script, image or font that does not load.
A test that expects such errors says so: ``@pytest.mark.browser(allow_console_errors=True)``.
When a test fails, each of its pages leaves a screenshot in
``var/test-results/<test name>/``; ``screenshot(page, "name")`` saves one there on purpose.

Without Playwright or Chromium (a fresh laptop), browser tests are skipped, never failed.
Chromium is looked for at ``/usr/bin/chromium``; ``CHROMIUM_PATH`` points elsewhere.
"""

import os
import re
import shutil
from dataclasses import dataclass, field
from pathlib import Path

import pytest

# Playwright's sync API keeps an asyncio loop running in the main thread for the whole
# session, so Django would refuse every ORM call made after the first browser test
# (SynchronousOnlyOperation), in browser tests and ordinary ones alike.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM_PATH = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-dev-shm-usage",
]
VIEWPORT = {"width": 1280, "height": 900}
# Short enough that a missing element fails the test in seconds, not half a minute.
ACTION_TIMEOUT_MS = 5_000
NAVIGATION_TIMEOUT_MS = 15_000
# Chromium's own pages and extensions (its PDF viewer), not the portal's.
BROWSER_INTERNAL = ("chrome-extension://", "chrome://", "devtools://")
# A response of 400 or more for one of these means the page is missing a piece.
ASSET_TYPES = {"stylesheet", "script", "image", "font", "media"}

_reports = pytest.StashKey[dict]()


def browser_unavailable_reason() -> str | None:
    """Why browser tests cannot run here, or None when they can."""
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "Playwright is not installed (pip install -r requirements-dev.txt)"
    if not Path(CHROMIUM_PATH).is_file():
        return f"Chromium not found at {CHROMIUM_PATH} (install it or set CHROMIUM_PATH)"
    return None


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(items):
    # A test that uses the browser fixtures is a browser test even if it forgot the
    # marker, so `-m "not browser"` leaves it out.
    for item in items:
        if "browser" in getattr(item, "fixturenames", ()) and not item.get_closest_marker(
            "browser"
        ):
            item.add_marker(pytest.mark.browser)


def pytest_runtest_setup(item):
    # Skip before live_server and the database are set up for nothing.
    if item.get_closest_marker("browser"):
        reason = browser_unavailable_reason()
        if reason:
            pytest.skip(reason)


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call):
    # Keep each phase's report on the item: fixture teardown needs to know whether the
    # test failed, to leave screenshots behind.
    report = yield
    item.stash.setdefault(_reports, {})[report.when] = report
    return report


def _test_failed(item) -> bool:
    reports = item.stash.get(_reports, {})
    return any(report.failed for report in reports.values())


@pytest.fixture(scope="session")
def playwright():
    reason = browser_unavailable_reason()
    if reason:
        pytest.skip(reason)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        yield playwright


@pytest.fixture(scope="session")
def browser(playwright):
    browser = playwright.chromium.launch(
        executable_path=CHROMIUM_PATH, headless=True, args=CHROMIUM_ARGS
    )
    yield browser
    browser.close()


@pytest.fixture
def test_results_dir(request) -> Path:
    """``<repo>/var/test-results/<test name>/``, emptied of an earlier run's files (and
    made only when something is saved there)."""
    name = re.sub(r"[^\w.-]+", "_", request.node.name).strip("_")
    path = Path(request.config.rootpath) / "var" / "test-results" / name
    shutil.rmtree(path, ignore_errors=True)
    return path


@pytest.fixture
def screenshot(test_results_dir):
    """``screenshot(page, "name")`` saves the whole page as ``<name>.png`` in this
    test's results folder and returns the path."""

    def save(page, name: str) -> Path:
        path = test_results_dir / f"{name}.png"
        path.parent.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(path), full_page=True)
        return path

    return save


@dataclass
class _OpenedPage:
    page: object
    problems: list[str] = field(default_factory=list)


def _watch(context, problems: list[str]) -> None:
    """Record what a person would see as broken: script errors, CSP refusals (Chromium
    reports them as console errors), and assets that fail to load."""

    broken_assets: set[str] = set()

    def on_console(message):
        # A failed load is also reported below with its URL; a page that answers 4xx on
        # purpose (a form with errors is a 400) is not a broken page.
        where = message.location.get("url") or message.page and message.page.url
        if (where or "").startswith(BROWSER_INTERNAL):
            return
        if message.type == "error" and not message.text.startswith("Failed to load resource"):
            problems.append(f"console error on {where}: {message.text}")

    def on_web_error(web_error):
        problems.append(f"JavaScript error: {web_error.error}")

    def on_response(response):
        if response.status >= 400 and response.request.resource_type in ASSET_TYPES:
            broken_assets.add(response.url)
            problems.append(f"{response.request.resource_type} {response.url}: {response.status}")

    def on_request_failed(request):
        # Chromium also aborts an asset that answered 4xx; that one is reported already.
        # Its own viewers (the PDF viewer is an extension) abort their scripts when a
        # page is left early: that is the browser's business, not the page's.
        if request.url.startswith(BROWSER_INTERNAL):
            return
        if request.resource_type in ASSET_TYPES and request.url not in broken_assets:
            problems.append(f"{request.resource_type} {request.url}: {request.failure}")

    context.on("console", on_console)
    context.on("weberror", on_web_error)
    context.on("response", on_response)
    context.on("requestfailed", on_request_failed)


@pytest.fixture
def new_page(browser, live_server, request, test_results_dir):
    """``new_page()`` opens a page in a fresh browser context (its own cookies): one
    more person using the portal. Relative URLs go to the live server."""
    opened: list[_OpenedPage] = []

    def open_page():
        context = browser.new_context(base_url=live_server.url, viewport=VIEWPORT, locale="en-US")
        context.set_default_timeout(ACTION_TIMEOUT_MS)
        context.set_default_navigation_timeout(NAVIGATION_TIMEOUT_MS)
        entry = _OpenedPage(page=context.new_page())
        _watch(context, entry.problems)
        opened.append(entry)
        return entry.page

    yield open_page

    marker = request.node.get_closest_marker("browser")
    allow_errors = bool(marker and marker.kwargs.get("allow_console_errors"))
    problems = [] if allow_errors else [p for entry in opened for p in entry.problems]
    if _test_failed(request.node) or problems:
        for number, entry in enumerate(opened, start=1):
            if not entry.page.is_closed():
                suffix = "" if len(opened) == 1 else f"-{number}"
                test_results_dir.mkdir(parents=True, exist_ok=True)
                entry.page.screenshot(path=str(test_results_dir / f"failure{suffix}.png"))
    for entry in opened:
        entry.page.context.close()
    if problems:
        pytest.fail("The browser reported problems:\n" + "\n".join(problems), pytrace=False)


@pytest.fixture
def page(new_page):
    """An anonymous visitor's page."""
    return new_page()


@pytest.fixture
def logged_in_page(new_page, live_server, request):
    """``logged_in_page("staff")`` (a role fixture's name, see conftest.py) or
    ``logged_in_page(user)``: a page whose browser is already signed in. The session
    is made by the test client and handed over as a cookie, skipping the login form."""
    from django.conf import settings
    from django.test import Client

    def sign_in(role_or_user):
        if isinstance(role_or_user, str):
            user = request.getfixturevalue(role_or_user)
        else:
            user = role_or_user
        client = Client()
        client.force_login(user)
        page = new_page()
        page.context.add_cookies(
            [
                {
                    "name": settings.SESSION_COOKIE_NAME,
                    "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                    "url": live_server.url,
                    "httpOnly": True,
                    "sameSite": "Lax",
                }
            ]
        )
        return page

    return sign_in
