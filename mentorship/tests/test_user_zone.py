"""``User.zone``: the time zone every "their day" and "their week" is read in."""

import zoneinfo

from mentorship.models import User


def test_it_reads_the_persons_time_zone(student):
    student.time_zone = "Europe/Moscow"

    assert student.zone == zoneinfo.ZoneInfo("Europe/Moscow")


def test_it_falls_back_to_utc_for_a_zone_it_does_not_know(student):
    User.objects.filter(pk=student.pk).update(time_zone="Mars/Olympus_Mons")
    student.refresh_from_db()

    assert student.zone == zoneinfo.ZoneInfo("UTC")
