"""Export and erase a student's personal data (``mentorship.personal_data``): who may,
whom, the confirmation, the admin pages. What each app exports and erases is tested
across all of them in ``metrics/tests/test_personal_data.py``."""

import io
import json
import zipfile

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from mentorship import personal_data
from mentorship.access import NotAllowed
from mentorship.audit import AuditAction, AuditEntry
from mentorship.personal_data import (
    Erasure,
    PersonalDataExport,
    personal_data_erase,
    personal_data_export,
    personal_data_parts,
    personal_data_register,
)

pytestmark = pytest.mark.django_db


def test_every_app_registers_its_part():
    assert [part.name for part in personal_data_parts()] == [
        "mentorship",
        "projects",
        "students",
        "knowledge_base",
        "metrics",
    ]


@pytest.mark.parametrize("role", ["student", "mentor", "supervisor", "other_student"])
def test_only_staff_export_or_erase(request, student, role):
    by = request.getfixturevalue(role)

    with pytest.raises(NotAllowed):
        personal_data_export(student=student, by=by)
    with pytest.raises(NotAllowed):
        personal_data_erase(student=student, by=by, confirm=str(student))

    student.refresh_from_db()
    assert student.is_active
    assert not AuditEntry.objects.exists()


@pytest.mark.parametrize("role", ["mentor", "supervisor", "staff"])
def test_it_refuses_anyone_but_a_student(request, staff, role):
    person = request.getfixturevalue(role)

    with pytest.raises(ValidationError):
        personal_data_export(student=person, by=staff)
    with pytest.raises(ValidationError):
        personal_data_erase(student=person, by=staff, confirm=str(person))

    person.refresh_from_db()
    assert person.is_active


def test_it_erases_nothing_without_the_name_typed(student, staff):
    with pytest.raises(ValidationError):
        personal_data_erase(student=student, by=staff, confirm="someone else")

    student.refresh_from_db()
    assert student.is_active
    assert not AuditEntry.objects.exists()


def test_the_name_typed_may_differ_in_case_or_be_the_email(student, staff):
    personal_data_erase(student=student, by=staff, confirm=f"  {student.email.upper()} ")

    student.refresh_from_db()
    assert not student.is_active


def test_an_erasure_that_fails_erases_nothing(student, staff):
    def failing(erasure: Erasure) -> dict:
        raise RuntimeError("a part failed")

    original = {part.name: part for part in personal_data_parts()}
    personal_data_register("failing", export=lambda user: PersonalDataExport(), erase=failing)
    try:
        with pytest.raises(RuntimeError):
            personal_data_erase(student=student, by=staff, confirm=str(student))
    finally:
        personal_data._parts.pop("failing")
    assert set(original) == {part.name for part in personal_data_parts()}
    student.refresh_from_db()
    assert student.is_active
    assert not AuditEntry.objects.exists()


def test_erasing_is_recorded(student, staff):
    personal_data_erase(student=student, by=staff, confirm=str(student))

    entry = AuditEntry.objects.get()
    assert (entry.action, entry.actor, entry.subject) == (
        AuditAction.PERSONAL_DATA_ERASED,
        staff,
        student,
    )
    assert entry.object_label == f"Erased student {student.pk}"


# --- The admin pages ----------------------------------------------------------------


def _page(student) -> str:
    return reverse("admin:mentorship_user_personal_data", args=[student.pk])


def _export(student) -> str:
    return reverse("admin:mentorship_user_personal_data_export", args=[student.pk])


def test_staff_find_the_page_from_the_students_admin_page(client, as_user, student, mentor):
    as_user("staff")

    page = client.get(reverse("admin:mentorship_user_change", args=[student.pk]))
    mentors = client.get(reverse("admin:mentorship_user_change", args=[mentor.pk]))

    assert _page(student) in page.content.decode()
    assert "personal-data" not in mentors.content.decode()


def test_staff_download_the_zip(client, as_user, student):
    as_user("staff")

    response = client.post(_export(student))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    assert "no-store" in response["Cache-Control"]
    archive = zipfile.ZipFile(io.BytesIO(response.content))
    document = json.loads(archive.read("personal-data.json"))
    assert document["parts"]["mentorship"]["account"][0]["email"] == student.email


def test_staff_erase_with_the_name_typed(client, as_user, student):
    as_user("staff")

    wrong = client.post(_page(student), {"confirm": "nobody"})
    right = client.post(_page(student), {"confirm": str(student)})

    assert wrong.status_code == 400
    assert right.status_code == 302
    student.refresh_from_db()
    assert not student.is_active


@pytest.mark.parametrize("role", ["mentor", "supervisor", "staff"])
def test_the_pages_answer_404_for_anyone_but_a_student(client, as_user, request, role):
    as_user("staff")
    person = request.getfixturevalue(role)

    assert client.get(_page(person)).status_code == 404
    assert client.post(_export(person)).status_code == 404
    assert client.get(_page(person).replace(f"/{person.pk}/", "/abc/")).status_code == 404


def test_the_export_takes_post_only(client, as_user, student):
    as_user("staff")

    assert client.get(_export(student)).status_code == 405
    assert not AuditEntry.objects.exists()


def test_the_page_takes_get_and_post_only(client, as_user, student):
    as_user("staff")

    assert client.delete(_page(student)).status_code == 405
    student.refresh_from_db()
    assert student.is_active


@pytest.mark.parametrize(
    "role",
    ["student", "other_student", "mentor", "other_mentor", "supervisor", "other_supervisor"],
)
def test_nobody_else_reaches_the_pages(client, as_user, student, role):
    as_user(role)

    page = client.get(_page(student))
    export = client.post(_export(student))
    erase = client.post(_page(student), {"confirm": str(student)})

    # The admin sends everyone but staff to its login page.
    assert {page.status_code, export.status_code, erase.status_code} == {302}
    student.refresh_from_db()
    assert student.is_active
    assert not AuditEntry.objects.exists()


def test_anonymous_is_sent_to_log_in(client, student):
    assert client.post(_export(student)).status_code == 302
    assert client.get(_page(student)).status_code == 302
    assert client.post(_page(student), {"confirm": str(student)}).status_code == 302
    student.refresh_from_db()
    assert student.is_active
    assert not AuditEntry.objects.exists()
