import pytest
from django.test import RequestFactory

from mentorship.redirects import local_url


@pytest.mark.parametrize(
    ("candidate", "secure", "expected"),
    [
        ("/team/?period=2026-03", False, "/team/?period=2026-03"),
        ("http://testserver/team/", False, "http://testserver/team/"),
        ("http://testserver/team/", True, "/fallback/"),
        ("https://evil.example/", False, "/fallback/"),
        ("//evil.example/team/", False, "/fallback/"),
        ("", False, "/fallback/"),
    ],
)
def test_it_sends_people_back_only_within_the_site(candidate, secure, expected):
    request = RequestFactory().get("/", secure=secure)

    assert local_url(request, candidate, "/fallback/") == expected
