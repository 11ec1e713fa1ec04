"""Reads of mentors' weekly reports and self-development, and who may see them."""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.core.cache import cache
from django.db.models import (
    Avg,
    Case,
    Count,
    DurationField,
    ExpressionWrapper,
    F,
    Q,
    QuerySet,
    Value,
    When,
)
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import ngettext_lazy

from knowledge_base.models import CaseDiscussion, ImprovementProposal, ProposalStatus
from knowledge_base.selectors import peer_help_counts
from mentorship.models import Assignment, Role, User
from mentorship.selectors import (
    mentor_load_counts,
    mentors_by_load,
    mentors_visible_to,
    staff_overview,
)
from projects.models import Recommendation, Review, Submission, Verdict
from projects.selectors import students_progress
from students.models import FlagOutreach, MentoringSession, RiskFlag, SessionStatus
from students.selectors import current_progress

from .models import DevelopmentKind, DevelopmentRecord, WeeklyReport, WeeklyReportStatus

# --- The staff home ---------------------------------------------------------------------

# The staff home's figures are the whole school's, each a pass over every user or every
# assignment (a quarter of a second at 100,000 students): taken at most once a minute
# and shown with the time they were taken. Staff all see the same school.
STAFF_HOME_SECONDS = 60
STAFF_HOME_CACHE_KEY = "metrics:staff-home"
# The fullest mentors listed; the rest are on the team dashboard, a page at a time.
STAFF_HOME_MENTORS = 10


@dataclass(frozen=True)
class StaffHomeFigures:
    taken_at: datetime
    overview: dict[str, int]
    load: dict[str, int]
    fullest: list[User]


def staff_home_figures(user: User) -> StaffHomeFigures:
    """Head counts, how many mentors are full, and the fullest mentors (with their
    profiles and supervisors), as of at most ``STAFF_HOME_SECONDS`` ago."""

    def take() -> StaffHomeFigures:
        mentors = mentors_visible_to(user).filter(is_active=True)
        return StaffHomeFigures(
            taken_at=timezone.now(),
            overview=staff_overview(),
            load=mentor_load_counts(mentors),
            fullest=list(mentors_by_load(mentors)[:STAFF_HOME_MENTORS]),
        )

    return cache.get_or_set(STAFF_HOME_CACHE_KEY, take, STAFF_HOME_SECONDS)


# --- Self-development -----------------------------------------------------------------


def development_records_visible_to(user: User) -> QuerySet[DevelopmentRecord]:
    """Self-development records a person may see: a mentor their own, a supervisor
    those of their team's mentors, staff all. Students none."""
    records = DevelopmentRecord.objects.all()
    if not user.is_authenticated or not user.is_active:
        return records.none()
    if user.role == Role.STAFF:
        return records
    if user.role == Role.SUPERVISOR:
        return records.filter(mentor__mentor_profile__supervisor=user)
    if user.role == Role.MENTOR:
        return records.filter(mentor=user)
    return records.none()


def development_record_for_user(user: User, pk: int) -> DevelopmentRecord:
    """One self-development record for this person, with its mentor and programme
    loaded; 404 to outsiders."""
    return get_object_or_404(
        development_records_visible_to(user).select_related("mentor", "programme"), pk=pk
    )


def may_delete_development_record(user: User, *, record: DevelopmentRecord) -> bool:
    """Whether this person may delete the record: staff any (a verified one counts in
    the scorecard until then), its mentor while it is unverified."""
    if not user.is_authenticated or not user.is_active:
        return False
    return user.role == Role.STAFF or (user.pk == record.mentor_id and not record.is_verified)


def may_verify_development_records(user: User) -> bool:
    """Whether this person confirms (or withdraws the confirmation of) records: staff."""
    return user.is_authenticated and user.is_active and user.role == Role.STAFF


def development_records_listed(
    records: QuerySet[DevelopmentRecord],
) -> QuerySet[DevelopmentRecord]:
    """Records in the order of the page: by kind (programmes, courses, expertise), then
    latest completed first; people and programme loaded in the same query."""
    kind_order = Case(
        *(When(kind=kind, then=Value(position)) for position, kind in enumerate(DevelopmentKind)),
        default=Value(len(DevelopmentKind)),
    )
    return records.select_related("mentor", "programme", "verified_by").order_by(
        kind_order, F("completed_on").desc(nulls_last=True), "-created_at", "-pk"
    )


def development_summary(*, mentor_ids) -> dict[int, dict]:
    """Self-development for the mentor scorecard, per mentor: verified programmes of
    ours completed as a student, verified other courses, verified areas of expertise,
    and how many records still await staff's verification. One query; every mentor
    asked about is in the answer, with zeros when they recorded nothing."""
    mentor_ids = list(mentor_ids)
    verified = Q(verified_at__isnull=False)
    rows = (
        DevelopmentRecord.objects.filter(mentor_id__in=mentor_ids)
        .values("mentor_id")
        .annotate(
            programmes=Count("pk", filter=verified & Q(kind=DevelopmentKind.PROGRAMME)),
            courses=Count("pk", filter=verified & Q(kind=DevelopmentKind.COURSE)),
            expertise=Count("pk", filter=verified & Q(kind=DevelopmentKind.EXPERTISE)),
            unverified=Count("pk", filter=Q(verified_at__isnull=True)),
        )
        .order_by()
    )
    summary = {
        mentor_id: {"programmes": 0, "courses": 0, "expertise": 0, "unverified": 0}
        for mentor_id in mentor_ids
    }
    for row in rows:
        summary[row.pop("mentor_id")] = row
    return summary


# --- Weekly reports -------------------------------------------------------------------


def week_bounds(*, mentor: User, week_start: date) -> tuple[datetime, datetime]:
    """The instants the week starting on Monday ``week_start`` begins and ends (end
    excluded) in the mentor's time zone."""
    zone = mentor.zone
    start = datetime.combine(week_start, time.min, tzinfo=zone)
    end = datetime.combine(week_start + timedelta(days=7), time.min, tzinfo=zone)
    return start, end


def last_complete_week_start(mentor: User, now: datetime | None = None) -> date:
    """The Monday of the last week that is over on the mentor's clock at ``now``:
    the Monday before this week's."""
    local_today = (now or timezone.now()).astimezone(mentor.zone).date()
    this_monday = local_today - timedelta(days=local_today.weekday())
    return this_monday - timedelta(days=7)


# What a report says, as opposed to which week it is and where it stands: the lists of
# reports leave it unread.
WEEKLY_REPORT_BODY = ("figures", "comments", "difficulties")


def weekly_reports_visible_to(user: User) -> QuerySet[WeeklyReport]:
    """Weekly reports a person may read: a mentor their own, drafts included; a
    supervisor the sent reports of their team's mentors; staff every sent report.
    Students none. A draft is the mentor's own work in progress."""
    reports = WeeklyReport.objects.all()
    if not user.is_authenticated or not user.is_active:
        return reports.none()
    if user.role == Role.MENTOR:
        return reports.filter(mentor=user)
    sent = reports.filter(status=WeeklyReportStatus.SENT)
    if user.role == Role.STAFF:
        return sent
    if user.role == Role.SUPERVISOR:
        return sent.filter(mentor__mentor_profile__supervisor=user)
    return reports.none()


def weekly_report_for_user(user: User, pk: int) -> WeeklyReport:
    """One weekly report for this person, with its mentor loaded; 404 to outsiders."""
    return get_object_or_404(weekly_reports_visible_to(user).select_related("mentor"), pk=pk)


def may_write_weekly_report(user: User, *, report: WeeklyReport) -> bool:
    """Whether this person completes, refreshes and sends the report: its mentor
    (while it is a draft: that is the report's state, ``WeeklyReport.is_sent``)."""
    return user.is_authenticated and user.pk == report.mentor_id


def _name(display_name: str, email: str) -> str:
    return display_name or email


def _week_students(*, mentor: User, start: datetime, end: datetime) -> dict:
    """Students: how many the mentor had when the week ended, how many joined and
    left them during it (from the assignment history), and who of those at the end is
    behind plan (progress as of when the figures are drawn)."""

    history = Assignment.objects.filter(mentor=mentor)
    moves = history.aggregate(
        assigned=Count("pk", filter=Q(started_at__gte=start, started_at__lt=end)),
        left=Count("pk", filter=Q(ended_at__gte=start, ended_at__lt=end)),
    )
    at_end = list(
        history.filter(started_at__lt=end)
        .filter(Q(ended_at__isnull=True) | Q(ended_at__gte=end))
        .values_list("student_id", "student__display_name", "student__email")
        .order_by("student__display_name", "student__email")
        .distinct()
    )
    progress = students_progress(student_ids=[row[0] for row in at_end])
    behind = []
    for student_id, display_name, email in at_end:
        current = current_progress(progress.get(student_id, []))
        if current is not None and current.is_behind:
            behind.append(
                {
                    "id": student_id,
                    "name": _name(display_name, email),
                    "programme": current.enrolment.programme.title,
                    "projects_behind": current.projects_behind,
                    "days_behind": current.days_behind,
                }
            )
    return {
        "current": len({row[0] for row in at_end}),
        "assigned": moves["assigned"],
        "left": moves["left"],
        "behind_plan": behind,
        "student_ids": sorted({row[0] for row in at_end}),
    }


def _week_sessions(*, mentor: User, start: datetime, end: datetime, now: datetime) -> dict:
    """Sessions that were to start during the week, by outcome; those still waiting
    to be logged although their start has passed; the average rating students gave
    the week's sessions; and the sessions booked for the following week. One query."""
    next_end = end + (end - start)
    in_week = Q(scheduled_at__gte=start, scheduled_at__lt=end)
    outcomes = [status for status in SessionStatus if status != SessionStatus.SCHEDULED]
    totals = MentoringSession.objects.filter(
        mentor=mentor, scheduled_at__gte=start, scheduled_at__lt=next_end
    ).aggregate(
        total=Count("pk", filter=in_week),
        unlogged=Count(
            "pk",
            filter=in_week & Q(status=SessionStatus.SCHEDULED, scheduled_at__lte=now),
        ),
        average_rating=Avg("rating", filter=in_week),
        ratings=Count("rating", filter=in_week),
        next_week=Count("pk", filter=Q(scheduled_at__gte=end, status=SessionStatus.SCHEDULED)),
        **{status.value: Count("pk", filter=in_week & Q(status=status)) for status in outcomes},
    )
    average = totals["average_rating"]
    return {
        "total": totals["total"],
        "by_outcome": {status.value: totals[status.value] for status in outcomes},
        "unlogged": totals["unlogged"],
        "average_rating": round(average, 2) if average is not None else None,
        "ratings": totals["ratings"],
        "next_week": totals["next_week"],
    }


def _week_reviews(*, mentor: User, start: datetime, end: datetime, student_ids: list[int]) -> dict:
    """Reviews the mentor posted during the week by verdict, the average time from
    submission to review in hours, and the submissions of the mentor's students (at
    the end of the week) that were still waiting for a review when it ended."""

    totals = Review.objects.filter(
        reviewer=mentor, created_at__gte=start, created_at__lt=end
    ).aggregate(
        total=Count("pk"),
        approved=Count("pk", filter=Q(verdict=Verdict.APPROVED)),
        changes_requested=Count("pk", filter=Q(verdict=Verdict.CHANGES_REQUESTED)),
        turnaround=Avg(
            ExpressionWrapper(
                F("created_at") - F("submission__submitted_at"), output_field=DurationField()
            )
        ),
    )
    waiting = (
        Submission.objects.filter(student_id__in=student_ids, submitted_at__lt=end)
        .filter(Q(reviewed_at__isnull=True) | Q(reviewed_at__gte=end))
        .count()
    )
    turnaround = totals["turnaround"]
    return {
        "total": totals["total"],
        "approved": totals["approved"],
        "changes_requested": totals["changes_requested"],
        "average_turnaround_hours": (
            round(turnaround.total_seconds() / 3600, 1) if turnaround is not None else None
        ),
        "waiting_at_end": waiting,
    }


def weekly_report_flags(
    *, mentor: User, start: datetime, end: datetime, students: dict, student_ids: list[int]
) -> dict:
    """The report's "at risk" section: the students behind plan, and the at-risk flags
    of the mentor's students: opened and resolved during the week, outreach the mentor
    logged, and those still open at the end of the week (oldest first). Two queries."""

    first_day, after = start.date(), end.date()
    flags = list(
        RiskFlag.objects.filter(student_id__in=student_ids, opened_on__lt=after)
        .filter(Q(resolved_on__isnull=True) | Q(resolved_on__gte=first_day))
        .select_related("student")
        .order_by("opened_on", "pk")
    )
    still_open = [
        {
            "id": flag.pk,
            "student_id": flag.student_id,
            "name": str(flag.student),
            "severity": flag.severity,
            "opened_on": flag.opened_on.isoformat(),
            "acknowledged": flag.acknowledged_at is not None and flag.acknowledged_at < end,
        }
        for flag in flags
        if flag.resolved_on is None or flag.resolved_on >= after
    ]
    return {
        "behind_plan": students["behind_plan"],
        "opened": sum(1 for flag in flags if flag.opened_on >= first_day),
        "resolved": sum(
            1 for flag in flags if flag.resolved_on is not None and flag.resolved_on < after
        ),
        "outreach": FlagOutreach.objects.filter(
            flag__student_id__in=student_ids, mentor=mentor, at__gte=start, at__lt=end
        ).count(),
        "open_at_end": still_open,
    }


def _week_contributions(*, mentor: User, start: datetime, end: datetime) -> dict:
    """What the mentor gave beyond their students during the week: improvement
    proposals filed and decisions received on theirs, cases raised, peer help (replies
    on other mentors' cases) and programmes or courses recommended."""

    filed, decided = [], []
    for pk, title, status, created_at, decided_at in (
        ImprovementProposal.objects.filter(author=mentor)
        .filter(
            Q(created_at__gte=start, created_at__lt=end)
            | Q(decided_at__gte=start, decided_at__lt=end)
        )
        .order_by("created_at", "pk")
        .values_list("pk", "title", "status", "created_at", "decided_at")
    ):
        row = {"id": pk, "title": title, "status": status}
        if start <= created_at < end:
            filed.append(row)
        if decided_at is not None and start <= decided_at < end:
            decided.append(row)
    cases = [
        {"id": pk, "title": title}
        for pk, title in CaseDiscussion.objects.filter(
            author=mentor, created_at__gte=start, created_at__lt=end
        )
        .order_by("created_at", "pk")
        .values_list("pk", "title")
    ]
    return {
        "proposals_filed": filed,
        "proposal_decisions": decided,
        "cases_raised": cases,
        "peer_help_replies": peer_help_counts(mentor_ids=[mentor.pk], since=start, until=end).get(
            mentor.pk, 0
        ),
        "recommendations": Recommendation.objects.filter(
            mentor=mentor, created_at__gte=start, created_at__lt=end
        ).count(),
    }


def weekly_report_figures(*, mentor: User, week_start: date, now: datetime | None = None) -> dict:
    """The figures of a mentor's week, as a JSON-ready snapshot for their weekly
    report: students, sessions, reviews, at-risk students, proposals and community.
    A constant number of queries (about a dozen) whatever the number of students."""
    now = now or timezone.now()
    start, end = week_bounds(mentor=mentor, week_start=week_start)
    students = _week_students(mentor=mentor, start=start, end=end)
    student_ids = students.pop("student_ids")
    return {
        "week": {
            "start": week_start.isoformat(),
            "end": (week_start + timedelta(days=6)).isoformat(),
            "time_zone": mentor.zone.key,
        },
        "students": students,
        "sessions": _week_sessions(mentor=mentor, start=start, end=end, now=now),
        "reviews": _week_reviews(mentor=mentor, start=start, end=end, student_ids=student_ids),
        "flags": weekly_report_flags(
            mentor=mentor, start=start, end=end, students=students, student_ids=student_ids
        ),
        "community": _week_contributions(mentor=mentor, start=start, end=end),
    }


def weekly_report_weeks(user: User, *, limit: int = 52) -> list[date]:
    """The weeks a supervisor or staff member can pick on the reports page: those any
    visible mentor has a report for (drafts included: that a draft exists is no
    secret), newest first; the viewer's last complete week when there are none."""
    weeks = list(
        WeeklyReport.objects.filter(mentor__in=mentors_visible_to(user))
        .order_by("-week_start")
        .values_list("week_start", flat=True)
        .distinct()[:limit]
    )
    return weeks or [last_complete_week_start(user)]


@dataclass(frozen=True)
class WeeklyReportRow:
    """One mentor on the supervisor's page for a week, with their report if sent."""

    mentor: User
    report: WeeklyReport | None


def weekly_report_mentors(user: User, *, week: date) -> QuerySet[User]:
    """Mentors who belong on the reports page of ``week`` for this person: the active
    ones they may see, and any other who sent a report that week."""
    sent = Q(weekly_reports__week_start=week, weekly_reports__status=WeeklyReportStatus.SENT)
    return (
        mentors_visible_to(user)
        .filter(Q(is_active=True) | sent)
        .distinct()
        .order_by("display_name", "email", "pk")
    )


def weekly_report_rows(user: User, *, week: date, mentors) -> list[WeeklyReportRow]:
    """A row per mentor of ``mentors`` (a page of them) with the sent report of
    ``week`` this person may read, if any: one query for the reports."""
    mentors = list(mentors)
    reports = {
        report.mentor_id: report
        for report in weekly_reports_visible_to(user)
        .filter(
            week_start=week,
            status=WeeklyReportStatus.SENT,
            mentor_id__in=[mentor.pk for mentor in mentors],
        )
        .defer(*WEEKLY_REPORT_BODY)
    }
    return [WeeklyReportRow(mentor, reports.get(mentor.pk)) for mentor in mentors]


# The weekly report's counters: each its own phrase with the number in it, so every
# language can agree the words with the number ("2 встречи проведены", "5 встреч
# проведено"); the statuses' labels are names, not counters.
SESSION_OUTCOME_COUNTERS = {
    SessionStatus.SCHEDULED: ngettext_lazy(
        "%(count)d session still scheduled", "%(count)d sessions still scheduled", "count"
    ),
    SessionStatus.COMPLETED: ngettext_lazy(
        "%(count)d session held", "%(count)d sessions held", "count"
    ),
    SessionStatus.STUDENT_NO_SHOW: ngettext_lazy(
        "%(count)d session missed by the student",
        "%(count)d sessions missed by the student",
        "count",
    ),
    SessionStatus.CANCELLED_BY_STUDENT: ngettext_lazy(
        "%(count)d session cancelled by the student",
        "%(count)d sessions cancelled by the student",
        "count",
    ),
    SessionStatus.CANCELLED_BY_MENTOR: ngettext_lazy(
        "%(count)d session cancelled by the mentor",
        "%(count)d sessions cancelled by the mentor",
        "count",
    ),
}
SESSIONS_UNLOGGED_COUNTER = ngettext_lazy(
    "%(count)d session not logged yet", "%(count)d sessions not logged yet", "count"
)
REVIEW_COUNTERS = {
    "approved": ngettext_lazy(
        "%(count)d attempt approved", "%(count)d attempts approved", "count"
    ),
    "changes_requested": ngettext_lazy(
        "%(count)d attempt sent back for changes",
        "%(count)d attempts sent back for changes",
        "count",
    ),
}


def weekly_report_display(figures: dict) -> dict:
    """What the report page shows beyond the raw figures: the sessions by outcome,
    each as a counter in words with its share of the week's sessions, the reviews'
    verdicts as counters, and the proposals with the names of their states. Tolerates
    figures drawn before a field existed."""

    sessions = figures.get("sessions") or {}
    total = sessions.get("total") or 0
    outcome_rows = [
        {"text": SESSION_OUTCOME_COUNTERS[value] % {"count": count}, "count": count}
        for value, count in (sessions.get("by_outcome") or {}).items()
        if value in SessionStatus.values
    ]
    unlogged = sessions.get("unlogged") or 0
    outcome_rows.append(
        {"text": SESSIONS_UNLOGGED_COUNTER % {"count": unlogged}, "count": unlogged}
    )
    for row in outcome_rows:
        row["percent"] = round(100 * row["count"] / total) if total else 0
        row["total"] = total
    reviews = figures.get("reviews") or {}
    review_rows = [
        {"text": counter % {"count": reviews.get(verdict) or 0}}
        for verdict, counter in REVIEW_COUNTERS.items()
    ]
    community = figures.get("community") or {}

    def with_labels(proposals):
        return [
            {
                **proposal,
                "status_label": ProposalStatus(proposal["status"]).label
                if proposal.get("status") in ProposalStatus.values
                else proposal.get("status", ""),
            }
            for proposal in proposals or []
        ]

    return {
        "session_outcomes": outcome_rows,
        "review_counters": review_rows,
        "proposals_filed": with_labels(community.get("proposals_filed")),
        "proposal_decisions": with_labels(community.get("proposal_decisions")),
    }
