"""Writes of mentors' weekly reports and self-development records. Each write on
someone's behalf asks the rule in ``selectors`` first (``may_write_weekly_report``,
``may_delete_development_record``...) and raises ``NotAllowed`` when not."""

from datetime import date

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from mentorship.access import NotAllowed
from mentorship.messages import date_param, translated_param
from mentorship.models import Role, User
from mentorship.notifications import notification_send
from mentorship.selectors import mentor_supervisor

from .models import DevelopmentKind, DevelopmentRecord, WeeklyReport, WeeklyReportStatus
from .selectors import (
    development_records_visible_to,
    may_delete_development_record,
    may_verify_development_records,
    may_write_weekly_report,
    week_bounds,
    weekly_report_figures,
    weekly_reports_visible_to,
)

# --- Self-development -----------------------------------------------------------------


def development_record_add(
    *,
    mentor: User,
    kind: str,
    programme=None,
    title: str = "",
    completed_on=None,
    evidence_url: str = "",
    note: str = "",
) -> DevelopmentRecord:
    """A mentor records a step in their own development: one of our programmes they
    completed as a student (each at most once), another course, or an area of
    expertise. Programmes and courses say when they were completed, never a day after
    today in the mentor's time zone. Staff verify the record later."""
    if mentor.role != Role.MENTOR:
        raise NotAllowed(_("Only mentors record their self-development."))
    if kind not in DevelopmentKind.values:
        raise ValidationError({"kind": _("Choose what you are recording.")})
    title = title.strip()
    if kind == DevelopmentKind.PROGRAMME:
        if programme is None:
            raise ValidationError({"programme": _("Choose the programme you completed.")})
        if title:
            raise ValidationError({"title": _("A programme of ours needs no title.")})
    else:
        if programme is not None:
            raise ValidationError(
                {"programme": _("Only a programme completed as a student names a programme.")}
            )
        if not title:
            raise ValidationError({"title": _("Name the course or the area of expertise.")})
    if completed_on is None and kind != DevelopmentKind.EXPERTISE:
        raise ValidationError({"completed_on": _("Say when you completed it.")})
    today = timezone.localdate(timezone=mentor.zone)
    if completed_on is not None and completed_on > today:
        raise ValidationError({"completed_on": _("This cannot be in the future.")})
    already = {"programme": _("You have already recorded this programme.")}
    if (
        programme is not None
        and DevelopmentRecord.objects.filter(mentor=mentor, programme=programme).exists()
    ):
        raise ValidationError(already)
    record = DevelopmentRecord(
        mentor=mentor,
        kind=kind,
        programme=programme,
        title=title,
        completed_on=completed_on,
        evidence_url=evidence_url.strip(),
        note=note.strip(),
    )
    record.full_clean()
    try:
        with transaction.atomic():
            record.save()
    except IntegrityError as error:
        # The same programme recorded twice at once: the unique constraint decides.
        raise ValidationError(already) from error
    return record


def development_record_delete(*, record: DevelopmentRecord, by: User) -> None:
    """The mentor withdraws one of their records while it is unverified; staff may
    delete any record (a verified one counts in the scorecard until then)."""
    with transaction.atomic():
        # Locked first: whether it is verified decides, and staff may be verifying it.
        record = DevelopmentRecord.objects.select_for_update().get(pk=record.pk)
        if not may_delete_development_record(by, record=record):
            raise NotAllowed.unless_visible(
                _("Only staff delete a verified record, and only its mentor an unverified one."),
                visible=development_records_visible_to(by),
                pk=record.pk,
            )
        record.delete()


def _development_record_for_verification(
    record: DevelopmentRecord, *, by: User
) -> DevelopmentRecord:
    if not may_verify_development_records(by):
        raise NotAllowed.unless_visible(
            _("Only staff verify self-development records."),
            visible=development_records_visible_to(by),
            pk=record.pk,
        )
    return (
        # Lock the record only: the programme is joined on the nullable side.
        DevelopmentRecord.objects.select_for_update(of=("self",))
        .select_related("mentor", "programme")
        .get(pk=record.pk)
    )


def development_record_verify(*, record: DevelopmentRecord, by: User) -> DevelopmentRecord:
    """Staff confirm a record (they saw the certificate or know the expertise): from
    now on it counts in the mentor's scorecard, and the mentor is told. Verifying a
    verified record changes nothing and tells no one."""
    with transaction.atomic():
        record = _development_record_for_verification(record, by=by)
        if record.verified_at is None:
            record.verified_at = timezone.now()
            record.verified_by = by
            record.full_clean()
            record.save(update_fields=["verified_at", "verified_by"])
            notification_send(
                user=record.mentor,
                kind="development_verified",
                title=gettext_lazy("Your self-development record is verified: %(record)s"),
                url=reverse("metrics:development_list"),
                params={
                    "record": translated_param(record.programme, "title")
                    if record.programme_id
                    else record.title
                },
            )
    return record


def development_record_unverify(*, record: DevelopmentRecord, by: User) -> DevelopmentRecord:
    """Staff withdraw a verification given by mistake; the record stops counting in
    the scorecard and its mentor may again delete it."""
    with transaction.atomic():
        record = _development_record_for_verification(record, by=by)
        if record.verified_at is not None:
            record.verified_at = None
            record.verified_by = None
            record.save(update_fields=["verified_at", "verified_by"])
    return record


# --- Weekly reports -------------------------------------------------------------------


def _weekly_report_writer_check(user: User, *, report: WeeklyReport) -> None:
    if not may_write_weekly_report(user, report=report):
        raise NotAllowed.unless_visible(
            _("Only the report's mentor can change or send it."),
            visible=weekly_reports_visible_to(user),
            pk=report.pk,
        )


def _weekly_report_locked(report: WeeklyReport, *, by: User) -> WeeklyReport:
    """The report, locked, if ``by`` is its mentor and it is still a draft."""
    _weekly_report_writer_check(by, report=report)
    report = WeeklyReport.objects.select_for_update().select_related("mentor").get(pk=report.pk)
    if report.is_sent:
        raise ValidationError(_("This report has been sent and can no longer change."))
    return report


def _weekly_report_week(report: WeeklyReport) -> dict:
    """The report's week for a notification: its Monday, in the reader's language."""
    return date_param(report.week_start, "DATE_FORMAT")


def weekly_report_draft(*, mentor: User, week_start: date) -> WeeklyReport:
    """Draft the mentor's report of the week starting on Monday ``week_start`` (a week
    that is over on the mentor's clock), or refresh the figures of a draft; a sent
    report is returned untouched. Safe to repeat and to run on two workers at once:
    the unique (mentor, week) constraint decides who creates it, and only the creator
    tells the mentor the report is ready to complete."""

    if mentor.role != Role.MENTOR:
        raise NotAllowed(_("Only mentors write weekly reports."))
    if week_start.weekday() != 0:
        raise ValidationError({"week_start": _("A report's week starts on a Monday.")})
    now = timezone.now()
    if week_bounds(mentor=mentor, week_start=week_start)[1] > now:
        raise ValidationError({"week_start": _("This week is not over yet.")})
    figures = weekly_report_figures(mentor=mentor, week_start=week_start, now=now)
    with transaction.atomic():
        report = WeeklyReport.objects.filter(mentor=mentor, week_start=week_start).first()
        if report is None:
            try:
                with transaction.atomic():
                    report = WeeklyReport(
                        mentor=mentor, week_start=week_start, figures=figures, drafted_at=now
                    )
                    report.full_clean(validate_constraints=False)
                    report.save()
                    notification_send(
                        user=mentor,
                        kind="weekly_report_drafted",
                        title=gettext_lazy(
                            "Your report for the week of %(week)s is ready to complete"
                        ),
                        body=gettext_lazy(
                            "Add your comments and difficulties, then send it to your supervisor."
                        ),
                        url=reverse("metrics:weekly_report_detail", args=[report.pk]),
                        params={"week": _weekly_report_week(report)},
                    )
                    return report
            except IntegrityError:
                # Another worker drafted it a moment ago: theirs stands.
                report = WeeklyReport.objects.get(mentor=mentor, week_start=week_start)
        WeeklyReport.objects.filter(pk=report.pk, status=WeeklyReportStatus.DRAFT).update(
            figures=figures, drafted_at=now
        )
        report.refresh_from_db()
    return report


def weekly_report_refresh(*, report: WeeklyReport, by: User) -> WeeklyReport:
    """The mentor draws a draft's figures again (a session logged late, say). A sent
    report keeps the figures it was sent with: refreshing it is refused."""
    _weekly_report_writer_check(by, report=report)
    report = WeeklyReport.objects.select_related("mentor").get(pk=report.pk)
    if report.is_sent:
        raise ValidationError(_("This report is sent: its figures stay as they were sent."))
    # weekly_report_draft refreshes drafts only, should it be sent meanwhile.
    return weekly_report_draft(mentor=report.mentor, week_start=report.week_start)


def weekly_report_update(
    *, report: WeeklyReport, by: User, comments: str, difficulties: str
) -> WeeklyReport:
    """The mentor writes their comments and difficulties into a draft."""
    with transaction.atomic():
        report = _weekly_report_locked(report, by=by)
        report.comments = comments.strip()
        report.difficulties = difficulties.strip()
        report.full_clean(validate_constraints=False)
        report.save(update_fields=["comments", "difficulties"])
    return report


def weekly_report_send(
    *,
    report: WeeklyReport,
    by: User,
    comments: str | None = None,
    difficulties: str | None = None,
) -> WeeklyReport:
    """The mentor sends a draft (with the comments and difficulties given, if any):
    the figures are drawn one last time and frozen with it, and the supervisor is
    told in the portal and by e-mail. A mentor with no supervisor may still send;
    staff read it."""

    with transaction.atomic():
        report = _weekly_report_locked(report, by=by)
        now = timezone.now()
        if comments is not None:
            report.comments = comments.strip()
        if difficulties is not None:
            report.difficulties = difficulties.strip()
        report.figures = weekly_report_figures(
            mentor=report.mentor, week_start=report.week_start, now=now
        )
        report.drafted_at = now
        report.status = WeeklyReportStatus.SENT
        report.sent_at = now
        report.full_clean(validate_constraints=False)
        report.save()
        supervisor = mentor_supervisor(mentor=report.mentor)
        if supervisor is not None and supervisor.is_active:
            notification_send(
                user=supervisor,
                kind="weekly_report_sent",
                title=gettext_lazy("%(mentor)s sent their report for the week of %(week)s"),
                url=reverse("metrics:weekly_report_detail", args=[report.pk]),
                params={"mentor": str(report.mentor), "week": _weekly_report_week(report)},
            )
    return report
