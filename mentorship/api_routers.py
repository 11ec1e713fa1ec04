"""The API's router: an object's id in a URL is what the database can hold.

Every table's key is a ``BigAutoField`` (``DEFAULT_AUTO_FIELD``): a positive integer of
at most 19 digits. ``/students/abc/`` or ``/students/0.5/`` do not match a route at all,
so no view ever passes them to a query (``abc`` used to reach ``.get(pk="abc")`` and
answer 500); the API's not-found handler (``mentorship.api_errors.not_found``) answers
them 404 in the API's JSON shape. An id of 19 digits beyond the largest key matches
and finds nothing: Django answers an out-of-range integer lookup with no rows.

A path written by hand (``path("programmes/<id:id>/analytics/", ...)``) takes the same
id through the ``id`` converter (``IdConverter``), and is published the same way."""

from django.urls import register_converter
from rest_framework.routers import SimpleRouter

ID_PATTERN = "[0-9]{1,19}"


class IdConverter:
    """``<id:name>`` in a path: an id of ``ID_PATTERN``, given to the view as an int."""

    regex = ID_PATTERN

    def to_python(self, value: str) -> int:
        return int(value)

    def to_url(self, value: int) -> str:
        return str(value)


register_converter(IdConverter, "id")


class IdRouter(SimpleRouter):
    """``SimpleRouter`` whose detail routes take a numeric id (``ID_PATTERN``) unless
    a viewset says otherwise with ``lookup_value_regex``."""

    def get_lookup_regex(self, viewset, lookup_prefix=""):
        lookup_field = getattr(viewset, "lookup_field", "pk")
        kwarg = getattr(viewset, "lookup_url_kwarg", None) or lookup_field
        value = getattr(viewset, "lookup_value_regex", ID_PATTERN)
        return f"(?P<{lookup_prefix}{kwarg}>{value})"
