"""The at-risk flag pages: the queue (``students:flag_list``), the flag card on the
student's file with its actions (acknowledge, log outreach, verdict), the flags in
the timeline, the "open flag" column of the students list and the home cards; per
role, with bad input, htmx and query counts."""

import re
from datetime import timedelta
from urllib.parse import quote

import pytest
from django.urls import reverse
from django.utils import timezone

from mentorship.models import DailyActivity
from mentorship.tests.factories import AssignmentFactory, MentorFactory, StudentFactory
from students.models import FlagOutreach, OutreachKind, RiskFlag

from .helpers_flags import DROP_AMBER, make_flag

FLAGS = reverse("students:flag_list")
STUDENTS = reverse("students:list")
HTMX = {"HX-Request": "true"}
ACTIONS = {
    "flag_acknowledge": {},
    "flag_outreach": {
        "outreach-kind": "call",
        "outreach-note": "Called, will resubmit on Friday.",
    },
    "flag_verdict": {"verdict": "useful"},
}


def action_url(name, flag):
    return reverse(f"students:{name}", args=[flag.pk])


def file_url(student):
    return reverse("students:file", args=[student.pk])


def listed(response):
    return [flag.student.display_name for flag, _reasons in response.context["rows"]]


def snapshot(flag):
    flag.refresh_from_db()
    return (
        flag.acknowledged_at,
        flag.acknowledged_by_id,
        flag.first_outreach_at,
        flag.verdict,
        FlagOutreach.objects.count(),
    )


@pytest.fixture
def flag(student):
    return make_flag(student)


@pytest.fixture
def other_flag(other_student):
    return make_flag(other_student, severity="amber", reasons=[DROP_AMBER])


# --- The queue ------------------------------------------------------------------------


def test_it_sends_anonymous_people_to_login(client, flag):
    response = client.get(FLAGS)

    assert response.status_code == 302
    assert response.url == f"{reverse('account_login')}?next={quote(FLAGS)}"


@pytest.mark.parametrize(
    ("role", "status", "names"),
    [
        ("student", 403, None),
        ("other_student", 403, None),
        ("mentor", 200, ["Stas Student"]),
        ("other_mentor", 200, ["Olga Otherstudent"]),
        ("supervisor", 200, ["Stas Student"]),
        ("other_supervisor", 200, ["Olga Otherstudent"]),
        ("staff", 200, ["Stas Student", "Olga Otherstudent"]),
    ],
)
def test_it_lists_the_open_flags_the_person_may_see(
    as_user, client, flag, other_flag, role, status, names
):
    RiskFlag.objects.filter(pk=other_flag.pk).update(
        opened_on=timezone.localdate() - timedelta(days=1)
    )
    as_user(role)

    response = client.get(FLAGS)

    assert response.status_code == status
    if names is not None:
        assert listed(response) == names


def test_it_answers_a_post_to_the_queue_with_405(as_user, client):
    as_user("mentor")

    assert client.post(FLAGS).status_code == 405


def test_it_shows_the_reasons_as_sentences_and_the_queue_columns(as_user, client, flag, mentor):
    FlagOutreach.objects.create(flag=flag, mentor=mentor, kind=OutreachKind.MESSAGE)
    as_user("supervisor")

    response = client.get(FLAGS)

    content = response.content.decode()
    assert "No activity for 16 days (red from 14)." in content
    assert "20 % of their usual 17.5" in content
    assert "3 days" in content
    assert "Maria Mentor" in content  # the mentor column, for supervisors
    assert 'data-severity="red"' in content
    assert f'href="{file_url(flag.student)}#flag"' in content


def test_it_puts_the_oldest_unacknowledged_first_and_leaves_out_resolved_flags(
    as_user, client, mentor
):
    students = StudentFactory.create_batch(4)
    for index, person in enumerate(students):
        person.display_name = f"Student {index}"
        person.save()
        AssignmentFactory(student=person, mentor=mentor)
    make_flag(students[0], opened_days_ago=20, acknowledged_at=timezone.now())
    make_flag(students[1], opened_days_ago=2)
    make_flag(students[2], opened_days_ago=9)
    make_flag(students[3], opened_days_ago=30, resolved_on=timezone.localdate())
    as_user("mentor")

    response = client.get(FLAGS)

    assert listed(response) == ["Student 2", "Student 1", "Student 0"]


@pytest.mark.parametrize(
    ("params", "names"),
    [
        ({"severity": "red"}, ["Stas Student"]),
        ({"severity": "amber"}, ["Olga Otherstudent"]),
        ({"acknowledged": "yes"}, ["Olga Otherstudent"]),
        ({"acknowledged": "no"}, ["Stas Student"]),
        ({"mentor": "mentor"}, ["Stas Student"]),
        ({"mentor": "other_mentor"}, ["Olga Otherstudent"]),
        ({"severity": "bogus"}, ["Stas Student", "Olga Otherstudent"]),
    ],
)
def test_it_filters_the_queue(request, as_user, client, flag, other_flag, params, names):
    RiskFlag.objects.filter(pk=other_flag.pk).update(acknowledged_at=timezone.now())
    if "mentor" in params:
        params = {"mentor": request.getfixturevalue(params["mentor"]).pk}
    as_user("staff")

    response = client.get(FLAGS, params)

    assert response.status_code == 200
    assert listed(response) == names


def test_it_offers_no_mentor_filter_to_a_mentor(as_user, client, flag):
    as_user("mentor")

    response = client.get(FLAGS, {"mentor": 1})

    assert "mentor" not in response.context["form"].fields
    assert listed(response) == ["Stas Student"]


def test_it_lets_staff_choose_a_mentor_from_the_queue_not_from_every_mentor(
    as_user, client, flag, other_flag, mentor
):
    MentorFactory.create_batch(3)
    as_user("staff")

    queue = client.get(FLAGS).content.decode()
    chosen = client.get(FLAGS, {"mentor": mentor.pk}).content.decode()

    assert '<select name="mentor"' not in queue
    assert f'href="?mentor={mentor.pk}"' in queue
    assert 'data-testid="flag-mentor-chosen">' + str(mentor) in chosen
    assert f'type="hidden" name="mentor" value="{mentor.pk}"' in chosen


def test_it_offers_a_supervisor_their_team_in_the_mentor_filter(as_user, client, flag, mentor):
    as_user("supervisor")

    response = client.get(FLAGS)

    assert f'<option value="{mentor.pk}">' in response.content.decode()


@pytest.mark.parametrize("count", [3, 30])
def test_it_lists_the_school_queue_for_staff_in_constant_queries(
    db, as_user, client, django_assert_max_num_queries, count
):
    for _number in range(count):
        person = StudentFactory()
        AssignmentFactory(student=person, mentor=MentorFactory())
        make_flag(person)
    as_user("staff")

    # 1 session, 2 user, 3 count, 4 the page of flags, 5 unread notifications and
    # 6 questions waiting (navbar); no query for the mentors, who are not listed.
    with django_assert_max_num_queries(6):
        response = client.get(FLAGS)

    assert len(response.context["rows"]) == min(count, 25)
    assert response.content.decode().count('data-testid="flag-mentor"') == min(count, 25)


def test_it_says_when_nobody_is_flagged(as_user, client):
    as_user("mentor")

    response = client.get(FLAGS)

    assert "No student is flagged at the moment." in response.content.decode()


def test_it_pages_the_queue(as_user, client, mentor):
    for person in StudentFactory.create_batch(27):
        AssignmentFactory(student=person, mentor=mentor)
        make_flag(person)
    as_user("mentor")

    first = client.get(FLAGS, {"severity": "red"})
    second = client.get(FLAGS, {"severity": "red", "page": 2})

    assert len(first.context["rows"]) == 25
    assert len(second.context["rows"]) == 2
    assert "?severity=red&amp;page=2" in first.content.decode()


@pytest.mark.parametrize("count", [3, 30])
def test_it_lists_the_queue_in_constant_queries(
    as_user, client, supervisor, django_assert_max_num_queries, count
):
    for number in range(count):
        mentor = MentorFactory()
        mentor.mentor_profile.supervisor = supervisor
        mentor.mentor_profile.save()
        person = StudentFactory()
        AssignmentFactory(student=person, mentor=mentor)
        flag = make_flag(person, acknowledged_at=timezone.now() if number % 2 else None)
        FlagOutreach.objects.create(flag=flag, mentor=mentor, kind=OutreachKind.CALL)
    as_user("supervisor")

    # 1 session, 2 user, 3 the mentor filter's choices, 4 count, 5 the page of flags
    # with students, who acknowledged, current mentor and outreach count, 6 unread
    # notifications (navbar).
    # And the navbar's count of questions waiting for an answer.
    with django_assert_max_num_queries(7):
        response = client.get(FLAGS)

    assert len(response.context["rows"]) == min(count, 25)


# --- The flag card on the student's file ----------------------------------------------


@pytest.mark.parametrize(
    ("role", "shown"),
    [("student", False), ("mentor", True), ("supervisor", True), ("staff", True)],
)
def test_it_shows_the_flag_card_to_those_who_look_after_the_student(
    as_user, client, flag, role, shown
):
    as_user(role)

    response = client.get(file_url(flag.student))

    content = response.content.decode()
    assert response.status_code == 200
    assert ('data-testid="flag-card"' in content) is shown
    assert ("No activity for 16 days" in content) is shown
    assert ("At-risk" in content) is shown


def test_it_draws_the_weekly_chart_with_the_flagged_weeks(as_user, client, student):
    today = timezone.localdate()
    flag = make_flag(student, opened_days_ago=10)
    DailyActivity.objects.create(student=student, day=today - timedelta(weeks=6), events=12)
    DailyActivity.objects.create(student=student, day=today, events=3)
    as_user("mentor")

    response = client.get(file_url(student))

    content = response.content.decode()
    chart = response.context["flag_chart"]
    assert len(chart.bars) == 16
    assert chart.total == 15
    assert content.count('data-testid="chart-bar"') == 16
    assert "chart-bar-flagged" in content
    assert re.search(r'<svg class="activity-chart" viewBox="0 0 640 160"', content)
    assert "style=" not in content.split('data-testid="flag-card"')[1].split("</section>")[0]
    assert response.context["flag"] == flag


def test_it_keeps_svg_numbers_unlocalised_in_russian(as_user, client, student, mentor):
    make_flag(student)
    DailyActivity.objects.create(student=student, day=timezone.localdate(), events=3)
    mentor.language = "ru"
    mentor.save()
    as_user("mentor")

    response = client.get(file_url(student), HTTP_ACCEPT_LANGUAGE="ru")

    svg = response.content.decode().split("<svg", 1)[1].split("</svg>")[0]
    assert not re.search(r'(x|y|width|height)="\d+,\d', svg)


def test_it_shows_a_resolved_flag_collapsed_without_outreach_form(as_user, client, student):
    make_flag(student, opened_days_ago=30, resolved_on=timezone.localdate())
    as_user("mentor")

    response = client.get(file_url(student))

    content = response.content.decode()
    assert "Last at-risk flag" in content
    assert '<details class="card-body">' in content
    assert 'data-testid="flag-outreach-form"' not in content
    assert 'data-testid="flag-verdict-form"' in content


def test_it_shows_no_card_without_a_flag(as_user, client, student):
    as_user("mentor")

    response = client.get(file_url(student))

    assert response.context["flag"] is None
    assert 'data-testid="flag-card"' not in response.content.decode()


def test_it_puts_flags_in_the_timeline_for_those_who_look_after_the_student(
    as_user, client, student
):
    make_flag(student, opened_days_ago=30, resolved_on=timezone.localdate() - timedelta(days=5))
    make_flag(student)
    as_user("mentor")

    everything = client.get(file_url(student))
    only_flags = client.get(file_url(student), {"kind": "flag"})

    kinds = [item.kind for item in everything.context["items"]]
    assert kinds.count("flag") == 2
    assert kinds.count("flag_resolved") == 1
    assert [item.kind for item in only_flags.context["items"]] == ["flag", "flag_resolved", "flag"]
    assert "At-risk flag resolved" in only_flags.content.decode()


def test_it_keeps_flags_out_of_the_student_timeline(as_user, client, student):
    make_flag(student, opened_days_ago=30, resolved_on=timezone.localdate())
    as_user("student")

    everything = client.get(file_url(student))
    asked = client.get(file_url(student), {"kind": "flag"})

    assert not {"flag", "flag_resolved"} & {item.kind for item in everything.context["items"]}
    assert not {"flag", "flag_resolved"} & {item.kind for item in asked.context["items"]}
    assert "flag" not in dict(everything.context["filter_form"].fields["kind"].choices)


@pytest.mark.parametrize("count", [3, 30])
def test_it_shows_the_file_with_a_flag_in_constant_queries(
    as_user, client, student, mentor, django_assert_max_num_queries, count
):
    today = timezone.localdate()
    for number in range(count):
        make_flag(
            student,
            opened_days_ago=200 - number * 5,
            resolved_on=today - timedelta(days=198 - number * 5),
        )
    flag = make_flag(student)
    FlagOutreach.objects.bulk_create(
        FlagOutreach(flag=flag, mentor=mentor, kind=OutreachKind.MESSAGE, note=f"Try {number}")
        for number in range(count)
    )
    DailyActivity.objects.bulk_create(
        DailyActivity(student=student, day=today - timedelta(days=days), events=2)
        for days in range(count)
    )
    as_user("mentor")

    # 1 session, 2 user, 3 student with profile and sessions, 4-6 progress, 7 mentor
    # history, 8 the flag card's flag, 9 its outreach, 10 its weekly activity, 11
    # timeline count, 12 timeline page, 13 the page's flags (opened and resolved
    # alike), 14 its mentor changes, 15 unread notifications.
    # And the navbar's count of questions waiting for an answer.
    with django_assert_max_num_queries(16):
        response = client.get(file_url(student))

    assert len(response.context["flag"].outreach_log) == count


# --- Actions --------------------------------------------------------------------------


@pytest.mark.parametrize("name", ACTIONS)
def test_it_sends_anonymous_actors_to_login(client, flag, name):
    url = action_url(name, flag)
    before = snapshot(flag)

    response = client.post(url, ACTIONS[name])

    assert response.status_code == 302
    assert response.url == f"{reverse('account_login')}?next={quote(url)}"
    assert snapshot(flag) == before


@pytest.mark.parametrize("name", ACTIONS)
def test_it_answers_a_get_to_an_action_with_405(as_user, client, flag, name):
    as_user("mentor")

    assert client.get(action_url(name, flag)).status_code == 405


@pytest.mark.parametrize("name", ACTIONS)
@pytest.mark.parametrize(
    ("role", "status"),
    [
        ("student", 403),
        ("other_student", 403),
        ("other_mentor", 404),
        ("other_supervisor", 404),
    ],
)
def test_it_refuses_actions_from_outsiders_and_changes_nothing(
    as_user, client, flag, name, role, status
):
    before = snapshot(flag)
    as_user(role)

    response = client.post(action_url(name, flag), ACTIONS[name])

    assert response.status_code == status
    assert snapshot(flag) == before


@pytest.mark.parametrize("role", ["mentor", "supervisor", "staff"])
def test_it_acknowledges_from_the_file(as_user, client, flag, role):
    person = as_user(role)

    response = client.post(action_url("flag_acknowledge", flag), follow=True)

    flag.refresh_from_db()
    assert flag.acknowledged_by == person
    assert response.redirect_chain[-1][0] == file_url(flag.student) + "#flag"
    content = response.content.decode()
    assert "The flag is acknowledged." in content
    assert f"Acknowledged by {person}" in content


def test_it_logs_outreach_from_the_file(as_user, client, flag, mentor):
    as_user("mentor")

    response = client.post(
        action_url("flag_outreach", flag), ACTIONS["flag_outreach"], follow=True
    )

    outreach = FlagOutreach.objects.get()
    assert (outreach.flag, outreach.mentor, outreach.kind) == (flag, mentor, "call")
    content = response.content.decode()
    assert "The outreach is logged." in content
    assert "Called, will resubmit on Friday." in content
    flag.refresh_from_db()
    assert flag.first_outreach_at == outreach.at


def test_it_answers_htmx_with_the_flag_card(as_user, client, flag):
    as_user("mentor")

    response = client.post(
        action_url("flag_outreach", flag), ACTIONS["flag_outreach"], headers=HTMX
    )

    content = response.content.decode()
    assert response.status_code == 200
    assert content.lstrip().startswith("<section")
    assert "<html" not in content
    assert 'data-testid="outreach-item"' in content
    assert "The outreach is logged." in content


def test_it_keeps_what_was_typed_when_the_outreach_is_bad(as_user, client, flag):
    as_user("mentor")
    data = {"outreach-kind": "letter", "outreach-note": "Wrote a long letter."}

    page = client.post(action_url("flag_outreach", flag), data)
    partial = client.post(action_url("flag_outreach", flag), data, headers=HTMX)

    for response in (page, partial):
        assert response.status_code == 400
        form = response.context["outreach_form"]
        assert "kind" in form.errors
        assert "Wrote a long letter." in response.content.decode()
    assert "<html" in page.content.decode()
    assert "<html" not in partial.content.decode()
    assert not FlagOutreach.objects.exists()


def test_it_explains_why_outreach_on_a_resolved_flag_is_refused(as_user, client, student):
    flag = make_flag(student, opened_days_ago=30, resolved_on=timezone.localdate())
    as_user("mentor")

    page = client.post(action_url("flag_outreach", flag), ACTIONS["flag_outreach"], follow=True)
    partial = client.post(
        action_url("flag_outreach", flag), ACTIONS["flag_outreach"], headers=HTMX
    )

    assert "This flag is resolved already" in page.content.decode()
    assert partial.status_code == 400
    assert "This flag is resolved already" in partial.content.decode()
    assert not FlagOutreach.objects.exists()


@pytest.mark.parametrize("verdict", ["useful", "false_alarm"])
def test_it_records_the_verdict_from_the_file(as_user, client, flag, verdict):
    as_user("supervisor")

    response = client.post(action_url("flag_verdict", flag), {"verdict": verdict}, follow=True)

    flag.refresh_from_db()
    assert flag.verdict == verdict
    assert "the verdict is saved" in response.content.decode()


def test_it_refuses_a_bad_verdict(as_user, client, flag):
    as_user("mentor")

    response = client.post(action_url("flag_verdict", flag), {"verdict": "maybe"})

    assert response.status_code == 400
    assert "verdict" in response.context["verdict_form"].errors
    flag.refresh_from_db()
    assert flag.verdict == ""


# --- My students: the open flag column ------------------------------------------------


@pytest.fixture
def three_students(mentor, student):
    """``student`` red and unacknowledged, Amy amber and acknowledged, Bob unflagged."""
    amy = StudentFactory(display_name="Amy Amber")
    bob = StudentFactory(display_name="Bob Calm")
    for person in (amy, bob):
        AssignmentFactory(student=person, mentor=mentor)
    make_flag(student)
    make_flag(amy, severity="amber", reasons=[DROP_AMBER], acknowledged_at=timezone.now())
    make_flag(bob, opened_days_ago=40, resolved_on=timezone.localdate())
    return student, amy, bob


def names(response):
    return [student.display_name for student, _progress in response.context["rows"]]


def test_it_shows_the_open_flag_in_the_students_list(as_user, client, three_students):
    as_user("mentor")

    response = client.get(STUDENTS)

    content = response.content.decode()
    assert content.count('data-testid="flag-badge"') == 2
    assert content.count('data-testid="flag-unacknowledged"') == 1
    by_name = {student.display_name: student for student, _ in response.context["rows"]}
    assert by_name["Stas Student"].flag_severity == "red"
    assert by_name["Amy Amber"].flag_acknowledged_at is not None
    assert by_name["Bob Calm"].flag_severity is None


def test_it_lists_only_flagged_students_and_sorts_by_severity(as_user, client, three_students):
    as_user("mentor")

    flagged = client.get(STUDENTS, {"flagged": "on"})
    by_severity = client.get(STUDENTS, {"sort": "flag"})

    assert names(flagged) == ["Amy Amber", "Stas Student"]
    assert flagged.context["filtered"]
    assert names(by_severity) == ["Stas Student", "Amy Amber", "Bob Calm"]


# --- Home and navigation --------------------------------------------------------------


def test_it_lists_the_mentor_new_flags_on_home(as_user, client, three_students):
    student, _amy, _bob = three_students
    as_user("mentor")

    response = client.get(reverse("metrics:home"))

    # Amy's flag is acknowledged and has not worsened since: it waits on the queue,
    # not on the home page.
    content = response.content.decode()
    assert [flag.student for flag, _reasons in response.context["day"].flags] == [student]
    assert "New or worsened flags" in content
    assert "No activity for 16 days (red from 14)." in content
    assert content.count('data-testid="home-flag-new"') == 1
    assert f'href="{file_url(student)}#flag"' in content


def test_it_counts_the_team_flags_on_the_supervisor_home(
    as_user, client, three_students, other_flag
):
    as_user("supervisor")

    response = client.get(reverse("metrics:home"))

    queues = response.context["queues"]
    assert (queues.open_flags, queues.unacknowledged_flags, queues.red_flags.count) == (2, 1, 1)
    content = " ".join(response.content.decode().split())
    assert "2 open flags in all, 1 not acknowledged yet" in content
    assert f'href="{FLAGS}?severity=red"' in content


@pytest.mark.parametrize(
    ("role", "linked"), [("student", False), ("mentor", True), ("staff", True)]
)
def test_it_links_the_queue_from_the_navbar(as_user, client, role, linked):
    as_user(role)

    response = client.get(reverse("metrics:home"))

    assert ('data-testid="nav-flags"' in response.content.decode()) is linked
