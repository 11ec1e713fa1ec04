"""The supervisors' weekly digest: their team's scores of the last closed week, the
biggest changes first, once per supervisor and week, in the supervisor's language."""

from datetime import UTC, datetime

import pytest
from django.utils import translation

from mentorship.models import Notification
from mentorship.tests.factories import MentorFactory
from metrics.digests import DIGEST_KIND, team_digest_content, team_digest_text, team_digests_send
from metrics.models import MetricSnapshot, SnapshotRun, TeamDigest
from metrics.periods import Period

# Monday 12 October 2026, noon UTC: the week of 5 October is the last closed one.
MONDAY = datetime(2026, 10, 12, 12, 0, tzinfo=UTC)
WEEK = Period.parse("2026-W41")


def _scores(mentor, **percentiles):
    """The first-attempt percentile of a mentor per week key (their only ranked figure,
    so it is their overall score)."""
    for key, percentile in percentiles.items():
        period = Period.parse(key.replace("_", "-"))
        SnapshotRun.objects.get_or_create(zone="UTC", period=period.key)
        MetricSnapshot.objects.create(
            mentor=mentor,
            zone="UTC",
            period=period.key,
            metric="first_attempt",
            value=0.5,
            n=10,
            percentile=percentile,
        )


@pytest.fixture
def team(mentor, supervisor):
    riser = MentorFactory(display_name="Rita Riser")
    riser.mentor_profile.supervisor = supervisor
    riser.mentor_profile.save()
    newcomer = MentorFactory(display_name="Nina Newcomer")
    newcomer.mentor_profile.supervisor = supervisor
    newcomer.mentor_profile.save()
    _scores(mentor, **{"2026_W40": 60, "2026_W41": 55})
    _scores(riser, **{"2026_W40": 40, "2026_W41": 70})
    return {"mentor": mentor, "riser": riser, "newcomer": newcomer}


def test_it_lists_the_team_biggest_change_first(team, supervisor):
    content = team_digest_content(supervisor=supervisor, week=WEEK)
    with translation.override("en"):
        text = team_digest_text(content)
    lines = text.splitlines()
    assert lines[2:] == [
        "Rita Riser: 70, up 30",
        "Maria Mentor: 55, down 5",
        "Nina Newcomer: no score yet",
    ]


def test_it_sends_each_supervisor_their_digest_once(team, supervisor, other_supervisor):
    assert team_digests_send(now=MONDAY) == 2
    assert team_digests_send(now=MONDAY) == 0

    [digest] = Notification.objects.filter(user=supervisor, kind=DIGEST_KIND)
    assert digest.title == "Your team's week: Week of 5 October 2026"
    assert "Rita Riser: 70, up 30" in digest.body
    assert digest.url.endswith("?period=2026-W41")
    other = Notification.objects.get(user=other_supervisor, kind=DIGEST_KIND)
    assert other.body == "No mentors in your team yet."
    assert TeamDigest.objects.count() == 2


def test_it_writes_in_the_supervisor_language(team, supervisor):
    supervisor.language = "ru"
    supervisor.save()
    team_digests_send(now=MONDAY)
    digest = Notification.objects.get(user=supervisor, kind=DIGEST_KIND)
    assert digest.written_title.startswith("Неделя вашей команды")
    assert "Rita Riser: 70, выше на 30" in digest.written_body
    with translation.override("ru"):
        assert digest.title == digest.written_title
        assert digest.body == digest.written_body
    # Read in English once the supervisor switches.
    assert digest.title == "Your team's week: Week of 5 October 2026"
    assert "Rita Riser: 70, up 30" in digest.body


def test_it_takes_the_week_on_the_supervisor_calendar(team, supervisor):
    # Monday 00:30 in Moscow is still Sunday in UTC: the week before is the one closed.
    supervisor.time_zone = "Europe/Moscow"
    supervisor.save()
    team_digests_send(now=datetime(2026, 10, 11, 21, 30, tzinfo=UTC))
    assert TeamDigest.objects.get(supervisor=supervisor).week == "2026-W41"
    supervisor.time_zone = "America/Los_Angeles"
    supervisor.save()
    TeamDigest.objects.all().delete()
    team_digests_send(now=datetime(2026, 10, 11, 21, 30, tzinfo=UTC))
    assert TeamDigest.objects.get(supervisor=supervisor).week == "2026-W40"
