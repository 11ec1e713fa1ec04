"""``seed_demo``'s calibrated programme (``students.demo_cohort``): a past cohort of
alumni with enough withdrawals to calibrate on, the calibration applied and its report
in the admin."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from pytest_django.asserts import assertContains

from mentorship import demo
from mentorship.models import DailyActivity, StudentProfile, StudentStatus, User
from projects.demo import seed_programmes
from projects.models import Cohort, Enrolment, EnrolmentStatus
from students.demo_cohort import STUDENTS, seed_calibrated_cohort
from students.models import FlagBacktestReport, FlagCalibration, FlagSettings

pytestmark = pytest.mark.django_db


@pytest.fixture
def seeded():
    demo.seed_people(students=4, mentors=2, supervisors=1)
    seed_programmes(mentors=2)
    return seed_calibrated_cohort()


def test_it_builds_a_past_cohort_of_alumni(seeded):
    cohort = Cohort.objects.get(title="Spring intake (alumni)")
    alumni = User.objects.filter(email__startswith="alumnus")

    assert seeded["alumni"] == alumni.count() == STUDENTS
    assert not alumni.filter(is_active=True).exists()
    assert cohort.ends_on < timezone.localdate()
    assert cohort.deadlines.count() == cohort.programme.projects.count()
    enrolments = Enrolment.objects.filter(cohort=cohort)
    assert enrolments.count() == STUDENTS
    withdrawn = enrolments.filter(status=EnrolmentStatus.WITHDRAWN)
    assert withdrawn.count() == seeded["withdrawn"]
    assert STUDENTS / 5 < seeded["withdrawn"] < STUDENTS / 2
    assert set(
        StudentProfile.objects.filter(user__in=alumni).values_list("status", flat=True)
    ) == {StudentStatus.DROPPED, StudentStatus.GRADUATED}
    # Its leavers went quiet before the withdrawal was dated.
    for profile in StudentProfile.objects.filter(
        user__email__startswith="alumnus", status=StudentStatus.DROPPED
    ):
        dropped_on = profile.status_changes.order_by("-effective_on").first().effective_on
        last = (
            DailyActivity.objects.filter(student_id=profile.user_id)
            .order_by("-day")
            .values_list("day", flat=True)
            .first()
        )
        assert last <= dropped_on - timedelta(days=10)


def test_it_calibrates_the_flags_on_the_cohort_and_applies_the_choice(seeded, client):
    record = FlagCalibration.objects.get()
    report = record.report
    (programme,) = [each for each in report["programmes"] if each["title"] == "Data Analyst"]

    assert record.applied_at is not None
    assert programme["training_withdrawals"] >= 20
    assert programme["fallback"] == ""
    assert programme["current"]["withdrawals"] > 0
    assert report["overall"]["chosen"] is not None
    assert FlagSettings.current().red_rule == report["overall"]["chosen"]["json"]
    # Staff read the calibrated programme's backtest in the admin.
    client.force_login(User.objects.get(email=demo.demo_email("staff", 1)))
    page = client.get(reverse("admin:students_flagcalibration_change", args=[record.pk]))

    assertContains(page, "Data Analyst")
    assertContains(page, "In force:")
    assertContains(page, "Chosen:")
    assertContains(page, "withdrawals caught")
    # And the backtest of the flags in force, programme by programme.
    backtest = FlagBacktestReport.objects.get()
    assert backtest.finished_at is not None
    page = client.get(reverse("admin:students_flagbacktestreport_change", args=[backtest.pk]))
    assertContains(page, "Data Analyst")
    assertContains(page, '<tr data-rule="red">', html=False)


def test_it_adds_nothing_the_second_time(seeded):
    before = (
        User.objects.count(),
        FlagCalibration.objects.count(),
        FlagBacktestReport.objects.count(),
    )

    again = seed_calibrated_cohort()

    assert again["alumni"] == 0
    assert (
        User.objects.count(),
        FlagCalibration.objects.count(),
        FlagBacktestReport.objects.count(),
    ) == before
