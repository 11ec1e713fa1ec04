"""The admin of activity and at-risk flags: staff tune the thresholds (one row, checked
beside the fields), start a flagging run, and read flags, runs and activity, which only
the portal writes."""

from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from pytest_django.asserts import assertContains

from mentorship.models import ActivityEvent, ActivityKind, DailyActivity
from students.models import (
    FlagOutreach,
    FlagRun,
    FlagRunChunk,
    FlagRunDigest,
    FlagSettings,
    FlagSeverity,
    OutreachKind,
    RiskFlag,
)
from students.risk.signals import Signal, SignalName

DAY = date(2026, 3, 10)


def _url(model_name: str, page: str, *args) -> str:
    app = "mentorship" if model_name in ("activityevent", "dailyactivity") else "students"
    return reverse(f"admin:{app}_{model_name}_{page}", args=args)


def _settings_form(**changes) -> dict:
    """The settings page's form as the browser posts it: the defaults, then changes."""
    defaults = FlagSettings()
    fields = [field.name for field in FlagSettings._meta.fields if field.name != "id"]
    return {**{name: getattr(defaults, name) for name in fields}, **changes}


@pytest.fixture
def flag(student, mentor):
    flag = RiskFlag.objects.create(
        student=student,
        severity=FlagSeverity.RED,
        reasons=[Signal(SignalName.INACTIVITY, FlagSeverity.RED, 15, 14).as_reason()],
        opened_on=DAY,
        evaluated_on=DAY,
        acknowledged_at=timezone.now(),
        acknowledged_by=mentor,
    )
    FlagOutreach.objects.create(flag=flag, mentor=mentor, kind=OutreachKind.CALL, note="Rang")
    return flag


# --- Settings -------------------------------------------------------------------------


def test_it_shows_staff_the_settings_with_the_defaults(client, as_user):
    as_user("staff")
    row = FlagSettings.current()

    response = client.get(_url("flagsettings", "change", row.pk))

    assert response.status_code == 200
    assertContains(response, 'name="inactivity_red_days"')
    assert response.context["adminform"].form.initial["inactivity_red_days"] == 14


def test_it_saves_new_thresholds(client, as_user):
    as_user("staff")
    row = FlagSettings.current()

    response = client.post(
        _url("flagsettings", "change", row.pk),
        _settings_form(inactivity_amber_days=5, inactivity_red_days=10),
    )

    assert response.status_code == 302
    current = FlagSettings.current()
    assert (current.inactivity_amber_days, current.inactivity_red_days) == (5, 10)


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        (
            {"inactivity_amber_days": 14, "inactivity_red_days": 14},
            "inactivity_red_days",
            "Red must come after amber: more than 14 days.",
        ),
        (
            {"drop_amber_percent": 40, "drop_red_percent": 60},
            "drop_red_percent",
            "Red must be a deeper drop than amber: below 40 %.",
        ),
    ],
)
def test_it_refuses_red_before_amber_beside_the_field(client, as_user, changes, field, message):
    as_user("staff")
    row = FlagSettings.current()

    response = client.post(_url("flagsettings", "change", row.pk), _settings_form(**changes))

    assert response.status_code == 200
    form = response.context["adminform"].form
    assert form.errors == {field: [message]}
    assertContains(response, message)
    assert FlagSettings.current().inactivity_red_days == 14
    assert FlagSettings.current().drop_red_percent == 25


def test_it_keeps_one_settings_row(client, as_user):
    as_user("staff")
    row = FlagSettings.current()

    add = client.post(_url("flagsettings", "add"), _settings_form())
    delete = client.post(_url("flagsettings", "delete", row.pk), {"post": "yes"})

    assert (add.status_code, delete.status_code) == (403, 403)
    assert list(FlagSettings.objects.values_list("pk", flat=True)) == [row.pk]


def test_it_adds_the_settings_row_as_the_one_the_job_reads(client, as_user):
    as_user("staff")

    response = client.post(_url("flagsettings", "add"), _settings_form(behind_plan_days=21))

    assert response.status_code == 302
    assert FlagSettings.current().behind_plan_days == 21
    assert FlagSettings.objects.count() == 1


# --- Flags ----------------------------------------------------------------------------


def test_it_lists_flags_with_students_and_finds_them_by_e_mail(
    client, as_user, flag, student, other_student
):
    as_user("staff")
    RiskFlag.objects.create(
        student=other_student,
        severity=FlagSeverity.AMBER,
        reasons=[],
        opened_on=DAY,
        evaluated_on=DAY,
    )

    everyone = client.get(_url("riskflag", "changelist"))
    found = client.get(_url("riskflag", "changelist"), {"q": student.email})

    assert everyone.context["cl"].result_count == 2
    assert [row.pk for row in found.context["cl"].result_list] == [flag.pk]


def test_it_shows_a_flags_reasons_and_outreach_read_only(client, as_user, flag):
    as_user("staff")

    response = client.get(_url("riskflag", "change", flag.pk))

    assert response.status_code == 200
    assertContains(response, "&quot;signal&quot;: &quot;inactivity&quot;")
    assertContains(response, "Rang")
    assert not response.context["has_change_permission"]


def test_it_changes_no_flag(client, as_user, flag):
    as_user("staff")

    response = client.post(
        _url("riskflag", "change", flag.pk),
        {"severity": FlagSeverity.AMBER, "status": "resolved"},
    )

    assert response.status_code == 403
    flag.refresh_from_db()
    assert (flag.severity, flag.status) == (FlagSeverity.RED, "open")


# --- Runs -----------------------------------------------------------------------------


def test_it_lists_runs_with_their_chunk_progress(client, as_user):
    as_user("staff")
    run = FlagRun.objects.create(as_of=DAY, chunks=3, students=5)
    FlagRunChunk.objects.create(run=run, index=0, students=2, opened=1)
    FlagRunChunk.objects.create(run=run, index=1, students=2)

    response = client.get(_url("flagrun", "changelist"))

    assertContains(response, "2 / 3")
    assertContains(response, "Run flagging now")


def test_it_shows_a_runs_chunks_and_digests_without_letting_them_change(client, as_user):
    as_user("staff")
    run = FlagRun.objects.create(as_of=DAY, chunks=1, students=2, digest_parts=2)
    FlagRunChunk.objects.create(run=run, index=0, students=2, opened=1)
    FlagRunDigest.objects.create(run=run, part=1, mentors=7)

    response = client.get(_url("flagrun", "change", run.pk))

    assert response.status_code == 200
    chunks = response.context["inline_admin_formsets"][0]
    digests = response.context["inline_admin_formsets"][1]
    assert [form.original for form in chunks] == list(run.chunk_results.all())
    assert [(form.original.part, form.original.mentors) for form in digests] == [(1, 7)]
    for formset in (chunks, digests):
        permissions = (
            formset.has_add_permission,
            formset.has_change_permission,
            formset.has_delete_permission,
        )
        assert permissions == (False, False, False)


def test_it_queues_one_run_on_commit_for_the_staff_member(
    client, as_user, django_capture_on_commit_callbacks, student
):
    staff = as_user("staff")

    with django_capture_on_commit_callbacks() as callbacks:
        response = client.post(_url("flagrun", "run_now"), follow=True)
        assert FlagRun.objects.count() == 0  # nothing runs before the commit

    assert len(callbacks) == 1
    callbacks[0]()  # eager in tests: the task runs here
    run = FlagRun.objects.get()
    yesterday = timezone.localdate() - timedelta(days=1)  # the job's last complete day
    assert (run.triggered_by, run.as_of, run.status) == (staff, yesterday, "finished")
    assert response.redirect_chain == [(_url("flagrun", "changelist"), 302)]
    # The message is the callback's: a request outside a transaction shows it
    # (students/tests/test_admin_broker_down.py).


def test_it_queues_a_run_only_on_post(client, as_user, django_capture_on_commit_callbacks):
    as_user("staff")

    with django_capture_on_commit_callbacks() as callbacks:
        response = client.get(_url("flagrun", "run_now"))

    assert response.status_code == 405
    assert callbacks == []


@pytest.mark.parametrize("role", ["mentor", "supervisor", "student"])
def test_it_sends_other_roles_asking_for_a_run_to_the_login(
    client, as_user, django_capture_on_commit_callbacks, role
):
    as_user(role)

    with django_capture_on_commit_callbacks() as callbacks:
        response = client.post(_url("flagrun", "run_now"))

    assert response.status_code == 302
    assert response.url.startswith(reverse("admin:login"))
    assert callbacks == []


def test_it_changes_and_deletes_no_run(client, as_user):
    as_user("staff")
    run = FlagRun.objects.create(as_of=DAY, chunks=1)

    change = client.post(_url("flagrun", "change", run.pk), {"as_of": "2026-01-01"})
    delete = client.post(_url("flagrun", "delete", run.pk), {"post": "yes"})

    assert (change.status_code, delete.status_code) == (403, 403)
    run.refresh_from_db()
    assert run.as_of == DAY


# --- Activity -------------------------------------------------------------------------


def test_it_finds_events_by_e_mail_and_filters_them_by_kind(
    client, as_user, student, other_student
):
    as_user("staff")
    moment = timezone.now()
    mine = ActivityEvent.objects.create(
        student=student, kind=ActivityKind.LOGIN, occurred_at=moment, day=moment.date()
    )
    ActivityEvent.objects.create(
        student=student, kind=ActivityKind.QUIZ_TAKEN, occurred_at=moment, day=moment.date()
    )
    ActivityEvent.objects.create(
        student=other_student, kind=ActivityKind.LOGIN, occurred_at=moment, day=moment.date()
    )

    response = client.get(
        _url("activityevent", "changelist"), {"q": student.email, "kind": ActivityKind.LOGIN}
    )

    assert [row.pk for row in response.context["cl"].result_list] == [mine.pk]


@pytest.mark.parametrize("model", [ActivityEvent, DailyActivity])
def test_it_adds_changes_and_deletes_no_activity(client, as_user, student, model):
    as_user("staff")
    if model is ActivityEvent:
        row = ActivityEvent.objects.create(
            student=student, kind=ActivityKind.LOGIN, occurred_at=timezone.now(), day=DAY
        )
    else:
        row = DailyActivity.objects.create(student=student, day=DAY, events=3)
    name = model._meta.model_name
    before = list(model.objects.values())

    responses = [
        client.post(_url(name, "add"), {"student": student.pk, "day": "2026-03-11"}),
        client.post(_url(name, "change", row.pk), {"student": student.pk, "day": "2026-03-11"}),
        client.post(_url(name, "delete", row.pk), {"post": "yes"}),
    ]

    assert [response.status_code for response in responses] == [403, 403, 403]
    assert list(model.objects.values()) == before
    assert client.get(_url(name, "change", row.pk)).status_code == 200
