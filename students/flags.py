"""At-risk flags once raised: who sees them, how their reasons read, and what a mentor
does about them (acknowledge, log outreach, say whether the flag was useful). The
nightly run that raises them is ``flag_runs``."""

from dataclasses import dataclass
from datetime import date, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import (
    CharField,
    Count,
    DurationField,
    ExpressionWrapper,
    F,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
)
from django.db.models.functions import Coalesce, NullIf
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.translation import gettext, ngettext, pgettext
from django.utils.translation import gettext_lazy as _

from mentorship.access import NotAllowed
from mentorship.audit import AuditAction, audit_record
from mentorship.models import Role, User
from mentorship.selectors import current_mentor_assignments, students_visible_to

from .models import (
    FlagOutreach,
    FlagSeverity,
    FlagStatus,
    FlagVerdict,
    RiskFlag,
    flags_queue_order,
)
from .risk.signals import SEVERITY_RANK, SignalName


def flags_visible_to(user: User) -> QuerySet[RiskFlag]:
    """At-risk flags a person may see and act on: those of the students they look
    after, as ``students_visible_to`` says (a mentor their current students, a
    supervisor their team's, staff all). A student never sees a flag, not even their
    own."""
    flags = RiskFlag.objects.all()
    if not user.is_authenticated or not user.is_active or user.role == Role.STUDENT:
        return flags.none()
    if user.role == Role.STAFF:
        # Every flag is a student's, and staff see every student: no subquery needed.
        return flags
    return flags.filter(student__in=students_visible_to(user).values("pk"))


def flag_for_user(user: User, pk: int) -> RiskFlag:
    """One flag this person may see (``flags_visible_to``), with its student; 404
    otherwise."""
    return get_object_or_404(
        flags_visible_to(user).select_related("student", "acknowledged_by"), pk=pk
    )


def may_act_on_flag(user: User, *, flag: RiskFlag) -> bool:
    """Whether this person acknowledges the flag, logs outreach and gives a verdict:
    the student's current mentor, that mentor's supervisor, staff."""
    return flags_visible_to(user).filter(pk=flag.pk).exists()


def flags_open_queue(flags: QuerySet[RiskFlag]) -> QuerySet[RiskFlag]:
    """Open flags as a queue: oldest unacknowledged first, then the acknowledged
    ones, oldest first (the ``riskflag_open_queue_idx`` order). Each carries its
    student, who acknowledged it, ``mentor_id`` and ``mentor_name`` (the student's
    current mentor), ``outreach_count`` and ``open_for`` (a duration: today, in the
    viewer's time zone, less the day it opened). One query."""
    current_mentor = current_mentor_assignments().filter(student=OuterRef("student"))
    outreach = (
        FlagOutreach.objects.filter(flag=OuterRef("pk"))
        .order_by()
        .values("flag")
        .annotate(count=Count("pk"))
        .values("count")
    )
    return flags_in_queue_order(
        flags.filter(status=FlagStatus.OPEN)
        .select_related("student", "acknowledged_by")
        .annotate(
            mentor_id=Subquery(current_mentor.values("mentor_id")[:1]),
            mentor_name=Subquery(
                current_mentor.annotate(
                    name=Coalesce(
                        NullIf("mentor__display_name", Value("")),
                        "mentor__email",
                        output_field=CharField(),
                    )
                ).values("name")[:1]
            ),
            outreach_count=Coalesce(Subquery(outreach), 0),
            open_for=ExpressionWrapper(
                Value(timezone.localdate()) - F("opened_on"), output_field=DurationField()
            ),
        )
    )


def flags_in_queue_order(flags: QuerySet[RiskFlag]) -> QuerySet[RiskFlag]:
    """The order people work through flags in: oldest unacknowledged first, then the
    acknowledged ones, oldest first (``riskflag_open_queue_idx``)."""
    return flags.order_by(*flags_queue_order())


def flags_open_counts(user: User) -> dict[str, int]:
    """How many open flags this person may see (``open``), and how many of them
    nobody has acknowledged yet (``unacknowledged``). One query."""
    return (
        flags_visible_to(user)
        .filter(status=FlagStatus.OPEN)
        .aggregate(
            open=Count("pk"),
            unacknowledged=Count("pk", filter=Q(acknowledged_at__isnull=True)),
        )
    )


def flags_needing_attention(flags: QuerySet[RiskFlag]) -> QuerySet[RiskFlag]:
    """Open flags nobody has looked at since they last changed: new ones not
    acknowledged yet, and acknowledged ones the nightly run worsened since (a raised
    severity asks for the mentor's time again)."""
    return flags.filter(status=FlagStatus.OPEN).filter(
        Q(acknowledged_at__isnull=True) | Q(worsened_at__gt=F("acknowledged_at"))
    )


def student_flag(user: User, *, student: User) -> RiskFlag | None:
    """The flag the student's file shows this person: the open one, otherwise the
    latest resolved one; None when there is none or this person may not see flags
    (a student). Its outreach log, oldest first, with who did it, is on
    ``flag.outreach_log``. Two queries (one when there is no flag)."""
    # "open" sorts before "resolved".
    flag = (
        flags_visible_to(user)
        .filter(student=student)
        .select_related("student", "acknowledged_by")
        .order_by("status", "-opened_on", "-pk")
        .first()
    )
    if flag is not None:
        flag.outreach_log = list(flag.outreach.select_related("mentor"))
    return flag


def _number(value) -> str:
    """A number as the reader writes it: 1.5 → "1,5" in Russian, 2.0 → "2"."""
    value = float(value)
    if value.is_integer():
        return number_format(int(value))
    return number_format(round(value, 1), decimal_pos=1)


def _level(severity: str) -> str:
    # The level word inside a reason's sentence, in lower case: "(red from 14)".
    if severity == FlagSeverity.RED:
        return pgettext("at-risk flag level in a sentence", "red")
    return pgettext("at-risk flag level in a sentence", "amber")


@dataclass(frozen=True)
class Reason:
    """One stored reason of a flag (``Signal.as_reason``), read out as a sentence in
    the language active when ``sentence`` is read (the reader's, at display time)."""

    signal: str
    severity: str
    observed: float
    threshold: float
    baseline: float | None = None
    project: str = ""
    # The level its threshold is of, when shown at another, and why ("budget", "rule").
    crossed: str | None = None
    because: str = ""
    # The peers' activity, as a percentage of their usual, when they were quiet too.
    cohort: float | None = None
    # "value": an activity drop measured by the values the platform's events carry.
    measure: str = ""

    @classmethod
    def from_stored(cls, reason: dict) -> "Reason":
        return cls(
            signal=reason.get("signal", ""),
            severity=reason.get("severity", ""),
            observed=reason.get("observed") or 0,
            threshold=reason.get("threshold") or 0,
            baseline=reason.get("baseline"),
            project=reason.get("project") or "",
            crossed=reason.get("crossed"),
            because=reason.get("because", ""),
            cohort=reason.get("cohort"),
            measure=reason.get("measure", ""),
        )

    @property
    def sentence(self) -> str:
        said = self._sentence()
        if self.cohort is not None and self.signal == SignalName.INACTIVITY:
            said += " " + gettext(
                "Their cohort was quiet too (%(cohort)s %% of its usual activity), so those "
                "quiet days are not counted."
            ) % {"cohort": _number(self.cohort)}
        elif self.cohort is not None and self.signal == SignalName.ACTIVITY_DROP:
            said += " " + gettext(
                "Judged against their peers, who were at %(cohort)s %% of their usual activity."
            ) % {"cohort": _number(self.cohort)}
        if self.crossed is None:
            return said
        if self.because == "budget":
            why = gettext("Shown amber: the programme’s red flags went to students more at risk.")
        elif self.severity == FlagSeverity.RED:
            why = gettext("Red by the rule calibrated on the school’s history.")
        else:
            why = gettext(
                "Shown amber: by the rule calibrated on the school’s history, this is not red "
                "on its own."
            )
        return f"{said} {why}"

    def _sentence(self) -> str:
        observed, threshold = self.observed, self.threshold
        count = int(observed)
        # The level of the threshold crossed, whatever the level shown.
        level = _level(self.crossed or self.severity)
        if self.signal == SignalName.INACTIVITY:
            return ngettext(
                "No activity for %(days)d day (%(level)s from %(threshold)s).",
                "No activity for %(days)d days (%(level)s from %(threshold)s).",
                count,
            ) % {"days": count, "level": level, "threshold": _number(threshold)}
        if self.signal == SignalName.ACTIVITY_DROP:
            percent = round(100 * observed / self.baseline) if self.baseline else 0
            if self.measure == "value":
                return gettext(
                    "Activity has fallen to %(observed)s a week by the learning platform’s "
                    "measure (minutes, clicks or pages), %(percent)d %% of their usual "
                    "%(baseline)s (%(level)s below %(threshold)s %%)."
                ) % {
                    "observed": _number(observed),
                    "percent": percent,
                    "baseline": _number(self.baseline or 0),
                    "level": level,
                    "threshold": _number(threshold),
                }
            return gettext(
                "Activity has fallen to %(observed)s events a week, %(percent)d %% of their "
                "usual %(baseline)s (%(level)s below %(threshold)s %%)."
            ) % {
                "observed": _number(observed),
                "percent": percent,
                "baseline": _number(self.baseline or 0),
                "level": level,
                "threshold": _number(threshold),
            }
        if self.signal == SignalName.STALLED_PROJECT:
            if not self.baseline:
                return ngettext(
                    "Project “%(project)s” open for %(days)d day with nothing submitted "
                    "(more than %(limit)s days).",
                    "Project “%(project)s” open for %(days)d days with nothing submitted "
                    "(more than %(limit)s days).",
                    count,
                ) % {"project": self.project, "days": count, "limit": _number(threshold)}
            return ngettext(
                "Project “%(project)s” open for %(days)d day with nothing submitted "
                "(more than %(factor)s × its %(target)s target days).",
                "Project “%(project)s” open for %(days)d days with nothing submitted "
                "(more than %(factor)s × its %(target)s target days).",
                count,
            ) % {
                "project": self.project,
                "days": count,
                "factor": _number(threshold / self.baseline),
                "target": _number(self.baseline),
            }
        if self.signal == SignalName.BEHIND_PLAN:
            return ngettext(
                "%(days)d day behind plan (more than %(threshold)s).",
                "%(days)d days behind plan (more than %(threshold)s).",
                count,
            ) % {"days": count, "threshold": _number(threshold)}
        if self.signal == SignalName.MISSED_SESSIONS:
            return ngettext(
                "Missed %(count)d session recently (a flag from %(threshold)s).",
                "Missed %(count)d sessions recently (a flag from %(threshold)s).",
                count,
            ) % {"count": count, "threshold": _number(threshold)}
        if self.signal == SignalName.STRUGGLING:
            return ngettext(
                "%(count)d request for changes on “%(project)s” (a flag from %(threshold)s).",
                "%(count)d requests for changes on “%(project)s” (a flag from %(threshold)s).",
                count,
            ) % {"count": count, "project": self.project, "threshold": _number(threshold)}
        return gettext("%(signal)s: %(observed)s (threshold %(threshold)s).") % {
            "signal": self.signal,
            "observed": _number(observed),
            "threshold": _number(threshold),
        }


def flag_reasons(flag: RiskFlag) -> list[Reason]:
    """A flag's reasons, worst first, each able to say itself as a sentence."""
    reasons = [Reason.from_stored(reason) for reason in flag.reasons or []]
    return sorted(reasons, key=lambda reason: -SEVERITY_RANK.get(reason.severity, 0))


def flag_reason_sentences(flag: RiskFlag) -> list[str]:
    """The reasons of a flag as sentences in the active language, worst first."""
    return [reason.sentence for reason in flag_reasons(flag)]


def flag_activity_since(flag: RiskFlag, *, last_active_on: date | None) -> date | None:
    """The student's last active day (``mentorship.activity.last_active_on``) when the
    flag's reasons could not know of it: after the day they speak of
    (``RiskFlag.reasons_as_of``) or, for inactivity, after the last active day the
    reason counts its days from. None when the reasons and the activity agree. The
    student's file says so beside the reasons, so "no activity for 23 days" never
    stands unexplained above yesterday's submission."""
    if last_active_on is None:
        return None
    known_until = flag.reasons_as_of
    for reason in flag_reasons(flag):
        if reason.signal == SignalName.INACTIVITY:
            idle_from = flag.reasons_as_of - timedelta(days=int(reason.observed))
            known_until = min(known_until, idle_from)
    return last_active_on if last_active_on > known_until else None


def reengagement_judged() -> QuerySet[RiskFlag]:
    """Flags whose recovery has been judged (the window after the first outreach is
    over), each with ``outreach_mentor_id``: the mentor who reached out first, whom the
    flag counts for. The one rule behind the re-engagement rate here and the
    scorecard's figure."""
    first_outreach = (
        FlagOutreach.objects.filter(flag=OuterRef("pk")).order_by("at", "pk").values("mentor")[:1]
    )
    return RiskFlag.objects.filter(recovered__isnull=False).annotate(
        outreach_mentor_id=Subquery(first_outreach)
    )


def reengagement_rates(*, mentor_ids) -> dict[int, dict]:
    """Per mentor: of the flags whose recovery has been judged (``reengagement_judged``),
    how many students recovered, and the rate. One query; mentors with none get zeros
    and no rate."""
    rows = (
        reengagement_judged()
        .filter(outreach_mentor_id__in=mentor_ids)
        .values(mentor_id=F("outreach_mentor_id"))
        .annotate(
            judged=Count("pk"),
            recovered_count=Count("pk", filter=Q(recovered=True)),
        )
        .order_by()
    )
    rates = {mentor_id: {"judged": 0, "recovered": 0, "rate": None} for mentor_id in mentor_ids}
    for row in rows:
        rates[row["mentor_id"]] = {
            "judged": row["judged"],
            "recovered": row["recovered_count"],
            "rate": row["recovered_count"] / row["judged"],
        }
    return rates


def _flag_locked(flag: RiskFlag, *, by: User) -> RiskFlag:
    """The flag, locked for the change, after checking that ``by`` may act on it
    (``may_act_on_flag``). Whoever may see a flag may act on it, so a refusal hides
    the flag."""
    if not may_act_on_flag(by, flag=flag):
        raise NotAllowed(hidden=True)
    return RiskFlag.objects.select_for_update().get(pk=flag.pk)


def flag_acknowledge(*, flag: RiskFlag, by: User) -> RiskFlag:
    """The student's current mentor, their supervisor or staff say they have seen an
    open flag: it leaves the top of the queues. Acknowledging it again changes
    nothing (the first person and time are kept)."""
    with transaction.atomic():
        flag = _flag_locked(flag, by=by)
        if flag.acknowledged_at is not None:
            return flag
        if not flag.is_open:
            raise ValidationError(_("This flag is resolved already."))
        flag.acknowledged_at, flag.acknowledged_by = timezone.now(), by
        flag.full_clean()
        flag.save(update_fields=["acknowledged_at", "acknowledged_by"])
        _flag_audit(flag, by=by, action=AuditAction.FLAG_ACKNOWLEDGED, field="acknowledged_at")
    return flag


def _flag_audit(flag: RiskFlag, *, by: User, action: str, field: str, before=None) -> None:
    """Record a mentor's change to a flag in the audit trail: the field it set."""
    audit_record(
        actor=by,
        action=action,
        target=flag,
        before={field: before},
        after={field: getattr(flag, field)},
        subject_id=flag.student_id,
    )


def flag_outreach_log(*, flag: RiskFlag, by: User, kind: str, note: str = "") -> FlagOutreach:
    """Record what was done about an open flag (a message, a call, a session booked).
    The first outreach starts the recovery window: the nightly job later judges
    whether the student's activity recovered within it. Logging outreach
    acknowledges the flag when nobody has yet."""
    with transaction.atomic():
        flag = _flag_locked(flag, by=by)
        if not flag.is_open:
            raise ValidationError(
                _("This flag is resolved already: there is nothing to follow up.")
            )
        outreach = FlagOutreach(flag=flag, mentor=by, kind=kind, note=note.strip())
        limit = FlagOutreach._meta.get_field("note").max_length
        if len(outreach.note) > limit:
            # full_clean() does not hold a TextField to its max_length.
            raise ValidationError(
                {"note": _("Keep the note under %(limit)d characters.") % {"limit": limit}}
            )
        outreach.full_clean()
        outreach.save()
        fields = []
        if flag.first_outreach_at is None:
            flag.first_outreach_at = outreach.at
            fields.append("first_outreach_at")
        if flag.acknowledged_at is None:
            flag.acknowledged_at, flag.acknowledged_by = outreach.at, by
            fields += ["acknowledged_at", "acknowledged_by"]
        if fields:
            flag.full_clean()
            flag.save(update_fields=fields)
        if "acknowledged_at" in fields:
            _flag_audit(flag, by=by, action=AuditAction.FLAG_ACKNOWLEDGED, field="acknowledged_at")
    return outreach


def flag_verdict_set(*, flag: RiskFlag, by: User, verdict: str) -> RiskFlag:
    """Whether the flag was worth raising: *useful* or *false alarm*, open or
    resolved, changeable later. Feeds the tuning of the thresholds."""
    with transaction.atomic():
        flag = _flag_locked(flag, by=by)
        if verdict not in FlagVerdict.values:
            raise ValidationError({"verdict": _("Choose useful or false alarm.")})
        if flag.verdict == verdict:
            return flag
        before = flag.verdict
        flag.verdict, flag.verdict_at = verdict, timezone.now()
        flag.full_clean()
        flag.save(update_fields=["verdict", "verdict_at"])
        _flag_audit(
            flag, by=by, action=AuditAction.FLAG_VERDICT_SET, field="verdict", before=before
        )
    return flag
