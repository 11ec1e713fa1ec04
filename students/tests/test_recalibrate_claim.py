"""The nightly recalibration started twice at once (two beat schedulers) calibrates
once: the first takes the night's claim, the other returns; a calibration that fails
gives the claim back so that its retry runs."""

import pytest
from django.db import OperationalError

from students import tasks
from students.models import FlagSettings

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def recalibrate_nightly():
    FlagSettings.objects.update_or_create(pk=1, defaults={"recalibrate_nightly": True})


def test_it_calibrates_once_when_started_twice_in_one_night(monkeypatch):
    calibrations = []
    monkeypatch.setattr(tasks, "calibrate_flags", lambda: calibrations.append(1) or 7)

    assert [tasks.recalibrate_flags_nightly.run(), tasks.recalibrate_flags_nightly.run()] == [
        7,
        None,
    ]
    assert calibrations == [1]


def test_it_gives_the_claim_back_when_the_calibration_fails(monkeypatch):
    def lost_connection():
        raise OperationalError("connection lost")

    monkeypatch.setattr(tasks, "calibrate_flags", lost_connection)
    with pytest.raises(OperationalError):
        tasks.recalibrate_flags_nightly.run()
    monkeypatch.setattr(tasks, "calibrate_flags", lambda: 7)

    assert tasks.recalibrate_flags_nightly.run() == 7
