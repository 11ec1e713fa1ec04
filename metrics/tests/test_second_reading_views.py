"""The second-reading pages per role: the sample, one review in full, and the rating
(htmx and a plain post), with bad input, wrong methods and query counts."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone, translation
from pytest_django.asserts import assertContains, assertNotContains

from mentorship.tests.factories import MentorFactory
from metrics.models import SecondReading
from metrics.tests.helpers_reviews import make_review
from projects.models import CriterionVerdict
from projects.tests.factories import ProjectFactory

SAMPLE = reverse("metrics:second_reading")

pytestmark = pytest.mark.django_db


def review_url(review):
    return reverse("metrics:second_reading_review", args=[review.pk])


def rate_url(review):
    return reverse("metrics:second_reading_rate", args=[review.pk])


@pytest.fixture
def project(db):
    return ProjectFactory(title="Weather app")


@pytest.fixture
def review(mentor, student, project):
    """``mentor``'s review (``supervisor``'s team) of ``student``'s first attempt."""
    return make_review(
        reviewer=mentor,
        project=project,
        student=student,
        at=timezone.now() - timedelta(days=2),
        approved=False,
        feedback="The **tests** are missing.\n\nAdd a README & run them in CI.",
    )


@pytest.fixture
def other_review(other_mentor, other_student, project):
    """``other_mentor``'s review (``other_supervisor``'s team)."""
    return make_review(
        reviewer=other_mentor,
        project=project,
        student=other_student,
        at=timezone.now() - timedelta(days=3),
    )


def sampled(response) -> dict:
    return {
        group.mentor.display_name: [item.review.pk for item in group.reviews]
        for group in response.context["sample"].groups
    }


def readings():
    return list(
        SecondReading.objects.order_by("pk").values("review", "reader", "rating", "comment")
    )


# --- Anonymous and wrong methods ------------------------------------------------------


def test_it_sends_anonymous_people_to_login(client, review):
    for response in (
        client.get(SAMPLE),
        client.get(review_url(review)),
        client.post(rate_url(review), {"rating": "4"}),
    ):
        assert response.status_code == 302
        assert response.url.startswith(reverse("account_login"))
    assert readings() == []


def test_it_answers_wrong_methods_405(as_user, client, review):
    as_user("supervisor")

    assert client.post(SAMPLE).status_code == 405
    assert client.post(review_url(review)).status_code == 405
    assert client.get(rate_url(review)).status_code == 405
    assert client.delete(rate_url(review)).status_code == 405


# --- The sample -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "status", "expected"),
    [
        ("student", 403, None),
        ("other_student", 403, None),
        ("mentor", 403, None),
        ("other_mentor", 403, None),
        ("supervisor", 200, {"Maria Mentor": ["review"]}),
        ("other_supervisor", 200, {"Otto Othermentor": ["other_review"]}),
        ("staff", 200, {"Maria Mentor": ["review"], "Otto Othermentor": ["other_review"]}),
    ],
)
def test_it_samples_only_the_reviews_the_person_reads(
    as_user, client, review, other_review, role, status, expected
):
    as_user(role)

    response = client.get(SAMPLE)

    assert response.status_code == status
    if expected is not None:
        reviews = {"review": review.pk, "other_review": other_review.pk}
        assert sampled(response) == {
            name: [reviews[key] for key in keys] for name, keys in expected.items()
        }


def test_it_shows_each_sampled_review_with_the_form_to_rate_it(as_user, client, review):
    as_user("supervisor")

    response = client.get(SAMPLE)

    assertContains(response, "Weather app")
    assertContains(response, "Stas Student")
    assertContains(response, 'data-status="changes_requested"')
    assertContains(response, "The tests are missing.<br>Add a README &amp; run them in CI.")
    assertContains(response, f'href="{review_url(review)}"')
    assertContains(response, f'hx-post="{rate_url(review)}"')
    assertContains(response, f'action="{rate_url(review)}"')
    assertContains(response, f'id="rating-{review.pk}-5"')
    assertContains(response, f'<input type="hidden" name="next" value="{SAMPLE}">')
    assertContains(response, "No second readings: no data.")


def test_it_lets_staff_narrow_the_sample_to_a_team_or_a_mentor(
    as_user, client, review, other_review, other_supervisor, mentor
):
    as_user("staff")

    by_team = client.get(SAMPLE, {"team": other_supervisor.pk})
    by_mentor = client.get(SAMPLE, {"mentor": mentor.pk})
    unknown = client.get(SAMPLE, {"mentor": "999999"})

    assert sampled(by_team) == {"Otto Othermentor": [other_review.pk]}
    assert sampled(by_mentor) == {"Maria Mentor": [review.pk]}
    assert unknown.status_code == 400
    assertContains(unknown, "Choose one of the mentors listed.", status_code=400)


def test_it_offers_a_supervisor_no_team_filter_and_only_their_mentors(
    as_user, client, mentor, other_mentor
):
    as_user("supervisor")

    response = client.get(SAMPLE, {"mentor": other_mentor.pk})

    assert "team" not in response.context["form"].fields
    assert response.status_code == 400
    assert sampled(response) == {"Maria Mentor": []}


def test_it_pages_through_mentors(as_user, client, staff):
    for index in range(12):
        MentorFactory(display_name=f"Mentor {index:02d}")
    as_user("staff")

    first = client.get(SAMPLE)
    second = client.get(SAMPLE, {"page": 2})

    assert len(first.context["sample"].groups) == 10
    assert [g.mentor.display_name for g in second.context["sample"].groups] == [
        "Mentor 10",
        "Mentor 11",
    ]


def add_team(supervisor, mentors: int, reviews: int):
    project = ProjectFactory()
    for _index in range(mentors):
        mentor = MentorFactory()
        mentor.mentor_profile.supervisor = supervisor
        mentor.mentor_profile.save()
        for day in range(reviews):
            make_review(
                reviewer=mentor, project=project, at=timezone.now() - timedelta(days=day + 1)
            )


@pytest.mark.parametrize(("mentors", "reviews"), [(2, 1), (9, 5)])
def test_it_runs_a_constant_number_of_queries_for_the_sample(
    as_user, client, supervisor, mentors, reviews, django_assert_max_num_queries
):
    add_team(supervisor, mentors, reviews)
    as_user("supervisor")

    # Session and user; the navigation's two counts; the mentors; the reviews numbered
    # per mentor; the figures.
    with django_assert_max_num_queries(7, info="Second reading sample: a query per row?"):
        response = client.get(SAMPLE)

    assert response.context["sample"].review_count == mentors * min(reviews, 3)


@pytest.mark.parametrize("mentors", [2, 12])
def test_it_runs_a_constant_number_of_queries_for_staff(
    as_user, client, supervisor, mentors, django_assert_max_num_queries
):
    add_team(supervisor, mentors, 2)
    as_user("staff")

    # Session and user; the navigation's two counts; the mentors; the supervisors; the
    # reviews; the figures.
    with django_assert_max_num_queries(8, info="Second reading sample: a query per row?"):
        response = client.get(SAMPLE)

    assert response.status_code == 200


# --- One review in full ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "status"),
    [
        ("student", 403),
        ("other_student", 403),
        ("mentor", 403),
        ("other_mentor", 403),
        ("supervisor", 200),
        ("other_supervisor", 404),
        ("staff", 200),
    ],
)
def test_it_shows_a_review_only_to_its_second_readers(as_user, client, review, role, status):
    as_user(role)

    response = client.get(review_url(review))

    assert response.status_code == status


def test_it_answers_404_for_a_review_that_does_not_exist(as_user, client):
    as_user("staff")

    assert client.get(reverse("metrics:second_reading_review", args=[999999])).status_code == 404


def test_it_shows_the_whole_review_and_the_ratings_given(
    as_user, client, review, supervisor, staff
):
    CriterionVerdict.objects.filter(review=review, met=False).update(comment="No tests at all.")
    SecondReading.objects.create(review=review, reader=staff, rating=2, comment="Too terse.")
    SecondReading.objects.create(review=review, reader=supervisor, rating=4, comment="Fair.")
    as_user("supervisor")

    response = client.get(review_url(review))

    assertContains(response, "The <strong>tests</strong> are missing.")
    assertContains(response, "Weather app: criterion 1")
    assertContains(response, "No tests at all.")
    assertContains(response, "https://github.com/example/project")
    assertContains(response, "Here is my work.")
    assertContains(response, "Attempt 1")
    assertContains(response, "Too terse.")
    assertContains(response, "Stella Staff")
    assertContains(response, "You rated it 4 of 5 on")
    assertContains(response, "Change the rating")
    assertContains(response, f'id="rating-{review.pk}-4" value="4" checked')
    # The mentor's ratings of the last 90 days: 2 and 4.
    assertContains(response, "Rated 2 times, mean 3.0 of 5")
    assertContains(response, '<li class="list-inline-item text-nowrap" data-rating="2">')
    assertNotContains(response, 'data-rating="3"')
    # The page reloads on rating, as the ratings beside the form change too.
    assertNotContains(response, "hx-post")


def test_it_loads_the_review_page_in_a_constant_number_of_queries(
    as_user, client, review, staff, supervisor, django_assert_max_num_queries
):
    for reader in (staff, supervisor):
        SecondReading.objects.create(review=review, reader=reader, rating=3)
    as_user("supervisor")

    # Session and user; the navigation's two counts; the review; its verdicts; its
    # ratings; the mentor's figures.
    with django_assert_max_num_queries(8):
        response = client.get(review_url(review))

    assert response.status_code == 200


# --- Rating ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "status"),
    [
        ("student", 403),
        ("other_student", 403),
        ("mentor", 403),
        ("other_mentor", 403),
        ("other_supervisor", 404),
    ],
)
def test_it_refuses_a_rating_from_anyone_else(as_user, client, review, role, status):
    as_user(role)

    response = client.post(rate_url(review), {"rating": "5"})

    assert response.status_code == status
    assert readings() == []


@pytest.mark.parametrize("role", ["supervisor", "staff"])
def test_it_saves_a_rating_and_returns_to_the_sample(as_user, client, review, role):
    reader = as_user(role)

    response = client.post(rate_url(review), {"rating": "4", "comment": "Fair.", "next": SAMPLE})

    assert response.status_code == 302
    assert response.url == SAMPLE
    assert readings() == [
        {"review": review.pk, "reader": reader.pk, "rating": 4, "comment": "Fair."}
    ]
    page = client.get(SAMPLE)
    assertContains(page, "Your rating of Weather app is saved: 4 of 5.")
    assert review.pk not in [pk for pks in sampled(page).values() for pk in pks]


def test_it_returns_to_the_review_rather_than_elsewhere(as_user, client, review):
    as_user("supervisor")

    response = client.post(
        rate_url(review), {"rating": "3", "next": "https://elsewhere.example/steal"}
    )

    assert response.url == review_url(review)


def test_it_swaps_in_the_saved_rating_for_htmx(as_user, client, review, supervisor):
    as_user("supervisor")
    SecondReading.objects.create(review=review, reader=supervisor, rating=1)

    response = client.post(
        rate_url(review), {"rating": "5", "comment": "Kind and precise."}, HTTP_HX_REQUEST="true"
    )

    assert response.status_code == 200
    assert response.templates[0].name == "metrics/_second_reading_rating.html"
    assertContains(response, "Your rating is saved: 5 of 5.")
    assertContains(response, "Kind and precise.")
    assertContains(response, f'id="second-reading-{review.pk}"')
    assert readings() == [
        {"review": review.pk, "reader": supervisor.pk, "rating": 5, "comment": "Kind and precise."}
    ]


@pytest.mark.parametrize("rating", ["", "0", "6", "four"])
def test_it_shows_a_bad_rating_beside_the_field_for_htmx(as_user, client, review, rating):
    as_user("supervisor")

    response = client.post(
        rate_url(review), {"rating": rating, "comment": "Kept."}, HTTP_HX_REQUEST="true"
    )

    assertContains(response, "Rate the review from 1 to 5.", status_code=400)
    assertContains(response, "Kept.", status_code=400)
    assertContains(response, "data-swap-errors", status_code=400)
    assert readings() == []


def test_it_shows_a_bad_rating_on_the_review_page_without_htmx(as_user, client, review):
    as_user("supervisor")

    response = client.post(rate_url(review), {"rating": "9", "comment": "x" * 10})

    assertContains(response, "Rate the review from 1 to 5.", status_code=400)
    assertContains(response, "The <strong>tests</strong> are missing.", status_code=400)
    assert readings() == []


def test_it_refuses_a_comment_too_long(as_user, client, review):
    as_user("supervisor")

    response = client.post(rate_url(review), {"rating": "3", "comment": "x" * 4001})

    assert response.status_code == 400
    assert readings() == []


# --- Home and language ----------------------------------------------------------------


def test_it_is_linked_from_the_supervisors_home(as_user, client):
    as_user("supervisor")

    response = client.get(reverse("metrics:home"))

    assertContains(response, f'href="{SAMPLE}"')
    assertContains(response, f'href="{reverse("metrics:review_consistency")}"')


@pytest.fixture
def in_russian(supervisor):
    """The supervisor reads the portal in Russian; the language the middleware turns on
    for their requests is turned back to English afterwards."""
    supervisor.language = "ru"
    supervisor.save()
    with translation.override("en"):
        yield


def test_it_speaks_russian(as_user, client, review, in_russian):
    as_user("supervisor")

    sample = client.get(SAMPLE)
    page = client.get(review_url(review))

    assertContains(sample, "Второе прочтение")
    assertContains(sample, "Прочитать проверку целиком")
    assertContains(page, "Оценка этой проверки")
    assertNotContains(page, "Rate this review")
