"""Secure by default: every URL the project serves needs a signed-in user, except the
ones listed here on purpose (LoginRequiredMiddleware plus ``login_not_required``).

A new public view must be added to ``PUBLIC`` with a reason; a new API endpoint
must answer anonymous callers with a JSON 401/403 rather than a login page."""

from dataclasses import dataclass
from urllib.parse import quote

import pytest
from django.urls import NoReverseMatch, URLPattern, URLResolver, get_resolver, reverse

from conftest import ROLES

PUBLIC = {
    # Signing in, out and up, and getting back into an account.
    "account_login",
    "account_logout",
    "account_inactive",
    "account_signup",  # shows "sign-up is closed" unless ACCOUNT_OPEN_SIGNUP
    "account_email_verification_sent",
    "account_confirm_email",
    "account_confirm_login_code",
    "account_reset_password",
    "account_reset_password_done",
    "account_reset_password_from_key",
    "account_reset_password_from_key_done",
    "mfa_authenticate",  # the second step of signing in
    "admin:login",
    # The link in an invitation e-mail: the person has no account yet.
    "mentorship:invitation_accept",
    # The language switcher works before signing in, too.
    "mentorship:language_switch",
    # Load balancers and monitoring.
    "mentorship:healthz",
    # API description, for integrators before they have a token.
    "api_schema",
    "api_docs",
}
# Views in these namespaces authenticate themselves (session or token) and answer
# anonymous callers with JSON, not a redirect.
API_NAMESPACES = {"api"}


@dataclass(frozen=True)
class Route:
    route: str
    name: str | None  # with namespace, e.g. "admin:index"
    namespace: str | None
    pattern: URLPattern

    @property
    def is_api(self) -> bool:
        return self.namespace is not None and self.namespace.split(":")[0] in API_NAMESPACES

    def sample_path(self) -> str | None:
        """A path for this route, with "1" for every argument, or None when the
        route cannot be reversed that way (unnamed, or arguments of a fixed form)."""
        regex = self.pattern.pattern.regex
        if self.name is None or regex.groups != len(regex.groupindex):
            return None
        try:
            return reverse(self.name, kwargs=dict.fromkeys(regex.groupindex, "1"))
        except NoReverseMatch:
            return None


def _walk(patterns, prefix: str = "", namespace: str | None = None):
    for entry in patterns:
        if isinstance(entry, URLResolver):
            inner = namespace
            if entry.namespace:
                inner = f"{namespace}:{entry.namespace}" if namespace else entry.namespace
            yield from _walk(entry.url_patterns, prefix + str(entry.pattern), inner)
        else:
            name = entry.name and (f"{namespace}:{entry.name}" if namespace else entry.name)
            yield Route(prefix + str(entry.pattern), name, namespace, entry)


ROUTES = list(_walk(get_resolver().url_patterns))


def test_it_walks_the_whole_url_tree():
    names = {route.name for route in ROUTES}

    assert {"metrics:home", "mentorship:profile", "mentorship:invitation_list", "account_login"}
    assert {"mfa_index"} <= names <= names
    assert {"admin:index", "admin:mentorship_assignment_add", "api:me"} <= names
    assert {
        "knowledge_base:article_list",
        "knowledge_base:article_detail",
        "knowledge_base:article_helped",
        "knowledge_base:article_from_question",
    } <= names


def test_it_lists_only_public_views_that_exist():
    assert PUBLIC - {route.name for route in ROUTES} == set(), (
        "Remove views that no longer exist from PUBLIC."
    )


@pytest.mark.parametrize("route", [r for r in ROUTES if not r.is_api], ids=lambda r: r.route)
def test_it_requires_login_unless_allowed(route):
    public = not getattr(route.pattern.callback, "login_required", True)

    if route.name in PUBLIC:
        assert public, f"{route.name} is on the allow-list but requires login."
    else:
        assert not public, (
            f"{route.route} ({route.name}) is public. Add it to PUBLIC with a reason, or "
            "remove login_not_required."
        )


@pytest.mark.django_db
@pytest.mark.parametrize(
    "route",
    [r for r in ROUTES if not r.is_api and r.name not in PUBLIC and r.sample_path()],
    ids=lambda r: r.route,
)
def test_it_sends_anonymous_people_to_login(client, route):
    path = route.sample_path()

    response = client.get(path)

    # The admin's own pages name the admin login page; everything else the portal's.
    login_url = str(getattr(route.pattern.callback, "login_url", "") or reverse("account_login"))
    assert response.status_code == 302, path
    assert response.url == f"{login_url}?next={quote(path)}"


@pytest.mark.django_db
@pytest.mark.parametrize(
    "route", [r for r in ROUTES if r.name in PUBLIC and r.sample_path()], ids=lambda r: r.route
)
def test_it_serves_public_views_without_a_login_redirect(client, route):
    path = route.sample_path()

    response = client.get(path)

    assert response.status_code < 500, path
    assert not (response.status_code == 302 and response.url.endswith(f"?next={quote(path)}")), (
        f"{path} is on the allow-list but the middleware sent it to login."
    )


@pytest.mark.django_db
@pytest.mark.parametrize("route", [r for r in ROUTES if r.is_api], ids=lambda r: r.route)
def test_it_answers_anonymous_api_calls_with_json(client, route):
    path = route.sample_path()
    assert path is not None, f"Give {route.route} a sample path in this test."

    response = client.get(path)

    assert response.status_code in (401, 403), path
    assert response.headers["Content-Type"] == "application/json"


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["anonymous", *ROLES])
@pytest.mark.parametrize("url_name", ["api_schema", "api_docs"])
def test_it_describes_the_api_to_everyone(client, request, role, url_name):
    if role != "anonymous":
        client.force_login(request.getfixturevalue(role))

    response = client.get(reverse(url_name))

    assert response.status_code == 200
