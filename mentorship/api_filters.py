"""What the API's list filters share, so an outside tool can fetch exactly the records
behind a figure: moments given as a date-time with its offset or as a day on the
caller's calendar (``MomentField``), periods as ``<name>_after`` (inclusive) and
``<name>_before`` (exclusive) so consecutive periods never share a record
(``period_lookups``), yes/no filters on whether something has happened
(``filtered_by_happened``), and "the mentor of the student at that moment"
(``filtered_by_mentor_then``, from ``mentor_at``, as the scorecards count).

An id is taken as ``IdField`` (a filter) or ``IdRelatedField`` (an object a body
names): never a value no database column can be compared with.

Each list validates its own filter serializer and starts from its visibility
selector: a filter only narrows what the caller may already see."""

import math
import re
from datetime import datetime, time

from django.db.models import QuerySet
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from .selectors import mentor_at


class OffsetDateTimeField(serializers.DateTimeField):
    """ISO 8601 with its UTC offset (``2026-05-04T14:00:00+02:00`` or ``...Z``): the
    caller may be a calendar whose time zone we cannot assume. Also for input that is
    not a filter (a session's start)."""

    default_error_messages = {
        "naive": _("Give the time with its UTC offset, e.g. 2026-05-04T14:00:00+02:00."),
    }

    def to_internal_value(self, value):
        if isinstance(value, str):
            try:
                parsed = parse_datetime(value)
            except ValueError:
                parsed = None  # a malformed date: the parent field says so
            if parsed is not None and parsed.tzinfo is None:
                self.fail("naive")
        return super().to_internal_value(value)


_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")
# ``+03:00`` typed into a URL unencoded arrives as `` 03:00``: the only reading is "+".
_OFFSET_AS_SPACE = re.compile(r"^(\d{4}-\d{2}-\d{2}T[\d:.]+) (\d{2}(?::?\d{2})?)$")

MOMENT_FORMATS = _(
    "A date-time with its UTC offset (2026-10-01T00:00:00+03:00) or a date "
    "(2026-10-01), meaning its midnight in your time zone."
)


@extend_schema_field(
    {
        "oneOf": [
            {"type": "string", "format": "date-time"},
            {"type": "string", "format": "date"},
        ]
    }
)
class MomentField(OffsetDateTimeField):
    """A moment bounding a period: a date-time with its UTC offset, or a date, which
    means its first moment on the caller's calendar (``request.user.zone`` from the
    serializer's context), the same bound a ``metrics.periods.Period`` takes. Its help
    text is followed by the formats it accepts."""

    default_error_messages = {
        "invalid": _(
            "Give a date (2026-10-01) or a date-time with its UTC offset "
            "(2026-10-01T00:00:00+03:00)."
        ),
    }

    def __init__(self, **kwargs):
        help_text = kwargs.pop("help_text", None)
        kwargs["help_text"] = (
            format_lazy("{} {}", help_text, MOMENT_FORMATS) if help_text else MOMENT_FORMATS
        )
        super().__init__(**kwargs)

    def to_internal_value(self, value):
        if isinstance(value, str):
            value = value.strip()
            if _DAY.match(value):
                try:
                    day = parse_date(value)
                except ValueError:
                    day = None  # 2026-02-30
                if day is None:
                    self.fail("invalid")
                zone = self.context["request"].user.zone
                return datetime.combine(day, time.min, tzinfo=zone)
            value = _OFFSET_AS_SPACE.sub(r"\1+\2", value)
        return super().to_internal_value(value)


def period_lookups(name: str, field: str) -> dict[str, str]:
    """The lookups of a period's two filters, for ``filtered``: ``<name>_after`` keeps
    ``field`` at or after the moment (inclusive), ``<name>_before`` before it
    (exclusive)."""
    return {f"{name}_after": f"{field}__gte", f"{name}_before": f"{field}__lt"}


def filtered(objects: QuerySet, wanted: dict, lookups: dict[str, str]) -> QuerySet:
    """``objects`` narrowed by each validated filter present in ``wanted``, its
    parameter mapped to a lookup by ``lookups``."""
    for name, lookup in lookups.items():
        if name in wanted:
            objects = objects.filter(**{lookup: wanted[name]})
    return objects


def filtered_by_happened(objects: QuerySet, wanted: dict, moments: dict[str, str]) -> QuerySet:
    """``objects`` narrowed by each yes/no filter given in ``wanted`` (``true``: it has
    happened; ``false``: not yet), its parameter mapped by ``moments`` to the field
    set when it happens (``{"acknowledged": "acknowledged_at"}``). The fields are
    ``BooleanField(default=None, allow_null=True)``: a query string leaves a plain
    boolean false when it is absent."""
    for name, field in moments.items():
        if wanted.get(name) is not None:
            objects = objects.filter(**{f"{field}__isnull": not wanted[name]})
    return objects


def filtered_by_mentor_then(
    objects: QuerySet, wanted: dict, *, at: str, student: str = "student", key: str = "mentor"
) -> QuerySet:
    """``objects`` narrowed, when ``wanted`` has ``key`` (a mentor's id), to the records
    of the students that mentor looked after at the record's moment ``at``
    (``mentor_at``): a student who changed mentor counts for each in turn."""
    if key not in wanted:
        return objects
    return objects.alias(**{f"{key}_then": mentor_at(student=student, at=at)}).filter(
        **{f"{key}_then": wanted[key]}
    )


def yes_no_field(help_text) -> serializers.BooleanField:
    """A yes/no filter for ``filtered_by_happened``: absent is neither."""
    return serializers.BooleanField(
        required=False, default=None, allow_null=True, help_text=help_text
    )


# The largest key a table holds (``BigAutoField``, a signed 64-bit integer).
ID_MAX = 2**63 - 1


class IdField(serializers.IntegerField):
    """A filter naming an object by its id (``?programme=3``), or another whole number
    compared with a 64-bit column (``?attempt=2``): positive and at most ``ID_MAX``.
    Anything beyond is refused with 400 naming the parameter, before it reaches a query
    (a 20-digit number overflowed the database's integer and answered 500)."""

    def __init__(self, **kwargs):
        kwargs.setdefault("required", False)
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", ID_MAX)
        super().__init__(**kwargs)


class IdRelatedField(serializers.PrimaryKeyRelatedField):
    """An object a request's body names by its id (``"project": 3``), looked up in the
    field's queryset as DRF's own field does. A JSON number too large for any float
    (``1e400``) is read as infinity, which no integer column can be compared with
    (``OverflowError``, answered 500): it is refused as DRF refuses any id of the wrong
    type, with 400 naming the field."""

    def to_internal_value(self, data):
        if isinstance(data, float) and not math.isfinite(data):
            self.fail("incorrect_type", data_type=type(data).__name__)
        return super().to_internal_value(data)
