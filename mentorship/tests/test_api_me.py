import pytest
from django.urls import reverse

from conftest import ROLES


@pytest.mark.django_db
def test_it_answers_401_json_to_anonymous_callers(client):
    response = client.get(reverse("api:me"))

    assert response.status_code == 401
    assert response.headers["Content-Type"] == "application/json"
    assert "detail" in response.json()
    assert response.headers["WWW-Authenticate"] == 'Bearer realm="api"'


@pytest.mark.django_db
def test_it_does_not_redirect_anonymous_callers_to_login(client):
    response = client.post(reverse("api:me"), {"role": "staff"})

    assert response.status_code == 401
    assert response.headers["Content-Type"] == "application/json"


@pytest.mark.parametrize("role", ROLES)
def test_it_tells_each_role_who_they_are(client, as_user, role):
    user = as_user(role)

    response = client.get(reverse("api:me"))

    assert response.status_code == 200
    assert response.json() == {
        "id": user.pk,
        "email": user.email,
        "display_name": user.display_name,
        "role": user.role,
        "language": "en",
        "time_zone": "UTC",
    }


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("method", ["post", "put", "patch", "delete"])
def test_it_refuses_writes(client, as_user, role, method):
    user = as_user(role)

    response = getattr(client, method)(
        reverse("api:me"),
        {"role": "staff", "display_name": "Hacker"},
        content_type="application/json",
    )

    assert response.status_code == 405
    assert response.headers["Content-Type"] == "application/json"
    before = (user.display_name, user.role)
    user.refresh_from_db()
    assert (user.display_name, user.role) == before
