"""API errors name the field, whether a serializer or a service raised them."""

from django.core.exceptions import ValidationError
from rest_framework.decorators import api_view, permission_classes
from rest_framework.permissions import AllowAny
from rest_framework.test import APIRequestFactory


def _view_raising(error):
    @api_view(["POST"])
    @permission_classes([AllowAny])
    def view(request):
        raise error

    return view


def test_it_names_the_field_of_a_service_validation_error():
    view = _view_raising(ValidationError({"mentor": ["Mentor is at capacity."]}))
    response = view(APIRequestFactory().post("/x/", {}, format="json"))
    assert response.status_code == 400
    assert response.data == {"mentor": ["Mentor is at capacity."]}


def test_it_reports_errors_without_a_field_as_non_field_errors():
    view = _view_raising(ValidationError("The invitation has expired."))
    response = view(APIRequestFactory().post("/x/", {}, format="json"))
    assert response.status_code == 400
    assert response.data == {"non_field_errors": ["The invitation has expired."]}
