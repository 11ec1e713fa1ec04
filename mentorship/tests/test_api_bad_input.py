"""Odd input answers 4xx in the API's JSON shape, never 500 (issue 16): ids out of
the database's range in filters (``mentorship.api_filters.IdField``: 400 naming the
parameter) and ids that are not numbers in URLs (``mentorship.api_routers``: 404)."""

import pytest

pytestmark = pytest.mark.django_db

HUGE = "99999999999999999999"  # 20 digits: beyond a 64-bit integer


@pytest.fixture
def api(client, as_user):
    as_user("staff")
    return client


FILTERS = [
    ("/api/v1/projects/", "programme"),
    ("/api/v1/submissions/", "project"),
    ("/api/v1/submissions/", "mentor"),
    ("/api/v1/submissions/", "student"),
    ("/api/v1/submissions/", "reviewer"),
    ("/api/v1/submissions/", "attempt"),
    ("/api/v1/submissions/", "mentor_when_reviewed"),
    ("/api/v1/questions/", "programme"),
    ("/api/v1/questions/", "project"),
    ("/api/v1/questions/", "topic"),
    ("/api/v1/questions/", "mentor"),
    ("/api/v1/articles/", "programme"),
    ("/api/v1/articles/", "project"),
    ("/api/v1/articles/", "topic"),
    ("/api/v1/articles/", "author"),
    ("/api/v1/flags/", "mentor"),
    ("/api/v1/sessions/", "mentor"),
    ("/api/v1/sessions/", "student"),
    ("/api/v1/scorecards/", "mentor"),
]


@pytest.mark.parametrize(("url", "parameter"), FILTERS)
@pytest.mark.parametrize("value", [HUGE, "-1", "0"])
def test_it_refuses_an_id_filter_out_of_range_naming_it(api, url, parameter, value):
    response = api.get(url, {parameter: value})
    assert response.status_code == 400
    assert list(response.json()) == [parameter]


@pytest.mark.parametrize("url", [url for url, _parameter in FILTERS])
def test_it_still_filters_by_the_largest_id(api, url):
    parameter = dict(FILTERS)[url]
    response = api.get(url, {parameter: str(2**63 - 1)})
    assert response.status_code in (200, 404)  # an empty list, or no such mentor


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/students/abc/activity/",
        "/api/v1/students/abc/",
        "/api/v1/students/0.5/",
        "/api/v1/students/-1/",
        "/api/v1/submissions/1e3/",
        "/api/v1/questions/0x10/accept/",
        "/api/v1/sessions/null/",
        "/api/v1/programmes/abc/analytics/",
        f"/api/v1/students/{HUGE}/activity/",
        f"/api/v1/submissions/{HUGE}/",
        f"/api/v1/programmes/{HUGE}/analytics/",
        f"/api/v1/programmes/{2**63}/analytics/",
    ],
)
def test_it_answers_a_malformed_or_unknown_id_404_in_json(api, url):
    response = api.get(url)
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert "detail" in response.json()


def test_it_publishes_every_id_in_a_path_as_a_64_bit_integer(api):
    schema = api.get("/api/schema/", HTTP_ACCEPT="application/json").json()

    ids = [
        parameter["schema"]
        for operations in schema["paths"].values()
        for operation in operations.values()
        for parameter in operation.get("parameters", [])
        if parameter["in"] == "path"
    ]
    assert ids
    assert all(id == {"type": "integer", "format": "int64", "minimum": 1} for id in ids)


@pytest.mark.parametrize(
    ("role", "url", "field"),
    [("student", "/api/v1/submissions/", "project"), ("mentor", "/api/v1/sessions/", "student")],
)
@pytest.mark.parametrize("number", ["1e400", "-1e400"])
def test_it_refuses_an_id_too_large_for_a_float_naming_the_field(
    client, as_user, role, url, field, number
):
    as_user(role)

    # JSON's 1e400 is read as infinity, which no integer column can be compared with.
    response = client.post(url, f'{{"{field}": {number}}}', content_type="application/json")

    assert response.status_code == 400
    assert field in response.json()


def test_it_answers_404_to_a_post_on_a_malformed_id(api):
    response = api.post("/api/v1/students/abc/status/", {"status": "active"})
    assert response.status_code == 404


def test_it_keeps_the_html_404_page_outside_the_api(api):
    response = api.get("/students/abc/")
    assert response.status_code == 404
    assert response["Content-Type"].startswith("text/html")
