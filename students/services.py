"""Writes about students: private notes, incidents, 1:1 sessions and at-risk flags.
Keyword-only ``<entity>_<verb>`` functions."""

import io
import json
from datetime import date, datetime, timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import F, FilteredRelation, Q, Sum
from django.db.models.functions import Mod
from django.urls import reverse
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext_lazy

from mentorship.activity import activity_record
from mentorship.models import (
    ActivityKind,
    Assignment,
    Role,
    StudentProfile,
    User,
)
from mentorship.notifications import NotificationMessage, notification_send, notifications_send
from mentorship.selectors import students_visible_to

from .models import (
    SESSION_OUTCOMES,
    SESSION_OUTCOMES_AFTER_START,
    FlagOutreach,
    FlagRun,
    FlagRunChunk,
    FlagRunDigest,
    FlagRunStatus,
    FlagSettings,
    FlagStatus,
    FlagVerdict,
    Incident,
    IncidentStatus,
    MentoringSession,
    MentorNote,
    RiskFlag,
    SessionStatus,
)
from .selectors import (
    SEVERITY_RANK,
    PendingDrop,
    RiskJudgement,
    Signal,
    SignalName,
    cohort_activity_add,
    cohort_ratios,
    end_of_day,
    flag_severity,
    flaggable_student_ids,
    incident_mentors,
    may_act_on_flag,
    may_change_arbitrator,
    may_read_mentor_notes,
    may_resolve_incident,
    risk_judgement,
    risk_signals,
    students_among,
)


@transaction.atomic
def mentor_note_create(*, author: User, student: User, body: str) -> MentorNote:
    """A private note about a student by someone who looks after them (their mentor,
    the mentor's supervisor, staff). The student never sees it."""
    if not may_read_mentor_notes(author, student=student):
        raise PermissionDenied
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
        raise PermissionDenied
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
        raise PermissionDenied
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


def incident_resolve(*, incident: Incident, by: User, resolution: str) -> Incident:
    """The arbitrator, staff or a supervisor who may see the incident writes how it
    ended and closes it. Whoever recorded it and the current mentors of the students
    involved are told (not the person resolving)."""
    if not may_resolve_incident(by, incident=incident):
        raise PermissionDenied
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
    if not may_resolve_incident(by, incident=incident):
        raise PermissionDenied
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


# --- At-risk flags --------------------------------------------------------------------


def flag_run_start(
    *, as_of: date, triggered_by: User | None = None, chunk_size: int | None = None
) -> tuple[FlagRun, list[list[int]]]:
    """Open a flagging run as of a day and split the students it judges into chunks
    (see ``flaggable_student_ids``) for workers to take."""
    chunk_size = chunk_size or settings.FLAG_CHUNK_SIZE
    ids = list(flaggable_student_ids(as_of=as_of))
    chunks = [ids[start : start + chunk_size] for start in range(0, len(ids), chunk_size)]
    run = FlagRun.objects.create(
        as_of=as_of, triggered_by=triggered_by, chunks=len(chunks), students=len(ids)
    )
    return run, chunks


def _profiles_lock(student_ids) -> None:
    """Lock these students' profiles, in id order: two runs judging the same students
    queue here, so the second sees the first's flags."""
    list(
        StudentProfile.objects.select_for_update()
        .filter(students_among(student_ids, field="user_id"))
        .order_by("user_id")
        .values_list("pk", flat=True)
    )


def flag_chunk_evaluate(*, run: FlagRun, index: int, student_ids: list[int]) -> FlagRunChunk:
    """The first round of a run, for one chunk of students: judge them as of the run's
    day (``risk_judgement``) and bring their flags up to date in one transaction: open
    a flag for a student with signals and none open; refresh the reasons of an open
    flag and raise its severity when signals worsen; resolve it once signals have
    stayed clear for the configured days. Students whose activity drop depends on
    their programmes' activity wait, with their other signals, for the second round
    (``flag_chunks_settle``); the chunk's share of that activity is kept with it.

    Safe to repeat and to overlap: a chunk retried after it committed finds its
    ``FlagRunChunk`` row and changes nothing; two runs judging the same students
    queue on the students' profile locks, so the second sees the first's flags, and
    the database allows one open flag per student whatever happens."""
    thresholds = FlagSettings.current()
    with transaction.atomic():
        _profiles_lock(student_ids)
        done = FlagRunChunk.objects.filter(run=run, index=index).first()
        if done is not None:
            return done
        judgement = risk_judgement(student_ids=student_ids, as_of=run.as_of, thresholds=thresholds)
        pending = judgement.pending
        chunk = FlagRunChunk(run=run, index=index, students=len(student_ids))
        chunk.activity = {str(key): sums for key, sums in judgement.activity.items()}
        chunk.pending = {
            str(student_id): {
                "recent": drop.recent,
                "baseline": drop.baseline,
                "programmes": list(drop.programmes),
                "reasons": [
                    signal.as_reason() for signal in judgement.signals.get(student_id, [])
                ],
            }
            for student_id, drop in pending.items()
        }
        if not pending:
            chunk.settled_at = timezone.now()
        _flags_apply(
            chunk,
            student_ids=[student_id for student_id in student_ids if student_id not in pending],
            signals=judgement.signals,
            as_of=run.as_of,
            thresholds=thresholds,
        )
        chunk.save()
    return chunk


def _flags_apply(
    chunk: FlagRunChunk,
    *,
    student_ids: list[int],
    signals: dict,
    as_of: date,
    thresholds: FlagSettings,
) -> None:
    """Bring the flags of these students (their profiles locked) up to date with
    their signals as of the day, counting what changed on the chunk."""
    if not student_ids:
        return
    now = timezone.now()
    open_flags = {
        flag["student_id"]: flag
        for flag in RiskFlag.objects.filter(
            students_among(student_ids), status=FlagStatus.OPEN
        ).values("id", "student_id", "severity", "clear_since", "worsened_at", "evaluated_on")
    }
    judged = set(student_ids)
    new_flags, changed = [], []
    # Only students with signals or an open flag have anything to change.
    for student_id in sorted(judged & (signals.keys() | open_flags.keys())):
        found = signals.get(student_id)
        flag = open_flags.get(student_id)
        if flag is not None and flag["evaluated_on"] > as_of:
            continue  # judged on a later day already: never go back in time
        if found:
            severity = flag_severity(found)
            reasons = [signal.as_reason() for signal in found]
            if flag is None:
                new_flags.append(
                    {
                        "student_id": student_id,
                        "severity": severity,
                        "reasons": reasons,
                        "opened_on": as_of,
                        "evaluated_on": as_of,
                        "created_at": now,
                    }
                )
                chunk.opened += 1
                continue
            worsened = SEVERITY_RANK[severity] > SEVERITY_RANK[flag["severity"]]
            chunk.worsened += worsened
            changed.append(
                {
                    "id": flag["id"],
                    "severity": severity,
                    "reasons": reasons,
                    "clear_since": None,
                    "worsened_at": now if worsened else flag["worsened_at"],
                    "evaluated_on": as_of,
                }
            )
        elif flag is not None:
            clear_since = flag["clear_since"] or as_of
            resolved = (as_of - clear_since).days >= thresholds.resolve_after_clear_days
            chunk.resolved += resolved
            changed.append(
                {
                    "id": flag["id"],
                    "clear_since": clear_since,
                    "status": FlagStatus.RESOLVED if resolved else FlagStatus.OPEN,
                    "resolved_on": as_of if resolved else None,
                    "evaluated_on": as_of,
                }
            )
    _flags_insert(new_flags)
    _flags_update(changed)


def flag_run_cohort(*, run: FlagRun) -> list[int] | None:
    """Between the rounds: once every chunk of the run has been judged, sum the
    programmes' activity from their shares (once, kept on the run as ``cohort``) and
    return the chunks whose drops are still to judge (``flag_chunks_settle``); None
    while chunks are missing."""
    with transaction.atomic():
        run = FlagRun.objects.select_for_update().get(pk=run.pk)
        if run.status == FlagRunStatus.RUNNING:
            shares = list(run.chunk_results.values_list("activity", flat=True))
            if len(shares) < run.chunks:
                return None
            activity: dict[int, list[int]] = {}
            for share in shares:
                cohort_activity_add(activity, share)
            ratios = cohort_ratios(activity, FlagSettings.current())
            run.cohort = {str(programme_id): ratio for programme_id, ratio in ratios.items()}
            run.status = FlagRunStatus.SETTLING
            run.save(update_fields=["cohort", "status"])
        return list(
            run.chunk_results.filter(settled_at__isnull=True)
            .order_by("index")
            .values_list("index", flat=True)
        )


def flag_chunks_settle(*, run: FlagRun, indexes: list[int]) -> list[FlagRunChunk]:
    """The second round of a run, for some of its chunks in one transaction: judge
    the drops that waited for the programmes' activity (``flag_run_cohort``) and
    bring those students' flags up to date with all their signals. Safe to repeat and
    to overlap: the chunks are locked, and settled ones are left alone."""
    thresholds = FlagSettings.current()
    with transaction.atomic():
        chunks = list(
            FlagRunChunk.objects.select_for_update()
            .filter(run=run, index__in=indexes)
            .order_by("index")
        )
        unsettled = [chunk for chunk in chunks if chunk.settled_at is None]
        if not unsettled:
            return chunks
        cohort = {
            int(programme_id): ratio
            for programme_id, ratio in FlagRun.objects.values_list("cohort", flat=True)
            .get(pk=run.pk)
            .items()
        }
        waiting = {
            chunk.index: {
                int(student_id): figures for student_id, figures in chunk.pending.items()
            }
            for chunk in unsettled
        }
        _profiles_lock(sorted(student_id for each in waiting.values() for student_id in each))
        now = timezone.now()
        for chunk in unsettled:
            judgement = RiskJudgement(
                signals={
                    student_id: [Signal.from_reason(reason) for reason in figures["reasons"]]
                    for student_id, figures in waiting[chunk.index].items()
                },
                pending={
                    student_id: PendingDrop(
                        figures["recent"], figures["baseline"], tuple(figures["programmes"])
                    )
                    for student_id, figures in waiting[chunk.index].items()
                },
                activity={},
            )
            _flags_apply(
                chunk,
                student_ids=sorted(waiting[chunk.index]),
                signals=judgement.resolve(cohort=cohort, thresholds=thresholds),
                as_of=run.as_of,
                thresholds=thresholds,
            )
            # Kept no longer than needed: a run's chunks stay, as its history.
            chunk.settled_at, chunk.pending = now, {}
        FlagRunChunk.objects.bulk_update(
            unsettled, ["opened", "worsened", "resolved", "settled_at", "pending"]
        )
    return chunks


def flag_run_shares(indexes: list[int]) -> list[list[int]]:
    """The chunks of a run's second round shared out among ``FLAG_PARTS`` tasks."""
    parts = max(1, settings.FLAG_PARTS)
    return [share for share in (indexes[part::parts] for part in range(parts)) if share]


# Rows per statement when flags are written in bulk.
FLAG_WRITE_BATCH = 1000


def _flags_values(rows: list[dict], fields: list) -> tuple[str, list]:
    """``(%s, ...), ...`` for a multi-row ``VALUES`` of these flags (dicts of field
    values, a field's default where one is missing) and its parameters, JSON as
    text."""
    columns = [
        (each.attname, each.get_default(), each.get_internal_type() == "JSONField")
        for each in fields
    ]
    row = "(" + ", ".join(["%s"] * len(fields)) + ")"
    params = []
    for values in rows:
        for name, default, is_json in columns:
            value = values.get(name, default)
            params.append(json.dumps(value) if is_json else value)
    return ", ".join([row] * len(rows)), params


def _flags_insert(rows: list[dict]) -> None:
    """Open these flags (dicts of the same field values; their ids are not read
    back). A first run opens thousands at 100,000 students, and model instances and
    Django's ``bulk_create`` spend most of the time in Python, PostgreSQL most of
    its time parsing a long ``INSERT``; on PostgreSQL a ``COPY`` does the same in a
    fraction of it."""
    if not rows:
        return
    if connection.vendor != "postgresql":
        RiskFlag.objects.bulk_create([RiskFlag(**values) for values in rows], batch_size=200)
        return
    # The fields given, then those that may not be empty, at their defaults (the same
    # text on every line); the rest are left to be NULL.
    given = [field for field in RiskFlag._meta.concrete_fields if field.attname in rows[0]]
    defaults = [
        field
        for field in RiskFlag._meta.concrete_fields
        if not field.primary_key and field.attname not in rows[0] and not field.null
    ]
    converters = [
        (field.attname, _copy_json if field.get_internal_type() == "JSONField" else _copy_text)
        for field in given
    ]
    tail = "".join(
        "\t"
        + (_copy_json if field.get_internal_type() == "JSONField" else _copy_text)(
            field.get_default()
        )
        for field in defaults
    )
    lines = io.StringIO()
    for values in rows:
        lines.write("\t".join([convert(values[name]) for name, convert in converters]))
        lines.write(tail + "\n")
    lines.seek(0)
    names = ", ".join(f'"{field.column}"' for field in [*given, *defaults])
    with connection.cursor() as cursor:
        # Names come from the model's own metadata; the values are data, not SQL.
        cursor.copy_expert(f'COPY "{RiskFlag._meta.db_table}" ({names}) FROM STDIN', lines)


def _copy_text(value) -> str:
    """A value in ``COPY``'s text format: ``\\N`` for NULL, tabs, newlines and
    backslashes escaped."""
    if value is None:
        return "\\N"
    if not isinstance(value, str):
        return value.isoformat() if isinstance(value, date) else str(value)
    if "\\" in value or "\t" in value or "\n" in value or "\r" in value:
        return (
            value.replace("\\", "\\\\")
            .replace("\t", "\\t")
            .replace("\n", "\\n")
            .replace("\r", "\\r")
        )
    return value


def _copy_json(value) -> str:
    """A JSON value in ``COPY``'s text format (JSON text has no raw tabs or newlines,
    only backslashes to escape)."""
    text = json.dumps(value)
    return text.replace("\\", "\\\\") if "\\" in text else text


def _flags_update(rows: list[dict]) -> None:
    """Write the fields given of many flags (dicts of field values with the flag's
    ``id``), one batch per set of fields."""
    batches: dict[tuple, list[dict]] = {}
    for values in rows:
        batches.setdefault(tuple(values), []).append(values)
    for names, batch in batches.items():
        _flags_update_batch(batch, names=[name for name in names if name != "id"])


def _flags_update_batch(rows: list[dict], *, names: list[str]) -> None:
    """Write the same fields of many flags. Most open flags change every night (the
    days of inactivity grow), and Django's ``bulk_update`` builds a CASE expression
    per field and row in Python; on PostgreSQL one ``UPDATE ... FROM (VALUES ...)``
    per thousand flags does the same in a fraction of it."""
    if connection.vendor != "postgresql":
        RiskFlag.objects.bulk_update([RiskFlag(**values) for values in rows], names, 200)
        return
    table = RiskFlag._meta.db_table
    fields = [RiskFlag._meta.get_field(name) for name in ["id", *names]]
    assignments = ", ".join(
        f'"{field.column}" = v."{field.column}"::{field.db_type(connection)}'
        for field in fields[1:]
    )
    columns = ", ".join(f'"{field.column}"' for field in fields)
    for start in range(0, len(rows), FLAG_WRITE_BATCH):
        values, params = _flags_values(rows[start : start + FLAG_WRITE_BATCH], fields)
        # Names come from the model's own metadata; every value is a parameter.
        sql = (
            f'UPDATE "{table}" AS f SET {assignments} '  # noqa: S608
            f'FROM (VALUES {values}) AS v({columns}) WHERE f."id" = v."id"'
        )
        with connection.cursor() as cursor:
            cursor.execute(sql, params)


def flag_recovery_judge(*, as_of: date) -> int:
    """Whether students re-engaged after their mentor reached out: once the recovery
    window after a flag's first outreach has passed, the student recovered if, at the
    end of the window, neither inactivity nor an activity drop showed. The same rule
    as the signals themselves, replayed as of that day. Once per run, for every flag
    whose window ended by ``as_of``; judged flags are not judged again."""
    thresholds = FlagSettings.current()
    window = timedelta(days=thresholds.recovery_window_days)
    pending = list(
        RiskFlag.objects.filter(
            first_outreach_at__isnull=False,
            recovered__isnull=True,
            first_outreach_at__lt=end_of_day(as_of) - window,
        )
    )
    by_day: dict[date, list[RiskFlag]] = {}
    for flag in pending:
        by_day.setdefault(flag.first_outreach_at.date() + window, []).append(flag)
    activity_signals = {SignalName.INACTIVITY, SignalName.ACTIVITY_DROP}
    for day, flags in by_day.items():
        found = risk_signals(
            student_ids=sorted({flag.student_id for flag in flags}),
            as_of=day,
            thresholds=thresholds,
        )
        for flag in flags:
            names = {signal.name for signal in found.get(flag.student_id, [])}
            flag.recovered = not (names & activity_signals)
            flag.recovery_checked_on = day
    RiskFlag.objects.bulk_update(pending, ["recovered", "recovery_checked_on"])
    return len(pending)


def flag_run_tell_parts(*, run: FlagRun) -> list[int] | None:
    """After the second round: once every chunk's drops are judged, add up the run's
    totals, judge recovery after outreach (``flag_recovery_judge``) and split the
    mentors' digests into parts (all once, under a lock on the run); return the
    parts not sent yet (``flag_run_digest_send``). None while chunks are missing or
    have drops to judge."""
    if flag_run_cohort(run=run) != []:
        return None
    with transaction.atomic():
        run = FlagRun.objects.select_for_update().get(pk=run.pk)
        if run.status == FlagRunStatus.FINISHED:
            return []
        if run.status == FlagRunStatus.SETTLING:
            totals = run.chunk_results.aggregate(
                opened=Sum("opened", default=0),
                worsened=Sum("worsened", default=0),
                resolved=Sum("resolved", default=0),
            )
            run.opened, run.worsened, run.resolved = (
                totals["opened"],
                totals["worsened"],
                totals["resolved"],
            )
            flag_recovery_judge(as_of=run.as_of)
            run.digest_parts = max(1, settings.FLAG_PARTS)
            run.status = FlagRunStatus.TELLING
            run.save(update_fields=["opened", "worsened", "resolved", "digest_parts", "status"])
        sent = set(run.digests.values_list("part", flat=True))
        return [part for part in range(run.digest_parts) if part not in sent]


def flag_run_digest_send(*, run: FlagRun, part: int) -> FlagRunDigest:
    """One part of a run's digests: the mentors whose id falls in it are told of
    their students' new and worse flags (``flag_digests_send``). Safe to repeat and to
    overlap: the part's row is written first, so a second sending of the same part
    waits for the first and then finds it sent."""
    with transaction.atomic():
        try:
            with transaction.atomic():
                digest = FlagRunDigest.objects.create(run=run, part=part)
        except IntegrityError:
            return FlagRunDigest.objects.get(run=run, part=part)
        parts = FlagRun.objects.values_list("digest_parts", flat=True).get(pk=run.pk)
        digest.mentors = flag_digests_send(part=part, parts=parts)
        digest.save(update_fields=["mentors"])
    return digest


def flag_run_finish(*, run: FlagRun) -> bool:
    """Once every chunk has committed: whatever is left of the run, here in turn
    (the drops to judge, ``flag_chunks_settle``; the digests, ``flag_run_digest_send``;
    the workers' tasks share them out instead), then the run is marked finished with
    the mentors told. True for the call that finishes it (under a lock on the run);
    False while chunks are missing or once it is finished."""
    unsettled = flag_run_cohort(run=run)
    if unsettled is None:
        return False
    if unsettled:
        flag_chunks_settle(run=run, indexes=unsettled)
    for part in flag_run_tell_parts(run=run) or []:
        flag_run_digest_send(run=run, part=part)
    with transaction.atomic():
        run = FlagRun.objects.select_for_update().get(pk=run.pk)
        if run.status != FlagRunStatus.TELLING:
            return False
        told = list(run.digests.values_list("mentors", flat=True))
        if len(told) < run.digest_parts:
            return False
        run.mentors_notified = sum(told)
        run.status, run.finished_at = FlagRunStatus.FINISHED, timezone.now()
        run.save(update_fields=["mentors_notified", "status", "finished_at"])
    return True


# Built once: a lazy string is a new class each time it is made, which a digest
# to thousands of mentors feels.
FLAG_DIGEST_TITLE = ngettext_lazy(
    "One of your students needs attention",
    "%(count)d of your students need attention",
    "count",
)
FLAG_DIGEST_BODY = gettext_lazy("New or worse at-risk flags: %(names)s.")


# Open flags new or worse since their mentor was last told, marked told in the same
# statement; each with the student's current mentor and name. Table and column names
# come from the models' metadata; every value is a parameter.
FLAG_DIGEST_SQL = """
UPDATE {flag} AS f SET notified_at = %s
FROM {assignment} AS a, {user} AS u
WHERE f.status = %s AND (f.notified_at IS NULL OR f.worsened_at > f.notified_at)
  AND a.student_id = f.student_id AND a.ended_at IS NULL AND u.id = f.student_id
  AND a.mentor_id %% %s = %s
RETURNING f.id, a.mentor_id, u.display_name, u.email
"""


def _flags_mark_told(now: datetime, *, part: int, parts: int) -> list[tuple[int, int, str, str]]:
    """Mark told every open flag that is new or worse since its mentor was last told
    and whose student has a mentor in this part of the mentors (their id modulo
    ``parts``): (flag id, mentor id, the student's display name and e-mail) of each,
    in flag order. On PostgreSQL one ``UPDATE ... RETURNING``
    finds and marks them (a first run tells mentors of tens of thousands of flags: a
    locking ``SELECT`` and an update by id spent twice as long); a concurrent digest
    waits on the rows and then skips those it finds told."""
    if connection.vendor == "postgresql":
        sql = FLAG_DIGEST_SQL.format(
            flag=RiskFlag._meta.db_table,
            assignment=Assignment._meta.db_table,
            user=User._meta.db_table,
        )
        with connection.cursor() as cursor:
            cursor.execute(sql, [now, FlagStatus.OPEN, parts, part])
            return sorted(cursor.fetchall())
    untold = list(
        RiskFlag.objects.select_for_update(of=("self",))
        .filter(status=FlagStatus.OPEN)
        .filter(Q(notified_at__isnull=True) | Q(worsened_at__gt=F("notified_at")))
        .alias(
            mentoring=FilteredRelation(
                "student__mentor_assignments",
                condition=Q(student__mentor_assignments__ended_at__isnull=True),
            )
        )
        .filter(mentoring__isnull=False)
        .alias(part=Mod("mentoring__mentor_id", parts))
        .filter(part=part)
        .order_by("pk")
        .values_list("pk", "mentoring__mentor_id", "student__display_name", "student__email")
    )
    flag_ids = [row[0] for row in untold]
    for start in range(0, len(flag_ids), 5000):
        RiskFlag.objects.filter(pk__in=flag_ids[start : start + 5000]).update(notified_at=now)
    return untold


@transaction.atomic
def flag_digests_send(*, part: int = 0, parts: int = 1) -> int:
    """One notification per mentor (of this part of the mentors: their id modulo
    ``parts``) listing their students' open flags that are new or worse since the
    mentor was last told; marks them told. Returns mentors told. Rendered in each
    mentor's language, each title and the body's wording once per language (a first
    run tells thousands of mentors)."""
    names_by_mentor: dict[int, list[str]] = {}
    told = _flags_mark_told(timezone.now(), part=part, parts=parts)
    for _flag_id, mentor_id, display_name, email in told:
        names_by_mentor.setdefault(mentor_id, []).append(display_name or email)
    mentors = User.objects.only("language", "email_notifications", "is_active").in_bulk(
        list(names_by_mentor)
    )
    by_language: dict[str, list[int]] = {}
    for mentor_id in names_by_mentor:
        by_language.setdefault(mentors[mentor_id].language, []).append(mentor_id)
    url = reverse("students:flag_list")
    messages = []
    for language, mentor_ids in by_language.items():
        with translation.override(language):
            body = str(FLAG_DIGEST_BODY)
            titles: dict[int, str] = {}
            for mentor_id in mentor_ids:
                names = names_by_mentor[mentor_id]
                count = len(names)
                if count not in titles:
                    titles[count] = FLAG_DIGEST_TITLE % {"count": count}
                messages.append(
                    NotificationMessage(
                        user=mentors[mentor_id],
                        kind="risk_flags",
                        title=titles[count],
                        body=body % {"names": ", ".join(names[:5])},
                        url=url,
                    )
                )
    notifications_send(messages=messages)
    return len(names_by_mentor)


# --- At-risk flags: what the mentor does about them -----------------------------------


def _flag_locked(flag: RiskFlag, *, by: User) -> RiskFlag:
    """The flag, locked for the change, after checking that ``by`` may act on it."""
    if not may_act_on_flag(by, flag=flag):
        raise PermissionDenied
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
    return flag


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
    return outreach


def flag_verdict_set(*, flag: RiskFlag, by: User, verdict: str) -> RiskFlag:
    """Whether the flag was worth raising: *useful* or *false alarm*, open or
    resolved, changeable later. Feeds the tuning of the thresholds."""
    if verdict not in FlagVerdict.values:
        raise ValidationError({"verdict": _("Choose useful or false alarm.")})
    with transaction.atomic():
        flag = _flag_locked(flag, by=by)
        if flag.verdict == verdict:
            return flag
        flag.verdict, flag.verdict_at = verdict, timezone.now()
        flag.full_clean()
        flag.save(update_fields=["verdict", "verdict_at"])
    return flag


# --- Mentoring sessions ---------------------------------------------------------------


def _session_time_for(user: User, moment) -> str:
    """``moment`` as ``user`` reads it: in their language, their time zone, named."""
    with translation.override(user.language):
        text = formats.date_format(timezone.localtime(moment, user.zone), "DATETIME_FORMAT")
    return f"{text} ({user.time_zone})"


def _in_language(user: User, function) -> str:
    with translation.override(user.language):
        return str(function())


def _session_notify(*, session: MentoringSession, user: User, kind: str, title, body="") -> None:
    """Tell one of the two people about the session, its time in their own zone. Never
    carries the private notes."""
    notification_send(
        user=user,
        kind=kind,
        title=title,
        body=body,
        url=reverse("students:session_detail", args=[session.pk]),
        params={
            "when": _session_time_for(user, session.scheduled_at),
            "mentor": str(session.mentor),
            "student": str(session.student),
            "outcome": _in_language(user, session.get_status_display),
        },
    )


def session_schedule(
    *,
    mentor: User,
    student: User,
    scheduled_at,
    duration_minutes: int = 45,
    agenda: str = "",
) -> MentoringSession:
    """A mentor books a session with one of their current students, in the future.
    The student is told (in their own time zone)."""
    if mentor.role != Role.MENTOR:
        raise ValidationError(_("Only mentors schedule sessions."))
    if not Assignment.objects.current().filter(student=student, mentor=mentor).exists():
        raise ValidationError({"student": _("Choose one of your current students.")})
    if scheduled_at <= timezone.now():
        raise ValidationError({"scheduled_at": _("Choose a time in the future.")})
    with transaction.atomic():
        session = MentoringSession(
            mentor=mentor,
            student=student,
            scheduled_at=scheduled_at,
            duration_minutes=duration_minutes,
            agenda=agenda.strip(),
        )
        session.full_clean()
        session.save()
        _session_notify(
            session=session,
            user=student,
            kind="session_scheduled",
            title=gettext_lazy("%(mentor)s scheduled a session with you on %(when)s"),
        )
    return session


def _session_locked(session: MentoringSession) -> MentoringSession:
    return (
        MentoringSession.objects.select_for_update()
        .select_related("mentor", "student")
        .get(pk=session.pk)
    )


def session_cancel(*, session: MentoringSession, by: User) -> MentoringSession:
    """The mentor or the student calls off a scheduled session before it starts. A
    student's cancellation records the notice given, in whole hours. The other person
    is told."""
    with transaction.atomic():
        session = _session_locked(session)
        if by.pk not in (session.mentor_id, session.student_id):
            raise ValidationError(_("Only the mentor or the student can cancel a session."))
        if not session.is_scheduled:
            raise ValidationError(_("This session is no longer scheduled."))
        now = timezone.now()
        if session.scheduled_at <= now:
            raise ValidationError(
                _("The session has started; the mentor logs what happened instead.")
            )
        session.cancelled_at = now
        if by.pk == session.mentor_id:
            session.status = SessionStatus.CANCELLED_BY_MENTOR
            session.notice_hours = None
            other = session.student
        else:
            session.status = SessionStatus.CANCELLED_BY_STUDENT
            session.notice_hours = _notice_hours(session.scheduled_at, now)
            other = session.mentor
        session.full_clean()
        session.save(update_fields=["status", "cancelled_at", "notice_hours"])
        _session_notify(
            session=session,
            user=other,
            kind="session_cancelled",
            title=gettext_lazy("The session of %(when)s is cancelled"),
        )
    return session


def _notice_hours(scheduled_at, cancelled_at) -> int:
    return max(0, int((scheduled_at - cancelled_at).total_seconds() // 3600))


def session_log(
    *,
    session: MentoringSession,
    mentor: User,
    status: str,
    private_notes: str = "",
    summary: str = "",
    next_steps: str = "",
    student_cancelled_at=None,
) -> MentoringSession:
    """The mentor records what happened: completed or no-show (only once the start
    time has passed), or a cancellation. For a student's cancellation the mentor says
    when the student told them (default: now) and the notice is computed from it.
    The student is told, and reads the summary and next steps; the private notes are
    never shown to them."""
    if status not in SESSION_OUTCOMES:
        raise ValidationError({"status": _("Choose what happened.")})
    with transaction.atomic():
        session = _session_locked(session)
        if session.mentor_id != mentor.pk:
            raise ValidationError(_("Only the session's mentor can log it."))
        if not session.is_scheduled:
            raise ValidationError(_("This session has already been logged."))
        now = timezone.now()
        if status in SESSION_OUTCOMES_AFTER_START and session.scheduled_at > now:
            raise ValidationError(
                {"status": _("A session can be logged as held or missed only once it has begun.")}
            )
        session.status = status
        session.private_notes = private_notes.strip()
        session.summary = summary.strip()
        session.next_steps = next_steps.strip()
        session.logged_at = now
        session.cancelled_at = None
        session.notice_hours = None
        if status == SessionStatus.CANCELLED_BY_STUDENT:
            told_at = student_cancelled_at or now
            if told_at > now:
                raise ValidationError({"student_cancelled_at": _("This cannot be in the future.")})
            session.cancelled_at = told_at
            session.notice_hours = _notice_hours(session.scheduled_at, told_at)
        elif status == SessionStatus.CANCELLED_BY_MENTOR:
            session.cancelled_at = now
        session.full_clean()
        session.save()
        if status in SESSION_OUTCOMES_AFTER_START:
            activity_record(
                student=session.student,
                kind=(
                    ActivityKind.SESSION_ATTENDED
                    if status == SessionStatus.COMPLETED
                    else ActivityKind.SESSION_MISSED
                ),
                occurred_at=session.scheduled_at,
                key=f"session:{session.pk}",
            )
        _session_notify(
            session=session,
            user=session.student,
            kind="session_logged",
            title=(
                gettext_lazy("Your session of %(when)s: the summary and next steps are ready")
                if status == SessionStatus.COMPLETED
                else gettext_lazy("Your session of %(when)s is logged: %(outcome)s")
            ),
        )
    return session


def session_rate(
    *, session: MentoringSession, student: User, rating: int, comment: str = ""
) -> MentoringSession:
    """The student rates a completed session once, 1 to 5 with a comment; it feeds
    the mentor's satisfaction score. The conditional update makes a second rating
    (even a simultaneous one) fail."""
    if session.student_id != student.pk:
        raise ValidationError(_("Only the session's student can rate it."))
    if session.status != SessionStatus.COMPLETED:
        raise ValidationError(_("Only a session that took place can be rated."))
    if not 1 <= rating <= 5:
        raise ValidationError({"rating": _("Rate the session from 1 to 5.")})
    now = timezone.now()
    with transaction.atomic():
        updated = MentoringSession.objects.filter(
            pk=session.pk, status=SessionStatus.COMPLETED, rating__isnull=True
        ).update(rating=rating, rating_comment=comment.strip(), rated_at=now)
        if not updated:
            raise ValidationError(_("You have already rated this session."))
    session.refresh_from_db()
    return session


def sessions_send_reminders(*, now=None) -> int:
    """Remind both people of each session starting within the next 24 hours, once.
    Each session is claimed with a conditional UPDATE before anyone is told, so two
    overlapping runs (or a redelivered task) send a single reminder. Returns how many
    sessions were reminded."""
    now = now or timezone.now()
    due = MentoringSession.objects.due_for_reminder(now=now, ahead=timedelta(hours=24))
    reminded = 0
    for session in due.select_related("mentor", "student").order_by("scheduled_at"):
        with transaction.atomic():
            claimed = MentoringSession.objects.filter(
                pk=session.pk,
                status=SessionStatus.SCHEDULED,
                reminder_sent_at__isnull=True,
            ).update(reminder_sent_at=now)
            if not claimed:
                continue
            for user in (session.student, session.mentor):
                _session_notify(
                    session=session,
                    user=user,
                    kind="session_reminder",
                    title=gettext_lazy("Reminder: your session on %(when)s"),
                    body=(
                        gettext_lazy("With %(mentor)s.")
                        if user.pk == session.student_id
                        else gettext_lazy("With %(student)s.")
                    ),
                )
            reminded += 1
    return reminded
