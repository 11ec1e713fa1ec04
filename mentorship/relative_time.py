"""A moment in words relative to now ("5 minutes ago", "in 3 days", "just now"), in
the active language: the one way pages say how long ago something happened or how soon
it will, through the ``relative_time`` template filter (``{% load portal %}``).

The units are the project's own strings, one plural per unit with the context
"relative time", so a language whose phrase governs a case gets it right: Russian says
"1 минуту назад", "21 минуту назад", "через 3 дня". A duration on its own (how long a
queue has waited, a median) is not a relative time and stays ``timesince``."""

from datetime import datetime, timedelta

from django.utils import timezone
from django.utils.timesince import timesince
from django.utils.translation import gettext_lazy, npgettext_lazy

UNITS = {
    "year": npgettext_lazy("relative time", "%(num)d year", "%(num)d years", "num"),
    "month": npgettext_lazy("relative time", "%(num)d month", "%(num)d months", "num"),
    "week": npgettext_lazy("relative time", "%(num)d week", "%(num)d weeks", "num"),
    "day": npgettext_lazy("relative time", "%(num)d day", "%(num)d days", "num"),
    "hour": npgettext_lazy("relative time", "%(num)d hour", "%(num)d hours", "num"),
    "minute": npgettext_lazy("relative time", "%(num)d minute", "%(num)d minutes", "num"),
}
# Translators: %(time)s is a number and a unit, e.g. "5 minutes".
AGO = gettext_lazy("%(time)s ago")
# Translators: %(time)s is a number and a unit, e.g. "3 days".
FROM_NOW = gettext_lazy("in %(time)s")
JUST_NOW = gettext_lazy("just now")


def relative_time(moment: datetime, now: datetime | None = None) -> str:
    """``moment`` relative to ``now`` in its largest whole unit: "2 hours ago",
    "in 3 days"; within a minute either way, "just now"."""
    now = now or timezone.now()
    if abs(now - moment) < timedelta(minutes=1):
        return str(JUST_NOW)
    if moment < now:
        return AGO % {"time": timesince(moment, now, time_strings=UNITS, depth=1)}
    return FROM_NOW % {"time": timesince(now, moment, time_strings=UNITS, depth=1)}
