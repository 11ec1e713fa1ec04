"""Scorecard weights changed in the admin are recorded in the audit trail."""

import pytest
from django.urls import reverse

from mentorship.audit import AuditAction, AuditEntry
from metrics.models import ScorecardWeights

pytestmark = pytest.mark.django_db


def _entry(action: str) -> AuditEntry:
    return AuditEntry.objects.get(action=action)


def test_it_records_new_scorecard_weights(client, as_user):
    as_user("staff")
    weights = ScorecardWeights.current()
    data = {
        field.name: getattr(weights, field.name)
        for field in ScorecardWeights._meta.fields
        if field.editable and field.name != "id"
    }

    response = client.post(
        reverse("admin:metrics_scorecardweights_change", args=[weights.pk]),
        {**data, "service": weights.service + 1},
    )

    assert response.status_code == 302, response.context["adminform"].form.errors
    entry = _entry(AuditAction.SCORECARD_WEIGHTS_CHANGED)
    assert (entry.before, entry.after) == (
        {"service": weights.service},
        {"service": weights.service + 1},
    )
