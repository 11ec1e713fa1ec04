"""``NotAllowed`` becomes a 404 or a 403 in one place for pages (the middleware) and
one for the API (its exception handler), whichever view let it through."""

import pytest
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied
from django.urls import include, path
from rest_framework.decorators import api_view, permission_classes
from rest_framework.permissions import AllowAny
from rest_framework.test import APIRequestFactory

from mentorship.access import NotAllowed
from mentorship.models import User
from mentorship.tests.factories import StudentFactory


@login_not_required
def _page_raising_hidden(request):
    raise NotAllowed("Not yours.", hidden=True)


@login_not_required
def _page_raising_refused(request):
    raise NotAllowed("Only mentors do this.")


# The portal's own URLs too: the error pages link to them.
urlpatterns = [
    path("test-access/hidden/", _page_raising_hidden),
    path("test-access/refused/", _page_raising_refused),
    path("", include("mentorship.urls")),
]


@pytest.mark.urls("mentorship.tests.test_access")
def test_it_answers_a_page_404_when_the_object_is_hidden(client, db):
    response = client.get("/test-access/hidden/")

    assert response.status_code == 404
    assert "Not yours." not in response.content.decode()


@pytest.mark.urls("mentorship.tests.test_access")
def test_it_answers_a_page_403_when_only_the_action_is_refused(client, db):
    assert client.get("/test-access/refused/").status_code == 403


def _api_view_raising(error):
    @api_view(["POST"])
    @permission_classes([AllowAny])
    def view(request):
        raise error

    return view


def test_it_answers_the_api_404_when_the_object_is_hidden():
    view = _api_view_raising(NotAllowed("Not yours.", hidden=True))

    response = view(APIRequestFactory().post("/x/", {}, format="json"))

    assert response.status_code == 404
    assert "Not yours." not in str(response.data)


def test_it_answers_the_api_403_with_the_services_reason():
    view = _api_view_raising(NotAllowed("Only mentors do this."))

    response = view(APIRequestFactory().post("/x/", {}, format="json"))

    assert response.status_code == 403
    assert response.data == {"detail": "Only mentors do this."}


def test_it_is_a_permission_denied_for_code_that_does_not_know_it():
    assert issubclass(NotAllowed, PermissionDenied)
    assert NotAllowed("x").hidden is False


def test_it_hides_the_object_from_whoever_may_not_see_it(db):
    student, other = StudentFactory(), StudentFactory()
    visible = User.objects.filter(pk=student.pk)

    assert NotAllowed.unless_visible("Refused.", visible=visible, pk=student.pk).hidden is False
    assert NotAllowed.unless_visible("Refused.", visible=visible, pk=other.pk).hidden is True
