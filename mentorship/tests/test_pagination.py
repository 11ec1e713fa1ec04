"""``KeysFirstPaginator``: a page found among the list's keys, then its rows read."""

import pytest

from mentorship.models import Notification, User
from mentorship.pagination import KeysFirstPaginator
from mentorship.tests.factories import StudentFactory


@pytest.fixture
def people(db):
    return [StudentFactory(display_name=name) for name in ("Cleo", "Abel", "Dora", "Bea", "Emil")]


def test_it_keeps_the_lists_order_and_what_the_rows_carry(people, django_assert_num_queries):
    people_by_name = (
        User.objects.filter(pk__in=[p.pk for p in people])
        .select_related("student_profile")
        .order_by("-display_name")
    )

    # The count, the page's keys, the page's rows with their profiles.
    with django_assert_num_queries(3):
        page = KeysFirstPaginator(people_by_name, 2).get_page(2)
        names = [(person.display_name, person.student_profile.status) for person in page]

    assert [name for name, _status in names] == ["Cleo", "Bea"]
    assert page.paginator.num_pages == 3
    assert page.has_next()
    assert page.has_previous()


def test_it_skips_a_row_gone_between_its_two_reads(people, monkeypatch):
    listed = User.objects.filter(pk__in=[p.pk for p in people]).order_by("display_name")
    paginator = KeysFirstPaginator(listed, 3)
    in_bulk = type(listed).in_bulk

    def gone_meanwhile(queryset, keys):
        rows = in_bulk(queryset, keys)
        rows.pop(people[1].pk)  # Abel, deleted after the keys were read
        return rows

    monkeypatch.setattr(type(listed), "in_bulk", gone_meanwhile)

    page = paginator.get_page(1)

    assert [person.display_name for person in page] == ["Bea", "Cleo"]


def test_it_pages_an_empty_list(db):
    page = KeysFirstPaginator(Notification.objects.order_by("pk"), 10).get_page(1)

    assert list(page) == []
    assert page.paginator.count == 0
