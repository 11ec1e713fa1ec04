"""Writes about students: private notes and incidents. Keyword-only ``<entity>_<verb>``
functions. 1:1 sessions are written by ``sessions``, at-risk flags by ``flags`` (what
the mentor does) and ``flag_runs`` (the nightly run).

Each write on someone's behalf first asks the rule in ``selectors`` whether they may
(``may_read_mentor_notes``, ``may_resolve_incident``...) and raises ``NotAllowed`` when
not: hidden from whoever may not see the student or incident, refused to the others."""

from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from mentorship.access import NotAllowed
from mentorship.models import (
    Role,
    User,
)
from mentorship.notifications import notification_send
from mentorship.selectors import students_visible_to

from .models import (
    Incident,
    IncidentStatus,
    MentorNote,
)
from .selectors import (
    incident_mentors,
    incidents_visible_to,
    may_change_arbitrator,
    may_read_mentor_notes,
    may_resolve_incident,
)


@transaction.atomic
def mentor_note_create(*, author: User, student: User, body: str) -> MentorNote:
    """A private note about a student by someone who looks after them (their mentor,
    the mentor's supervisor, staff). The student never sees it."""
    if not may_read_mentor_notes(author, student=student):
        raise NotAllowed.unless_visible(
            _("Only those who look after a student write notes about them."),
            visible=students_visible_to(author),
            pk=student.pk,
        )
    note = MentorNote(student=student, author=author, body=body.strip())
    note.full_clean()
    note.save()
    return note


# --- Incidents between students -------------------------------------------------------

INCIDENT_RECORDER_ROLES = (Role.MENTOR, Role.SUPERVISOR, Role.STAFF)


def _arbitrator_error(arbitrator: User) -> str | None:
    if not arbitrator.is_active or arbitrator.role == Role.STUDENT:
        return _("Choose an active mentor, supervisor or staff member.")
    return None


def _default_arbitrator(reporter: User) -> User:
    """A mentor's incident goes to their supervisor when they have an active one;
    anyone else arbitrates what they record."""
    if reporter.role == Role.MENTOR:
        profile = getattr(reporter, "mentor_profile", None)
        supervisor = profile.supervisor if profile is not None else None
        if supervisor is not None and supervisor.is_active:
            return supervisor
    return reporter


def _incident_notify(*, incident: Incident, recipients, kind: str, title, params: dict) -> None:
    """Tell each recipient once."""
    told: set[int] = set()
    for user in recipients:
        if user.pk in told:
            continue
        told.add(user.pk)
        notification_send(
            user=user,
            kind=kind,
            title=title,
            url=reverse("students:incident_detail", args=[incident.pk]),
            params=params,
        )


def incident_record(
    *,
    reporter: User,
    title: str,
    description: str,
    occurred_on: date,
    students: list[User],
    arbitrator: User | None = None,
) -> Incident:
    """A mentor, supervisor or staff member records a conflict between two or more
    students, at least one of whom they look after. Without a chosen arbitrator, a
    mentor's supervisor arbitrates (or the reporter, when there is none). The arbitrator
    and the current mentors of the students involved are told; the students never are."""
    if not reporter.is_active or reporter.role not in INCIDENT_RECORDER_ROLES:
        raise NotAllowed(_("Only mentors, supervisors and staff record incidents."))
    involved = list({student.pk: student for student in students}.values())
    errors: dict = {}
    not_students = [str(person) for person in involved if person.role != Role.STUDENT]
    if len(involved) < 2:
        errors["students"] = _("Choose at least two students.")
    elif not_students:
        errors["students"] = _("These people are not students: %(names)s.") % {
            "names": ", ".join(not_students)
        }
    elif not students_visible_to(reporter).filter(pk__in=[s.pk for s in involved]).exists():
        errors["students"] = _("Choose at least one student you look after.")
    if occurred_on is not None and occurred_on > timezone.localdate():
        errors["occurred_on"] = _("The incident cannot have happened in the future.")
    if arbitrator is None:
        arbitrator = _default_arbitrator(reporter)
    elif message := _arbitrator_error(arbitrator):
        errors["arbitrator"] = message
    incident = Incident(
        title=title.strip(),
        description=description.strip(),
        occurred_on=occurred_on,
        reported_by=reporter,
        arbitrator=arbitrator,
    )
    try:
        incident.full_clean()
    except ValidationError as error:
        errors = error.update_error_dict(errors)
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        incident.save()
        incident.students.set(involved)
        params = {"reporter": str(reporter), "title": incident.title}
        if arbitrator.pk != reporter.pk:
            _incident_notify(
                incident=incident,
                recipients=[arbitrator],
                kind="incident_arbitrate",
                title=gettext_lazy("%(reporter)s asks you to arbitrate an incident: %(title)s"),
                params=params,
            )
        _incident_notify(
            incident=incident,
            recipients=incident_mentors(incident=incident).exclude(
                pk__in=[reporter.pk, arbitrator.pk]
            ),
            kind="incident_recorded",
            title=gettext_lazy(
                "%(reporter)s recorded an incident involving your student: %(title)s"
            ),
            params=params,
        )
    return incident


def incident_arbitrator_change(*, incident: Incident, by: User, arbitrator: User) -> Incident:
    """Staff, or a supervisor who may see the incident, hands an open incident to
    another arbitrator, who is told. Choosing the current arbitrator changes nothing."""
    if not may_change_arbitrator(by, incident=incident):
        raise NotAllowed.unless_visible(
            _("Only staff and supervisors change an incident's arbitrator."),
            visible=incidents_visible_to(by),
            pk=incident.pk,
        )
    if message := _arbitrator_error(arbitrator):
        raise ValidationError({"arbitrator": message})
    with transaction.atomic():
        incident = Incident.objects.select_for_update().get(pk=incident.pk)
        if not incident.is_open:
            raise ValidationError(_("A resolved incident keeps its arbitrator; reopen it first."))
        if incident.arbitrator_id == arbitrator.pk:
            return incident
        incident.arbitrator = arbitrator
        incident.full_clean()
        incident.save(update_fields=["arbitrator"])
        if arbitrator.pk != by.pk:
            _incident_notify(
                incident=incident,
                recipients=[arbitrator],
                kind="incident_arbitrate",
                title=gettext_lazy("%(reporter)s asks you to arbitrate an incident: %(title)s"),
                params={"reporter": str(by), "title": incident.title},
            )
    return incident


def _incident_settler_check(user: User, *, incident: Incident) -> None:
    if not may_resolve_incident(user, incident=incident):
        raise NotAllowed.unless_visible(
            _("Only the arbitrator, a supervisor or staff settle an incident."),
            visible=incidents_visible_to(user),
            pk=incident.pk,
        )


def incident_resolve(*, incident: Incident, by: User, resolution: str) -> Incident:
    """The arbitrator, staff or a supervisor who may see the incident writes how it
    ended and closes it. Whoever recorded it and the current mentors of the students
    involved are told (not the person resolving)."""
    _incident_settler_check(by, incident=incident)
    resolution = resolution.strip()
    if not resolution:
        raise ValidationError({"resolution": _("Say how the incident was resolved.")})
    with transaction.atomic():
        incident = Incident.objects.select_for_update().get(pk=incident.pk)
        if not incident.is_open:
            raise ValidationError(_("This incident is already resolved."))
        incident.status = IncidentStatus.RESOLVED
        incident.resolution = resolution
        incident.resolved_at = timezone.now()
        incident.resolved_by = by
        incident.full_clean()
        incident.save(update_fields=["status", "resolution", "resolved_at", "resolved_by"])
        recipients = [
            person
            for person in [incident.reported_by, *incident_mentors(incident=incident)]
            if person.pk != by.pk
        ]
        _incident_notify(
            incident=incident,
            recipients=recipients,
            kind="incident_resolved",
            title=gettext_lazy("%(person)s resolved the incident: %(title)s"),
            params={"person": str(by), "title": incident.title},
        )
    return incident


def incident_reopen(*, incident: Incident, by: User) -> Incident:
    """Whoever may resolve an incident reopens a resolved one: it is open again, with
    no resolver or date. The text of the earlier resolution is kept, shown as the
    previous resolution and offered for editing when it is resolved again; the
    arbitrator is told (unless they reopened it)."""
    _incident_settler_check(by, incident=incident)
    with transaction.atomic():
        incident = (
            Incident.objects.select_for_update().select_related("arbitrator").get(pk=incident.pk)
        )
        if incident.is_open:
            raise ValidationError(_("This incident is open already."))
        incident.status = IncidentStatus.OPEN
        incident.resolved_at = None
        incident.resolved_by = None
        incident.full_clean()
        incident.save(update_fields=["status", "resolved_at", "resolved_by"])
        if incident.arbitrator_id != by.pk:
            _incident_notify(
                incident=incident,
                recipients=[incident.arbitrator],
                kind="incident_reopened",
                title=gettext_lazy("%(person)s reopened the incident: %(title)s"),
                params={"person": str(by), "title": incident.title},
            )
    return incident
