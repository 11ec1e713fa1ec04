"""Programme changes (``projects.changes``): what a save in the admin records, who is
told and how often, the diff of long texts, the unread changes and marking them read."""

from datetime import date

import pytest
from django.urls import reverse

from mentorship.audit import AuditAction, AuditEntry
from mentorship.models import Notification
from mentorship.tests.factories import MentorFactory
from projects import changes
from projects.models import (
    ChangedObject,
    ChangeKind,
    Cohort,
    CohortDeadline,
    ProgrammeChange,
    ProgrammeChangeReceipt,
    ProgrammeChangeSet,
    Project,
)
from projects.tests.factories import ProgrammeFactory, ProjectFactory

pytestmark = pytest.mark.django_db


def admin_form_data(client, url: str) -> dict:
    """What the admin's change page would post back untouched: its form and every
    inline form with their current values, management forms included."""
    response = client.get(url)
    assert response.status_code == 200
    data: dict = {}

    def add(form):
        for name in form.fields:
            value = form[name].value()
            key = form.add_prefix(name)
            if value is True:
                data[key] = "on"
            elif value in (None, False):
                continue
            elif isinstance(value, list | tuple):
                data[key] = [str(item) for item in value]
            else:
                data[key] = str(value)

    add(response.context["adminform"].form)
    for inline in response.context["inline_admin_formsets"]:
        formset = inline.formset
        add(formset.management_form)
        for form in formset.forms:
            add(form)
    return data


def _change_url(model, pk) -> str:
    return reverse(f"admin:projects_{model._meta.model_name}_change", args=[pk])


def _post(client, url, data):
    response = client.post(url, data)
    assert response.status_code == 302, (
        response.context["adminform"].form.errors,
        [inline.formset.errors for inline in response.context["inline_admin_formsets"]],
    )
    return response


@pytest.fixture
def programme(mentor):
    programme = ProgrammeFactory(title="Data analysis", slug="data")
    for position in (1, 2):
        ProjectFactory(programme=programme, position=position, title=f"Step {position}")
    mentor.mentor_profile.programmes.add(programme)
    return programme


def _rows(change_set) -> set[tuple]:
    return {
        (change.kind, change.object_type, change.object_label, change.field, change.before,
         change.after)
        for change in change_set.changes.all()
    }  # fmt: skip


def test_it_records_a_brief_edited_with_its_before_and_after(client, as_user, programme, mentor):
    staff = as_user("staff")
    project = programme.projects.get(position=1)
    url = _change_url(Project, project.pk)
    data = admin_form_data(client, url)
    data["brief_en"] = "Load the data.\nPlot it."

    _post(client, url, data)

    change_set = ProgrammeChangeSet.objects.get()
    assert (change_set.programme, change_set.changed_by) == (programme, staff)
    assert _rows(change_set) == {
        (
            "changed",
            "project",
            "1. Step 1",
            "brief_en",
            "Build **something** small and explain it in a README.",
            "Load the data.\nPlot it.",
        )
    }
    notification = Notification.objects.get(user=mentor)
    assert notification.kind == changes.NOTIFICATION_KIND
    assert notification.url == f"/programmes/data/changes/#change-set-{change_set.pk}"
    assert "Data analysis" in notification.title


def test_it_records_projects_added_removed_and_reordered(client, as_user, programme):
    as_user("staff")
    url = _change_url(type(programme), programme.pk)
    data = admin_form_data(client, url)
    first, second = (f"projects-{index}" for index in (0, 1))
    assert data[f"{first}-title_en"] == "Step 1"
    data[f"{first}-DELETE"] = "on"
    data[f"{second}-position"] = "3"
    data.update(
        {
            "projects-TOTAL_FORMS": "3",
            "projects-2-position": "1",
            "projects-2-title_en": "Read a CSV",
            "projects-2-effort_hours": "5",
            "projects-2-target_days": "7",
            "projects-2-deliverable": "link",
        }
    )

    _post(client, url, data)

    new = Project.objects.get(title="Read a CSV")
    change_set = ProgrammeChangeSet.objects.get()
    kinds = {
        (change.kind, change.object_label, change.field) for change in change_set.changes.all()
    }
    assert ("removed", "1. Step 1", "title_en") in kinds
    assert ("removed", "1. Step 1", "brief_en") in kinds
    assert ("changed", "3. Step 2", "position") in kinds
    assert ("added", "1. Read a CSV", "title_en") in kinds
    assert ("added", "1. Read a CSV", "deliverable") in kinds
    assert change_set.changes.get(kind="changed").before == 2
    assert change_set.changes.get(kind="changed").after == 3
    assert change_set.changes.filter(kind="added").first().object_id == new.pk


def test_it_records_rubric_criteria_changed_added_and_removed(client, as_user, programme):
    as_user("staff")
    project = programme.projects.get(position=2)
    url = _change_url(Project, project.pk)
    data = admin_form_data(client, url)
    data["criteria-0-met_means_en"] = "Every chart has a title."
    data["criteria-1-DELETE"] = "on"
    extra = int(data["criteria-TOTAL_FORMS"]) - 1
    data[f"criteria-{extra}-position"] = "3"
    data[f"criteria-{extra}-title_en"] = "Cites the source"

    _post(client, url, data)

    change_set = ProgrammeChangeSet.objects.get()
    rows = {(c.kind, c.object_type, c.object_label, c.field) for c in change_set.changes.all()}
    assert rows == {
        ("changed", "criterion", "2. Step 2 › 1. Step 2: criterion 1", "met_means_en"),
        ("removed", "criterion", "2. Step 2 › 2. Step 2: criterion 2", "position"),
        ("removed", "criterion", "2. Step 2 › 2. Step 2: criterion 2", "title_en"),
        ("removed", "criterion", "2. Step 2 › 2. Step 2: criterion 2", "met_means_en"),
        ("added", "criterion", "2. Step 2 › 3. Cites the source", "position"),
        ("added", "criterion", "2. Step 2 › 3. Cites the source", "title_en"),
    }


def test_it_records_targets_and_due_dates(client, as_user, programme):
    as_user("staff")
    cohort = Cohort.objects.create(
        programme=programme, title="Spring", starts_on=date(2026, 3, 1), ends_on=date(2026, 6, 30)
    )
    project = programme.projects.get(position=1)
    CohortDeadline.objects.create(cohort=cohort, project=project, due_on=date(2026, 4, 1))
    url = _change_url(type(programme), programme.pk)
    data = admin_form_data(client, url)
    data["projects-0-target_days"] = "21"
    _post(client, url, data)
    url = _change_url(Cohort, cohort.pk)
    data = admin_form_data(client, url)
    data["deadlines-0-due_on"] = "2026-04-15"
    data["ends_on"] = "2026-07-31"

    _post(client, url, data)

    targets, dates = ProgrammeChangeSet.objects.order_by("pk")
    assert _rows(targets) == {("changed", "project", "1. Step 1", "target_days", 14, 21)}
    assert _rows(dates) == {
        ("changed", "cohort", "Spring", "ends_on", "2026-06-30", "2026-07-31"),
        ("changed", "deadline", "Spring › 1. Step 1", "due_on", "2026-04-01", "2026-04-15"),
    }


def test_it_tells_each_mentor_once_for_a_save_that_changed_several_inlines(
    client, as_user, programme, mentor, other_mentor, supervisor
):
    second = MentorFactory()
    second.mentor_profile.programmes.add(programme)
    elsewhere = ProgrammeFactory()
    other_mentor.mentor_profile.programmes.add(elsewhere)
    as_user("staff")
    url = _change_url(type(programme), programme.pk)
    data = admin_form_data(client, url)
    data["title_en"] = "Data analysis with Python"
    data["projects-0-title_en"] = "First steps"
    data["projects-1-effort_hours"] = "12"
    data["projects-1-target_days"] = "10"

    _post(client, url, data)

    change_set = ProgrammeChangeSet.objects.get()
    assert change_set.changes.count() == 4
    told = Notification.objects.filter(kind=changes.NOTIFICATION_KIND)
    assert sorted(told.values_list("user_id", flat=True)) == sorted([mentor.pk, second.pk])
    assert "4 changes" in told.get(user=mentor).body
    assert ProgrammeChangeReceipt.objects.filter(change_set=change_set).count() == 2
    # The programme's own columns stay audited as before, once.
    entry = AuditEntry.objects.get(action=AuditAction.PROGRAMME_CHANGED)
    assert entry.after == {"title_en": "Data analysis with Python"}


def test_it_records_nothing_and_tells_no_one_when_nothing_tracked_changed(
    client, as_user, programme
):
    as_user("staff")
    url = _change_url(type(programme), programme.pk)
    data = admin_form_data(client, url)
    _post(client, url, data)
    data.pop("is_active")  # open for enrolment: audited, not a change of content
    _post(client, url, data)
    project_url = _change_url(Project, programme.projects.get(position=1).pk)
    _post(client, project_url, admin_form_data(client, project_url))

    assert ProgrammeChangeSet.objects.count() == 0
    assert Notification.objects.count() == 0
    assert AuditEntry.objects.filter(action=AuditAction.PROGRAMME_CHANGED).count() == 1


def test_it_records_a_project_deleted_or_moved_for_each_programme_concerned(
    client, as_user, programme
):
    as_user("staff")
    other = ProgrammeFactory(title="Statistics")
    moving = programme.projects.get(position=2)
    url = _change_url(Project, moving.pk)
    data = admin_form_data(client, url)
    data["programme"] = str(other.pk)
    _post(client, url, data)
    removed = programme.projects.get(position=1)

    client.post(reverse("admin:projects_project_delete", args=[removed.pk]), {"post": "yes"})

    moved_out, moved_in, deleted = ProgrammeChangeSet.objects.order_by("pk")
    assert (moved_out.programme, moved_in.programme, deleted.programme) == (
        programme,
        other,
        programme,
    )
    assert set(moved_out.changes.values_list("kind", flat=True)) == {"removed"}
    assert set(moved_in.changes.values_list("kind", flat=True)) == {"added"}
    assert {(c.kind, c.object_type) for c in deleted.changes.all()} == {
        ("removed", "project"),
        ("removed", "criterion"),
    }


def test_it_tracks_fields_that_exist_on_each_model():
    for tracked in changes.TRACKED:
        for name in changes.TRACKED_FIELDS[tracked.object_type]:
            assert tracked.model._meta.get_field(name).concrete, name


def test_it_compares_snapshots_over_the_tracked_fields_it_is_given(monkeypatch, programme):
    project = programme.projects.get(position=1)
    before = changes.programme_snapshots([programme.pk])
    Project.objects.filter(pk=project.pk).update(effort_hours=99, allowed_file_types="pdf")
    monkeypatch.setitem(changes.TRACKED_FIELDS, ChangedObject.PROJECT, ("effort_hours",))
    narrowed = changes.programme_snapshots([programme.pk])
    before_narrowed = {
        key: changes.SnapshotRow(row.label, {"effort_hours": row.values["effort_hours"]})
        if key[0] == ChangedObject.PROJECT
        else row
        for key, row in before[programme.pk].items()
    }

    found = changes.snapshot_changes(before_narrowed, narrowed[programme.pk])

    assert [(c.field, c.before, c.after) for c in found] == [("effort_hours", 10, 99)]


# --- The diff of long texts -----------------------------------------------------------


def test_it_diffs_long_texts_word_by_word_with_context():
    before = "\n".join(
        ["Intro", "Aims", "Keep", "Load the data with pandas.", "Same", "More", "End"]
    )
    after = "\n".join(
        ["Intro", "Aims", "Keep", "Load the data with polars.", "Same", "More", "End"]
    )

    lines = changes.text_diff(before, after)

    assert [line.kind for line in lines] == ["skipped", "equal", "changed", "equal", "skipped"]
    assert lines[2].segments == [
        ("equal", "Load the data with "),
        ("removed", "pandas."),
        ("added", "polars."),
    ]


def test_it_diffs_lines_added_and_removed():
    lines = changes.text_diff("One\nTwo", "One\nTwo\nThree")

    assert [(line.kind, line.segments) for line in lines] == [
        ("equal", [("equal", "One")]),
        ("equal", [("equal", "Two")]),
        ("changed", [("added", "Three")]),
    ]
    assert [line.segments for line in changes.text_diff("A\nB", "A")][-1] == [("removed", "B")]


def test_it_shows_values_in_the_readers_words():
    def shown(object_type, field, before, after):
        change = ProgrammeChange(
            kind=ChangeKind.CHANGED,
            object_type=object_type,
            object_id=1,
            object_label="x",
            field=field,
            before=before,
            after=after,
        )
        return changes.change_display(change)

    deliverable = shown("project", "deliverable", "either", "link")
    assert (deliverable.field_label, deliverable.before, deliverable.after) == (
        "Deliverables",
        "Files or a link",
        "A link",
    )
    assert shown("cohort", "in_order", False, True).after == "Yes"
    assert shown("deadline", "due_on", "2026-04-01", "2026-04-15").after == "April 15, 2026"
    assert shown("project", "target_days", 14, 21).diff is None
    assert shown("project", "brief", "a", "b").diff is not None
    assert shown("project", "gone_field", 1, 2).field_label == "Gone_field"


# --- Unread changes and marking them read ---------------------------------------------


def _record(programme, *, title: str, actor=None):
    before = changes.programme_snapshots([programme.pk])
    programme.projects.filter(position=1).update(title=title)
    (change_set,) = changes.programme_changes_record(actor=actor, before=before)
    return change_set


def test_it_counts_and_lists_a_mentors_unread_change_sets(programme, mentor, staff):
    assert changes.programme_changes_unread_count(mentor) == 0
    first = _record(programme, title="A", actor=staff)
    second = _record(programme, title="B", actor=staff)

    assert changes.programme_changes_unread_count(mentor) == 2
    assert changes.programme_changes_unread_count(mentor, programme=programme) == 2
    unread = changes.programme_changes_unread(mentor)
    assert [change_set.pk for change_set in unread] == [first.pk, second.pk]
    assert unread[0].change_count == 1
    assert unread[0].programme == programme
    assert unread[0].url == f"/programmes/data/changes/#change-set-{first.pk}"
    assert [c.pk for c in changes.programme_changes_unread(mentor, limit=1)] == [first.pk]


def test_it_marks_one_change_set_read_and_its_notification(programme, mentor):
    first = _record(programme, title="A")
    second = _record(programme, title="B")

    marked = changes.programme_change_sets_mark_read(
        mentor=mentor, programme=programme, change_set_ids=[first.pk]
    )

    assert marked == 1
    assert [c.pk for c in changes.programme_changes_unread(mentor)] == [second.pk]
    receipt = ProgrammeChangeReceipt.objects.get(change_set=first)
    assert receipt.notification.read_at is not None
    assert ProgrammeChangeReceipt.objects.get(change_set=second).notification.read_at is None
    assert (
        changes.programme_change_sets_mark_read(
            mentor=mentor, programme=programme, change_set_ids=[first.pk]
        )
        == 0
    )


def test_it_marks_all_read_for_the_mentor_alone(programme, mentor):
    colleague = MentorFactory()
    colleague.mentor_profile.programmes.add(programme)
    _record(programme, title="A")
    _record(programme, title="B")

    assert changes.programme_change_sets_mark_read(mentor=mentor, programme=programme) == 2

    assert changes.programme_changes_unread_count(mentor) == 0
    assert changes.programme_changes_unread_count(colleague) == 2


def test_it_leaves_out_programmes_the_mentor_no_longer_teaches(programme, mentor):
    _record(programme, title="A")
    mentor.mentor_profile.programmes.remove(programme)

    assert changes.programme_changes_unread_count(mentor) == 0
    assert changes.programme_changes_unread(mentor) == []


def test_it_tells_only_active_mentors(programme, mentor):
    mentor.is_active = False
    mentor.save()

    change_set = _record(programme, title="A")

    assert change_set.receipts.count() == 0
    assert Notification.objects.count() == 0


def test_it_orders_changes_by_kind_of_object_then_by_number():
    after = {
        ("criterion", 5): changes.SnapshotRow("2. B › 1. C", {"title": "C"}),
        ("project", 3): changes.SnapshotRow("10. A", {"title": "A"}),
        ("project", 4): changes.SnapshotRow("2. B", {"title": "B"}),
    }

    found = changes.snapshot_changes({}, after)

    assert [change.object_label for change in found] == ["2. B", "10. A", "2. B › 1. C"]
