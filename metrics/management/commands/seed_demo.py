"""Build the demo: ``manage.py seed_demo`` (idempotent), six months of history in which
each demo mentor has a character the scorecards show (``metrics.demo_scorecards``); or
large synthetic data for benchmarks, uniform, with ``--scale --students 10000
--mentors 300 --days 180``."""

import time

from django.core.management.base import BaseCommand
from tqdm import tqdm

from knowledge_base.demo import seed_knowledge, seed_knowledge_at_scale
from mentorship import demo
from projects.demo import seed_programmes, seed_projects
from students.demo import seed_activity, seed_mentoring
from students.demo_cohort import seed_calibrated_cohort

from ... import demo_scorecards
from ...demo import seed_community, seed_weekly_reports
from ...scorecards import snapshot_closed_periods


class Command(BaseCommand):
    help = (
        "Create demo programmes, people, assignments, enrolments, review histories, "
        "mentoring sessions and notes (safe to run again)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--scale",
            action="store_true",
            help="Large synthetic data for benchmarks, with a progress bar.",
        )
        parser.add_argument("--students", type=int, default=None)
        parser.add_argument("--mentors", type=int, default=None)
        parser.add_argument("--supervisors", type=int, default=None)
        parser.add_argument(
            "--days",
            type=int,
            default=None,
            help=f"Days of history to spread joins over ({demo.HISTORY_DAYS}; 120 at scale).",
        )
        parser.add_argument("--seed", type=int, default=42, help="Random seed.")

    def handle(self, *args, scale, students, mentors, supervisors, days, seed, **options):
        if scale:
            students = students or 10_000
            mentors = mentors or max(6, students // 30)
            supervisors = supervisors or max(2, mentors // 12)
            days = days or 120
        else:
            students, mentors, supervisors = students or 40, mentors or 6, supervisors or 2
            days = days or demo.HISTORY_DAYS
        # The demo's mentors have characters; the benchmarks' data stays uniform.
        characters = not scale
        # People, their profiles, then each student's enrolment and review history.
        total = 1 + supervisors + mentors + 3 * students
        started = time.monotonic()
        with tqdm(
            total=total,
            unit="rows",
            disable=not scale or options["verbosity"] == 0,
            file=self.stderr,
        ) as bar:
            counts = demo.seed_people(
                students=students,
                mentors=mentors,
                supervisors=supervisors,
                days=days,
                seed=seed,
                weekly_hours=demo_scorecards.weekly_hours() if characters else None,
                graduated_after=demo_scorecards.graduated_after() if characters else None,
                progress=bar.update,
            )
            counts["programmes"] = len(seed_programmes(mentors=mentors))
            loop = seed_projects(
                seed=seed,
                with_files=not scale,
                styles=demo_scorecards.review_styles() if characters else None,
                progress=bar.update,
            )
            mentoring = seed_mentoring()
            community = seed_community()
            community["reports"] = seed_weekly_reports()
            knowledge = seed_knowledge()
            if scale:
                scaled = seed_knowledge_at_scale(seed=seed)
                knowledge["questions"] += scaled["questions"]
                knowledge["articles"] += scaled["articles"]
            activity = seed_activity(
                seed=seed,
                with_files=not scale,
                styles=demo_scorecards.mentoring_styles() if characters else None,
            )
            # The struggling student's extra rounds are review-loop rows too.
            for key in ("submissions", "reviews"):
                loop[key] += activity["attempts"]
            scorecards = (
                demo_scorecards.seed_scorecards(seed=seed)
                if characters
                else {"surveys": 0, "answered": 0, "readings": 0}
            )
            # A past cohort with enough history to calibrate the flags on, and the
            # calibration (the admin's "Flag calibrations").
            calibrated = (
                seed_calibrated_cohort(seed=seed)
                if characters
                else {"alumni": 0, "withdrawn": 0, "events": 0, "calibrated": 0}
            )
        # The closed weeks, months and quarters of the scorecards, as the nightly task
        # keeps them, so the dashboards open on final figures. At scale that is the
        # benchmark's job (``make bench``).
        snapshotted = 0 if scale else snapshot_closed_periods()
        elapsed = time.monotonic() - started
        if options["verbosity"] == 0:
            return
        self.stdout.write(
            self.style.SUCCESS(
                "Demo ready in {:.1f}s: {programmes} programmes, {supervisors} supervisors, "
                "{mentors} mentors, {students} students ({assignments_created} new "
                "assignments).".format(elapsed, **counts)
            )
        )
        self.stdout.write(
            "Review loop: {enrolments} new enrolments, {submissions} submissions "
            "({waiting} waiting for review), {reviews} reviews, {files} files, "
            "{notes} review notes, {events} activity events.".format(**loop)
        )
        self.stdout.write(
            "Mentoring: {sessions} new sessions, {mentor_notes} private mentor notes.".format(
                **mentoring
            )
        )
        self.stdout.write(
            "Community: {cases} case discussions, {recommendations} recommendations, "
            "{proposals} improvement proposals, {incidents} incidents, {records} "
            "self-development records, {reports} weekly reports, {programme_changes} "
            "programme change sets.".format(**community)
        )
        self.stdout.write(
            "Knowledge base: {questions} questions, {articles} articles, {deflections} "
            "questions solved by an article before they were asked.".format(**knowledge)
        )
        self.stdout.write(
            "Activity: {events} events, {sessions} missed sessions, {attempts} more "
            "attempts, {dropped} students dropped out; {flags} at-risk flags opened.".format(
                **activity
            )
        )
        self.stdout.write(
            "Mentors' history: {history_sessions} fortnightly sessions, {past_flags} past "
            "at-risk flags".format(**activity)
            + ", {surveys} surveys ({answered} answered), {readings} second readings.".format(
                **scorecards
            )
        )
        if not scale:
            self.stdout.write(f"Scorecards: {snapshotted} closed periods computed.")
        if calibrated["alumni"]:
            self.stdout.write(
                "Calibrated flags: a past cohort of {alumni} alumni ({withdrawn} withdrew, "
                "{events} days of activity); the calibration's report is in the admin under "
                "Flag calibrations.".format(**calibrated)
            )
        if characters:
            self.stdout.write(
                "\n".join(
                    f"  {demo.demo_email('mentor', number):<18} {character.summary}"
                    for number, character in demo_scorecards.CHARACTERS.items()
                    if number <= mentors
                )
            )
        self.stdout.write(
            f"Demo logins (password: {demo.DEMO_PASSWORD}):\n"
            f"  staff       {demo.demo_email('staff', 1)}\n"
            f"  supervisor  {demo.demo_email('supervisor', 1)}  "
            f"(leads {demo.demo_email('mentor', 1)}'s team)\n"
            f"  mentor      {demo.demo_email('mentor', 1)}  "
            f"(mentors {demo.demo_email('student', 1)})\n"
            f"  student     {demo.demo_email('student', 1)}\n"
            f"  and mentor2@…, student2@… up to mentor{mentors}@, student{students}@"
            f"{demo.DEMO_DOMAIN}"
        )
