"""``people_matching``: the one search of every people list, pages and API alike."""

import pytest
from django.urls import reverse

from mentorship.models import Assignment, User
from mentorship.selectors import people_matching
from mentorship.tests.factories import StudentFactory


@pytest.fixture
def people(db):
    return {
        "ivan": StudentFactory(display_name="Иван Петров", email="ivan.p@example.org"),
        "anna": StudentFactory(display_name="Anna Smith", email="anna_s@school.test"),
        "nameless": StudentFactory(display_name="", email="quiet.one@example.org"),
    }


def found(text: str) -> set[str]:
    return {person.email for person in people_matching(User.objects.all(), text)}


def test_it_finds_a_name_in_any_case_in_cyrillic(people):
    assert found("иван") == {"ivan.p@example.org"}
    assert found("ПЕТРОВ") == {"ivan.p@example.org"}


def test_it_finds_a_name_in_any_case_in_latin(people):
    assert found("smith") == {"anna_s@school.test"}
    assert found("aNNa") == {"anna_s@school.test"}


def test_it_wants_every_word_in_any_order(people):
    assert found("петров иван") == {"ivan.p@example.org"}
    assert found("петров anna") == set()


def test_it_finds_an_email_address(people):
    assert found("QUIET.ONE@") == {"quiet.one@example.org"}
    assert found("example.org") == {"ivan.p@example.org", "quiet.one@example.org"}


def test_it_takes_wildcards_literally(people):
    assert found("%") == set()
    # "_" would match any one character as a LIKE wildcard ("ivan.p" has "n.").
    assert found("n_") == set()
    assert found("a_s") == {"anna_s@school.test"}


def test_it_narrows_nothing_for_blank_text(people):
    assert found("") == found("   ") == {person.email for person in people.values()}


def test_it_searches_a_related_person(people, mentor):
    Assignment.objects.create(student=people["ivan"], mentor=mentor)
    assignments = people_matching(Assignment.objects.all(), "иван", person="student")
    assert [assignment.student for assignment in assignments] == [people["ivan"]]


def test_it_is_the_admins_search_of_people(admin_client, people):
    response = admin_client.get(reverse("admin:mentorship_user_changelist"), {"q": "ПЕТРОВ"})

    assert [person.email for person in response.context["cl"].result_list] == [
        "ivan.p@example.org"
    ]


def test_it_is_the_admins_autocomplete_of_people(admin_client, people):
    response = admin_client.get(
        reverse("admin:autocomplete"),
        {
            "term": "иван",
            "app_label": "mentorship",
            "model_name": "assignment",
            "field_name": "student",
        },
    )

    assert [row["text"] for row in response.json()["results"]] == ["Иван Петров"]
