"""The weekly e-mail digest to each supervisor: how their team's scores moved in the
last closed week on the supervisor's calendar, the biggest changes first, with a link
to the dashboard. Sent through the notification service (in the portal, and by e-mail
to those who want it), once per supervisor and week (``TeamDigest``)."""

from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import number_format
from django.utils.http import urlencode
from django.utils.translation import gettext

from mentorship.models import Role, User
from mentorship.notifications import NotificationMessage, notifications_send
from mentorship.selectors import mentors_visible_to

from .models import TeamDigest
from .periods import Period, PeriodKind
from .scorecards import TeamRow, team_composites

DIGEST_KIND = "team_digest"


@dataclass
class TeamDigestContent:
    supervisor: User
    week: Period
    rows: list[TeamRow]

    @property
    def changes(self) -> list[TeamRow]:
        """Mentors with a score, the biggest move (up or down) first; then those
        without one."""

        def change(row: TeamRow) -> float:
            if row.overall is None or row.previous is None:
                return -1.0
            return abs(row.overall - row.previous)

        return sorted(self.rows, key=lambda row: (-change(row), str(row.mentor)))


def team_digest_content(*, supervisor: User, week: Period) -> TeamDigestContent:
    """The team's composites in ``week`` and the week before (``team_composites``)."""
    mentors = list(
        mentors_visible_to(supervisor).filter(is_active=True).order_by("display_name", "email")
    )
    rows = team_composites(mentors=mentors, period=week, reader=supervisor) if mentors else {}
    return TeamDigestContent(supervisor=supervisor, week=week, rows=list(rows.values()))


def _line(row: TeamRow) -> str:
    if row.overall is None:
        return gettext("%(name)s: no score yet") % {"name": row.mentor}
    score = number_format(row.overall, 0)
    if row.previous is None:
        return gettext("%(name)s: %(score)s") % {"name": row.mentor, "score": score}
    change = row.overall - row.previous
    if abs(change) < 1:
        return gettext("%(name)s: %(score)s, as the week before") % {
            "name": row.mentor,
            "score": score,
        }
    template = (
        gettext("%(name)s: %(score)s, up %(change)s")
        if change > 0
        else gettext("%(name)s: %(score)s, down %(change)s")
    )
    return template % {"name": row.mentor, "score": score, "change": number_format(abs(change), 0)}


def team_digest_text(content: TeamDigestContent) -> str:
    """The digest's text in the active language: one line per mentor."""
    if not content.rows:
        return gettext("No mentors in your team yet.")
    lines = [
        gettext("Overall scores (0-100) for %(week)s, biggest changes first:")
        % {"week": content.week.label},
        "",
    ]
    lines.extend(_line(row) for row in content.changes)
    return "\n".join(lines)


def team_digests_send(*, now=None) -> int:
    """Mondays: each supervisor's digest of their last closed week, once (a second run,
    or two workers at once, send nothing more). Returns how many were sent."""
    now = now or timezone.now()
    sent = 0
    supervisors = User.objects.filter(role=Role.SUPERVISOR, is_active=True).order_by("pk")
    for supervisor in supervisors:
        today = now.astimezone(supervisor.zone).date()
        week = Period.containing(today, PeriodKind.WEEK).previous()
        try:
            with transaction.atomic():
                TeamDigest.objects.create(supervisor=supervisor, week=week.key, sent_at=now)
                with translation.override(supervisor.language):
                    content = team_digest_content(supervisor=supervisor, week=week)
                    body = team_digest_text(content)
                    # Rendered here, names and all: nothing left for the service to fill.
                    title = gettext("Your team's week: %(week)s") % {"week": week.label}
                url = reverse("metrics:dashboard") + "?" + urlencode({"period": week.key})
                notifications_send(
                    messages=[
                        NotificationMessage(
                            user=supervisor,
                            kind=DIGEST_KIND,
                            title=title,
                            body=body,
                            url=url,
                        )
                    ]
                )
        except IntegrityError:
            continue  # already sent for this week
        sent += 1
    return sent
