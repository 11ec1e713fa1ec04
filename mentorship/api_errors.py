"""One error shape for the API: ``{"field": ["message", ...]}`` for bad input,
``{"detail": "..."}`` otherwise, whether the error came from a serializer or from a
service raising Django's ValidationError.

A service's ``NotAllowed`` (``mentorship.access``) is answered here for every
endpoint: 404 when the object is hidden from the caller, 403 with the service's
reason otherwise.

The same shape answers a URL under ``/api/`` that matches no route (``not_found``),
and the published schema lists these errors on every operation that can give them
(``ApiSchema``), so a client meets no status code the schema does not name."""

from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import JsonResponse
from django.utils.translation import gettext_lazy as _
from django.views.defaults import page_not_found
from drf_spectacular.openapi import AutoSchema
from rest_framework import exceptions
from rest_framework.views import exception_handler as drf_exception_handler

from .access import NotAllowed
from .api_routers import ID_PATTERN


def exception_handler(exc, context):
    if isinstance(exc, NotAllowed):
        exc = (
            exceptions.NotFound()
            if exc.hidden
            else exceptions.PermissionDenied(exc.message or None)
        )
    elif isinstance(exc, DjangoValidationError):
        if hasattr(exc, "error_dict"):
            detail = {
                ("non_field_errors" if field == "__all__" else field): messages
                for field, messages in exc.message_dict.items()
            }
        else:
            detail = {"non_field_errors": exc.messages}
        exc = exceptions.ValidationError(detail)
    return drf_exception_handler(exc, context)


def is_api_request(request) -> bool:
    """Whether a request is the API's (every route under ``/api/``, the URLconf's
    prefix): its errors are JSON, never a page or a redirect."""
    return request.path.startswith("/api/")


def not_found(request, exception):
    """The site's 404 (``handler404``): under ``/api/`` the API's JSON shape, so a
    URL that matches no route (``/api/v1/students/abc/``, refused by
    ``mentorship.api_routers``) reads like any other 404 of the API; elsewhere
    Django's page."""
    if is_api_request(request):
        return JsonResponse({"detail": str(exceptions.NotFound.default_detail)}, status=404)
    return page_not_found(request, exception)


# What every error of the API looks like: ``{"detail": "..."}``, or the fields at
# fault each with its messages (``{"programme": ["..."]}``).
ERROR_SCHEMA = {
    "type": "object",
    "properties": {"detail": {"type": "string"}},
    "additionalProperties": True,
}

_ERRORS = {
    400: _("Invalid input: the parameters or fields at fault, each with its messages."),
    401: _("No credentials, or a token that is unknown or revoked."),
    403: _("Your role may not do this."),
    404: _("No such object among those you may see, or no such page of the list."),
}


class ApiSchema(AutoSchema):
    """drf-spectacular's schema with the errors every operation can answer, so the
    published schema says what a client will meet: 401 and 403 anywhere (every
    endpoint needs a user, and several a role), 404 on an object's URL and on a
    page past the end of a list, 400 where there is input to refuse (a body or a
    list's filters). An operation's own description of a code is kept."""

    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        if direction != "response":
            return responses
        codes = [401, 403]
        if "{" in self.path or self._is_list_view():
            codes.append(404)
        if self.method != "GET" or self._is_list_view() or self._has_query_parameters():
            codes.append(400)
        for code in codes:
            responses.setdefault(
                str(code),
                {
                    "description": str(_ERRORS[code]),
                    "content": {"application/json": {"schema": ERROR_SCHEMA}},
                },
            )
        return responses

    def _resolve_path_parameters(self, variables):
        # An id of the router's pattern (mentorship.api_routers) is a 64-bit integer
        # to a client, as it is to the database, not a string of digits.
        parameters = super()._resolve_path_parameters(variables)
        for parameter in parameters:
            if parameter["schema"].get("pattern") == f"^{ID_PATTERN}$":
                parameter["schema"] = {"type": "integer", "format": "int64", "minimum": 1}
        return parameters

    def _map_basic_serializer(self, serializer, direction):
        # A read-only field declared ``required=False`` is left out of some answers
        # (a session's private notes, for students): not promised in every one.
        schema = super()._map_basic_serializer(serializer, direction)
        optional = {
            name
            for name, field in serializer.fields.items()
            if field.read_only and field._kwargs.get("required") is False
        }
        if optional and "required" in schema:
            schema["required"] = [name for name in schema["required"] if name not in optional]
            if not schema["required"]:
                del schema["required"]
        return schema

    def _has_query_parameters(self) -> bool:
        return any(
            getattr(parameter, "location", None) == "query"
            for parameter in self.get_override_parameters()
        )
