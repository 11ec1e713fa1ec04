"""Demo data of reports and self-development, and the community part of the demo
(``seed_community``), which each area writes for itself."""

from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from knowledge_base.demo import seed_cases, seed_proposals
from mentorship.demo import _demo_user
from projects.demo import seed_programme_changes, seed_recommendations
from projects.models import Programme
from students.demo import seed_incidents

from .models import DevelopmentRecord, WeeklyReport
from .selectors import last_complete_week_start
from .services import weekly_report_draft, weekly_report_send

DEVELOPMENT = [
    # (mentor number, kind, programme (first/second) or title, verified?)
    (1, "programme", 0, True),
    (1, "course", "PostgreSQL performance tuning", True),
    (1, "expertise", "Web accessibility (WCAG)", False),
    (2, "expertise", "Teaching beginners to debug", True),
    (2, "course", "Coaching skills for mentors", False),
    (3, "programme", 1, False),
]


WEEKLY_REPORT_TEXT = {
    # mentor number: (comments, difficulties); mentors without text leave a draft.
    2: (
        "A steady week: most students submitted on time and two sessions went well.",
        "One student stopped answering messages; I may need your advice on next steps.",
    ),
    3: ("Quiet week, reviews kept under a day.", ""),
}


def seed_weekly_reports() -> int:
    """Each of the first three demo mentors' reports of their last complete week and
    the week before, drafted by the portal's own service: mentor@ keeps this week's
    as a draft to complete, the others have sent theirs. Returns reports created."""

    created = 0
    for number in (1, 2, 3):
        mentor = _demo_user("mentor", number)
        if mentor is None:
            continue
        last_week = last_complete_week_start(mentor)
        for week_start in (last_week - timedelta(days=7), last_week):
            if WeeklyReport.objects.filter(mentor=mentor, week_start=week_start).exists():
                continue
            report = weekly_report_draft(mentor=mentor, week_start=week_start)
            created += 1
            comments, difficulties = WEEKLY_REPORT_TEXT.get(number, ("Good progress overall.", ""))
            if number != 1 or week_start != last_week:
                weekly_report_send(
                    report=report, by=mentor, comments=comments, difficulties=difficulties
                )
    return created


def seed_development() -> int:
    """The first demo mentors' self-development records, unless they have some
    already. Returns records created."""
    now = timezone.now()
    mentors = {n: _demo_user("mentor", n) for n in (1, 2, 3)}
    if not all(mentors.values()):
        return 0
    staff = _demo_user("staff", 1)
    programmes = list(Programme.objects.order_by("slug"))
    created = 0
    with transaction.atomic():
        if not DevelopmentRecord.objects.filter(mentor__in=mentors.values()).exists():
            for age, (number, kind, what, verified) in enumerate(DEVELOPMENT):
                fields = (
                    {"programme": programmes[what]} if kind == "programme" else {"title": what}
                )
                if kind == "programme" and len(programmes) <= what:
                    continue
                recorded = now - timedelta(days=40 - 5 * age)
                DevelopmentRecord.objects.create(
                    mentor=mentors[number],
                    kind=kind,
                    completed_on=(recorded - timedelta(days=30)).date()
                    if kind != "expertise"
                    else None,
                    evidence_url="https://example.org/certificates/demo"
                    if kind != "expertise"
                    else "",
                    created_at=recorded,
                    verified_at=recorded + timedelta(days=2) if verified else None,
                    verified_by=staff if verified else None,
                    **fields,
                )
                created += 1
    return created


def seed_community() -> dict[str, int]:
    """Case discussions, recommendations, improvement proposals, incidents between
    students and self-development records for the first demo mentors, each written
    once: a part already there (by its demo titles) is left as it is."""
    return {
        "cases": seed_cases(),
        "recommendations": seed_recommendations(),
        "proposals": seed_proposals(),
        "incidents": seed_incidents(),
        "records": seed_development(),
        "programme_changes": seed_programme_changes(),
    }
