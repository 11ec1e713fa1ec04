"""Flags for the tests of the flag pages and actions: made directly, with stored
reasons as the flagging job writes them (``Signal.as_reason``)."""

from datetime import timedelta

from django.utils import timezone

from students.models import FlagStatus, RiskFlag

INACTIVE_RED = {
    "signal": "inactivity",
    "severity": "red",
    "observed": 16,
    "baseline": None,
    "threshold": 14,
    "project": "",
}
DROP_AMBER = {
    "signal": "activity_drop",
    "severity": "amber",
    "observed": 3.5,
    "baseline": 17.5,
    "threshold": 50,
    "project": "",
}


def make_flag(student, *, severity="red", reasons=None, opened_days_ago=3, **fields) -> RiskFlag:
    """An open flag on ``student`` (resolved when ``resolved_on`` is given)."""
    today = timezone.localdate()
    opened_on = today - timedelta(days=opened_days_ago)
    # The nightly job opens a flag on the day it judges.
    fields.setdefault("created_at", timezone.now() - timedelta(days=opened_days_ago))
    if fields.get("resolved_on"):
        fields.setdefault("status", FlagStatus.RESOLVED)
    return RiskFlag.objects.create(
        student=student,
        severity=severity,
        reasons=[INACTIVE_RED, DROP_AMBER] if reasons is None else reasons,
        opened_on=opened_on,
        evaluated_on=today,
        **fields,
    )
