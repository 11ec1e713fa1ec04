"""The nightly flagging run: opened, judged chunk by chunk (two rounds: the activity
drops wait for their programmes' activity), flags opened, raised or resolved in bulk,
recoveries judged, and each mentor told once in a digest. Every step is safe to repeat."""

import io
import json
from datetime import date, datetime, timedelta

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.db.models import F, OuterRef, Q, Subquery, Sum
from django.db.models.functions import Mod
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy, ngettext_lazy

from mentorship.audit import AuditAction, audit_entry, audit_record_many
from mentorship.models import StudentProfile, User
from mentorship.notifications import NotificationMessage, notifications_send
from mentorship.selectors import current_mentor_assignments

from .models import (
    FlagRun,
    FlagRunChunk,
    FlagRunDigest,
    FlagRunStatus,
    FlagSettings,
    FlagStatus,
    RiskFlag,
)
from .risk.budget import budget_signals, flag_budgets, judged_per_programme, red_cuts
from .risk.judgement import (
    RiskJudgement,
    end_of_day,
    flaggable_student_ids,
    risk_judgement,
    risk_signals,
    students_among,
)
from .risk.signals import (
    SEVERITY_RANK,
    PendingDrop,
    PendingIdle,
    Signal,
    SignalName,
    cohort_activity_add,
    cohort_ratios,
    flag_severity,
)


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
        budgets = flag_budgets(thresholds)
        chunk = FlagRunChunk(run=run, index=index, students=len(student_ids))
        chunk.activity = {str(key): sums for key, sums in judgement.activity.items()}
        chunk.judged = {
            str(programme_id): count
            for programme_id, count in judged_per_programme(judgement.programmes).items()
        }
        # Those whose flag waits: a drop to judge against the programmes' activity, or
        # red signals to rank against the programme's other red students.
        waiting = {
            student_id
            for student_id, found in judgement.signals.items()
            if budgets.of(judgement.programmes[student_id][0]).rule.is_red(found)
        } | judgement.waiting
        chunk.pending = {
            str(student_id): _waiting_entry(judgement, student_id) for student_id in waiting
        }
        if not waiting:
            chunk.settled_at = timezone.now()
        # The others' flags now: amber or none, as the budget shows them.
        signals = {}
        for student_id, found in judgement.signals.items():
            if student_id not in waiting:
                signals[student_id] = budget_signals(
                    found,
                    rank=[],
                    programme_id=judgement.programmes[student_id][0],
                    cuts={},
                    budgets=budgets,
                )
        _flags_apply(
            chunk,
            student_ids=[student_id for student_id in student_ids if student_id not in waiting],
            signals=signals,
            as_of=run.as_of,
            thresholds=thresholds,
        )
        chunk.save()
    return chunk


def _waiting_entry(judgement: RiskJudgement, student_id: int) -> dict:
    """What a chunk keeps of a student whose flag waits for the second round: their
    signals, their first programme, their activity drop's figures if it is to judge,
    and their days idle if their cohort's quiet is to judge."""
    drop = judgement.pending.get(student_id)
    idle = judgement.idle.get(student_id)
    return {
        "programme": judgement.programmes[student_id][0],
        "recent": drop.recent if drop else None,
        "baseline": drop.baseline if drop else None,
        "groups": list(drop.groups) if drop else [],
        "measure": drop.measure if drop else "",
        "idle": idle.idle if idle else None,
        "idle_groups": list(idle.groups) if idle else [],
        "reasons": [signal.as_reason() for signal in judgement.signals.get(student_id, [])],
    }


def _programme(entry: dict) -> int:
    """A waiting student's programme."""
    return entry["programme"]


def _waiting_signals(
    waiting: dict[int, dict], *, cohort: dict[int, float], thresholds: FlagSettings
) -> dict[int, list[Signal]]:
    """The signals of the students a chunk kept waiting (``_waiting_entry``), their
    drops judged against the programmes' activity (``cohort``)."""
    judgement = RiskJudgement(
        signals={
            student_id: [Signal.from_reason(reason) for reason in figures["reasons"]]
            for student_id, figures in waiting.items()
        },
        pending={
            student_id: PendingDrop(
                figures["recent"],
                figures["baseline"],
                tuple(figures["groups"]),
                figures.get("measure", ""),
            )
            for student_id, figures in waiting.items()
            if figures["recent"] is not None
        },
        activity={},
        idle={
            student_id: PendingIdle(figures["idle"], tuple(figures["idle_groups"]))
            for student_id, figures in waiting.items()
            if figures.get("idle") is not None
        },
    )
    return judgement.resolve(cohort=cohort, thresholds=thresholds)


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
    raised, closed = [], []  # for the audit trail
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
                        "reasons_on": as_of,
                        "created_at": now,
                    }
                )
                chunk.opened += 1
                continue
            worsened = SEVERITY_RANK[severity] > SEVERITY_RANK[flag["severity"]]
            chunk.worsened += worsened
            if worsened:
                raised.append((flag, severity))
            changed.append(
                {
                    "id": flag["id"],
                    "severity": severity,
                    "reasons": reasons,
                    "clear_since": None,
                    "worsened_at": now if worsened else flag["worsened_at"],
                    "evaluated_on": as_of,
                    "reasons_on": as_of,
                }
            )
        elif flag is not None:
            clear_since = flag["clear_since"] or as_of
            resolved = (as_of - clear_since).days >= thresholds.resolve_after_clear_days
            chunk.resolved += resolved
            if resolved:
                closed.append(flag)
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
    _flags_audit(chunk, opened=new_flags, raised=raised, resolved=closed, as_of=as_of, now=now)


def _flags_audit(
    chunk: FlagRunChunk,
    *,
    opened: list[dict],
    raised: list[tuple[dict, str]],
    resolved: list[dict],
    as_of: date,
    now: datetime,
) -> None:
    """Record a chunk's flag transitions in the audit trail, set-based: one query for
    the flags' ids and students' names (the new flags' ids are not read back when
    they are written) and one insert, whatever the number of students; nothing when
    no flag opened, rose or resolved."""
    if not (opened or raised or resolved):
        return
    opened_students = [row["student_id"] for row in opened]
    changed_ids = [flag["id"] for flag, _severity in raised] + [flag["id"] for flag in resolved]
    found = list(
        RiskFlag.objects.filter(
            Q(student_id__in=opened_students, status=FlagStatus.OPEN, opened_on=as_of)
            | Q(pk__in=changed_ids)
        ).values("id", "student_id", "student__display_name", "student__email")
    )
    by_id = {row["id"]: row for row in found}
    opened_set = set(opened_students)
    by_student = {row["student_id"]: row for row in found if row["student_id"] in opened_set}
    reason = f"flag run {chunk.run_id}, as of {as_of.isoformat()}"

    def entry(row: dict | None, action: str, before: dict | None, after: dict) -> object:
        target = RiskFlag(pk=row["id"], student_id=row["student_id"]) if row else None
        name = (row["student__display_name"] or row["student__email"]) if row else ""
        return audit_entry(
            actor=None,
            action=action,
            target=target,
            label=f"{name} ({after.get('severity') or after.get('status')})",
            before=before,
            after=after,
            reason=reason,
            subject_id=row["student_id"] if row else None,
            at=now,
        )

    entries = [
        entry(
            by_student.get(values["student_id"]),
            AuditAction.FLAG_OPENED,
            None,
            {"status": FlagStatus.OPEN, "severity": values["severity"]},
        )
        for values in opened
    ]
    entries += [
        entry(
            by_id.get(flag["id"]),
            AuditAction.FLAG_RAISED,
            {"severity": flag["severity"]},
            {"severity": severity},
        )
        for flag, severity in raised
    ]
    entries += [
        entry(
            by_id.get(flag["id"]),
            AuditAction.FLAG_RESOLVED,
            {"status": FlagStatus.OPEN},
            {"status": FlagStatus.RESOLVED, "resolved_on": as_of},
        )
        for flag in resolved
    ]
    audit_record_many(entries)


def flag_run_cohort(*, run: FlagRun) -> list[int] | None:
    """Between the rounds: once every chunk of the run has been judged, sum the
    programmes' activity from their shares (kept on the run as ``cohort``), judge the
    waiting students' drops against it, rank the red ones of each programme and cut
    them to its budget (``red_cuts``, kept as ``red_cuts``), all once; return the
    chunks still to settle (``flag_chunks_settle``); None while chunks are missing."""
    with transaction.atomic():
        run = FlagRun.objects.select_for_update().get(pk=run.pk)
        if run.status == FlagRunStatus.RUNNING:
            shares = list(run.chunk_results.values_list("activity", "judged", "pending"))
            if len(shares) < run.chunks:
                return None
            thresholds = FlagSettings.current()
            activity: dict[str, list[int]] = {}
            judged: dict[int, int] = {}
            for share, students, _waiting in shares:
                cohort_activity_add(activity, share)
                for programme_id, count in students.items():
                    judged[int(programme_id)] = judged.get(int(programme_id), 0) + count
            ratios = cohort_ratios(activity, thresholds)
            budgets = flag_budgets(thresholds)
            candidates: dict[int, list[list]] = {}
            for _share, _students, waiting in shares:
                entries = {int(student_id): figures for student_id, figures in waiting.items()}
                found = _waiting_signals(entries, cohort=ratios, thresholds=thresholds)
                for student_id, signals in found.items():
                    programme_id = _programme(entries[student_id])
                    rule = budgets.of(programme_id).rule
                    if rule.is_red(signals):
                        candidates.setdefault(programme_id, []).append(
                            rule.rank(signals, student_id)
                        )
            cuts = red_cuts(candidates, judged, budgets)
            run.cohort = ratios
            run.red_cuts = {str(programme_id): cut for programme_id, cut in cuts.items()}
            run.status = FlagRunStatus.SETTLING
            run.save(update_fields=["cohort", "red_cuts", "status"])
        return list(
            run.chunk_results.filter(settled_at__isnull=True)
            .order_by("index")
            .values_list("index", flat=True)
        )


def flag_chunks_settle(*, run: FlagRun, indexes: list[int]) -> list[FlagRunChunk]:
    """The second round of a run, for some of its chunks in one transaction: judge
    the drops that waited for the programmes' activity (``flag_run_cohort``), keep red
    within the budget's cut, and bring the waiting students' flags up to date with all
    their signals. Safe to repeat and to overlap: the chunks are locked, and settled
    ones are left alone."""
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
        cohort_text, cuts_text = FlagRun.objects.values_list("cohort", "red_cuts").get(pk=run.pk)
        cohort = dict(cohort_text)
        cuts = {int(programme_id): cut for programme_id, cut in cuts_text.items()}
        budgets = flag_budgets(thresholds)
        waiting = {
            chunk.index: {
                int(student_id): figures for student_id, figures in chunk.pending.items()
            }
            for chunk in unsettled
        }
        _profiles_lock(sorted(student_id for each in waiting.values() for student_id in each))
        now = timezone.now()
        for chunk in unsettled:
            entries = waiting[chunk.index]
            found = _waiting_signals(entries, cohort=cohort, thresholds=thresholds)
            _flags_apply(
                chunk,
                student_ids=sorted(entries),
                signals={
                    student_id: budget_signals(
                        signals,
                        rank=budgets.of(_programme(entries[student_id])).rule.rank(
                            signals, student_id
                        ),
                        programme_id=_programme(entries[student_id]),
                        cuts=cuts,
                        budgets=budgets,
                    )
                    for student_id, signals in found.items()
                },
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
# statement; each with the student's current mentor and name. Who the current mentor
# is comes from ``current_mentor_assignments`` (the rule ``current_mentor`` answers
# from), compiled into the statement as ``a``, not written out again. Table and column
# names come from the models' metadata; every value is a parameter.
FLAG_DIGEST_SQL = """
UPDATE {flag} AS f SET notified_at = %s
FROM ({current_mentors}) AS a, {user} AS u
WHERE f.status = %s AND (f.notified_at IS NULL OR f.worsened_at > f.notified_at)
  AND a.student_id = f.student_id AND u.id = f.student_id
  AND a.mentor_id %% %s = %s
RETURNING f.id, a.mentor_id, u.display_name, u.email
"""


def flag_digest_sql() -> tuple[str, list]:
    """``FLAG_DIGEST_SQL`` with the students' current mentors in it, and that part's
    parameters (to follow the first, the time the flags are marked told). PostgreSQL
    flattens the simple subquery into a join, so the plan is the one of the statement
    written by hand."""
    current_mentors, params = (
        current_mentor_assignments().values("student_id", "mentor_id").query.sql_with_params()
    )
    sql = FLAG_DIGEST_SQL.format(
        flag=RiskFlag._meta.db_table,
        current_mentors=current_mentors,
        user=User._meta.db_table,
    )
    return sql, list(params)


def _flags_mark_told(now: datetime, *, part: int, parts: int) -> list[tuple[int, int, str, str]]:
    """Mark told every open flag that is new or worse since its mentor was last told
    and whose student has a mentor in this part of the mentors (their id modulo
    ``parts``): (flag id, mentor id, the student's display name and e-mail) of each,
    in flag order. On PostgreSQL one ``UPDATE ... RETURNING``
    finds and marks them (a first run tells mentors of tens of thousands of flags: a
    locking ``SELECT`` and an update by id spent twice as long); a concurrent digest
    waits on the rows and then skips those it finds told."""
    if connection.vendor == "postgresql":
        sql, current_mentor_params = flag_digest_sql()
        with connection.cursor() as cursor:
            cursor.execute(sql, [now, *current_mentor_params, FlagStatus.OPEN, parts, part])
            return sorted(cursor.fetchall())
    current_mentor = current_mentor_assignments().filter(student=OuterRef("student"))
    untold = list(
        RiskFlag.objects.select_for_update(of=("self",))
        .filter(status=FlagStatus.OPEN)
        .filter(Q(notified_at__isnull=True) | Q(worsened_at__gt=F("notified_at")))
        .annotate(mentor_id=Subquery(current_mentor.values("mentor_id")[:1]))
        .filter(mentor_id__isnull=False)
        .alias(part=Mod("mentor_id", parts))
        .filter(part=part)
        .order_by("pk")
        .values_list("pk", "mentor_id", "student__display_name", "student__email")
    )
    flag_ids = [row[0] for row in untold]
    for start in range(0, len(flag_ids), 5000):
        RiskFlag.objects.filter(pk__in=flag_ids[start : start + 5000]).update(notified_at=now)
    return untold


@transaction.atomic
def flag_digests_send(*, part: int = 0, parts: int = 1) -> int:
    """One notification per mentor (of this part of the mentors: their id modulo
    ``parts``) listing their students' open flags that are new or worse since the
    mentor was last told; marks them told. Returns mentors told. Each notification
    keeps its message and the count and names, and is read in its reader's language
    (a first run tells thousands of mentors, in one insert)."""
    names_by_mentor: dict[int, list[str]] = {}
    told = _flags_mark_told(timezone.now(), part=part, parts=parts)
    for _flag_id, mentor_id, display_name, email in told:
        names_by_mentor.setdefault(mentor_id, []).append(display_name or email)
    mentors = User.objects.only("language", "email_notifications", "is_active").in_bulk(
        list(names_by_mentor)
    )
    url = reverse("students:flag_list")
    messages = [
        NotificationMessage(
            user=mentors[mentor_id],
            kind="risk_flags",
            title=FLAG_DIGEST_TITLE,
            body=FLAG_DIGEST_BODY,
            url=url,
            params={"count": len(names), "names": ", ".join(names[:5])},
        )
        for mentor_id, names in names_by_mentor.items()
    ]
    notifications_send(messages=messages)
    return len(names_by_mentor)
