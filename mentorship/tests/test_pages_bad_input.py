"""Odd query strings on the pages answer 200, 400 or 404, never 500 (issue 16): each
list page as staff with a 20-digit number, a word and a negative number in every
filter and page parameter the pages read."""

import pytest

pytestmark = pytest.mark.django_db

PAGES = [
    "/students/",
    "/reviews/",
    "/team/",
    "/team/export.csv",
    "/team/consistency/",
    "/team/surveys/",
    "/team/second-reading/",
    "/flags/",
    "/sessions/",
    "/incidents/",
    "/questions/",
    "/questions/queue/",
    "/questions/solved/",
    "/questions/patterns/",
    "/kb/",
    "/search/",
    "/cases/",
    "/proposals/",
    "/recommendations/",
    "/reports/",
    "/development/",
    "/notifications/",
    "/scorecards/",
    "/programmes/analytics/",
    "/people/assign/",
]
PARAMETERS = [
    "page",
    "mentor",
    "programme",
    "project",
    "student",
    "topic",
    "cohort",
    "status",
    "period",
    "sort",
    "q",
]


@pytest.mark.parametrize("url", PAGES)
@pytest.mark.parametrize("value", ["99999999999999999999", "abc", "-1", "0.5"])
def test_it_never_answers_500_to_an_odd_query_string(client, as_user, url, value):
    as_user("staff")
    response = client.get(url, dict.fromkeys(PARAMETERS, value))
    assert response.status_code in (200, 302, 400, 403, 404), response.status_code


@pytest.mark.parametrize(
    "url",
    [
        "/students/{}/",
        "/submissions/{}/",
        "/reviews/{}/",
        "/sessions/{}/",
        "/questions/{}/",
        "/kb/{}/",
        "/cases/{}/",
        "/reports/{}/",
        "/scorecards/{}/",
        "/programmes/{}/analytics/",
        "/incidents/{}/",
    ],
)
def test_it_answers_404_to_an_id_beyond_the_database(client, as_user, url):
    as_user("staff")
    assert client.get(url.format("99999999999999999999")).status_code == 404
