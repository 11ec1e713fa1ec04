"""The projects app's changes in the audit trail: a review's verdict (``review_submit``)
and a programme changed in the admin."""

import pytest
from django.urls import reverse

from mentorship.audit import AuditAction, AuditEntry
from projects.services import CriterionInput, review_submit
from projects.tests.factories import ProgrammeFactory
from projects.tests.helpers_curriculum import attempt_waiting, curriculum_create

pytestmark = pytest.mark.django_db


def _entry(action: str) -> AuditEntry:
    return AuditEntry.objects.get(action=action)


def test_it_records_a_review_verdict(student, mentor):
    curriculum = curriculum_create(projects=1, students=[student])
    submission = attempt_waiting(student=student, project=curriculum.first)

    review = review_submit(
        submission=submission,
        reviewer=mentor,
        verdict="changes_requested",
        feedback="Nearly",
        criteria={
            criterion.pk: CriterionInput(met=False)
            for criterion in curriculum.first.criteria.all()
        },
    )

    entry = _entry(AuditAction.REVIEW_SUBMITTED)
    assert (entry.actor, entry.subject, entry.object_id) == (mentor, student, str(review.pk))
    assert entry.before == {"status": "submitted"}
    assert entry.after == {"status": "changes_requested", "verdict": "changes_requested"}


def test_it_records_a_programme_change_and_not_an_unchanged_save(client, as_user):
    as_user("staff")
    programme = ProgrammeFactory(title="Data", is_active=True)
    url = reverse("admin:projects_programme_change", args=[programme.pk])
    form = {
        "title_en": "Data",
        "slug": programme.slug,
        "description_en": programme.description,
        "is_active": "",
        "projects-TOTAL_FORMS": "0",
        "projects-INITIAL_FORMS": "0",
    }

    response = client.post(url, form)

    assert response.status_code == 302, response.context["adminform"].form.errors
    entry = _entry(AuditAction.PROGRAMME_CHANGED)
    assert (entry.before, entry.after) == ({"is_active": True}, {"is_active": False})
    client.post(url, form)
    assert AuditEntry.objects.count() == 1
