"""One error shape for the API: ``{"field": ["message", ...]}`` for bad input,
``{"detail": "..."}`` otherwise, whether the error came from a serializer or from a
service raising Django's ValidationError.

A service's ``NotAllowed`` (``mentorship.access``) is answered here for every
endpoint: 404 when the object is hidden from the caller, 403 with the service's
reason otherwise."""

from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import exceptions
from rest_framework.views import exception_handler as drf_exception_handler

from .access import NotAllowed


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
