"""The weekly e-mail digest to each supervisor: how their team's scores moved in the
last closed week on the supervisor's calendar, the biggest changes first, with a link
to the dashboard. Sent through the notification service (in the portal, and by e-mail
to those who want it), once per supervisor and week (``TeamDigest``)."""

from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy

from mentorship.messages import lines_param, message_param, number_param, param_render
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


def _line(row: TeamRow) -> dict:
    """One mentor's line, kept as a message (mentorship.messages)."""
    name = str(row.mentor)
    if row.overall is None:
        return message_param(gettext_lazy("%(name)s: no score yet"), {"name": name})
    score = number_param(row.overall, 0)
    if row.previous is None:
        return message_param(gettext_lazy("%(name)s: %(score)s"), {"name": name, "score": score})
    change = row.overall - row.previous
    if abs(change) < 1:
        return message_param(
            gettext_lazy("%(name)s: %(score)s, as the week before"),
            {"name": name, "score": score},
        )
    template = (
        gettext_lazy("%(name)s: %(score)s, up %(change)s")
        if change > 0
        else gettext_lazy("%(name)s: %(score)s, down %(change)s")
    )
    return message_param(
        template, {"name": name, "score": score, "change": number_param(abs(change), 0)}
    )


def team_digest_lines(content: TeamDigestContent) -> dict:
    """The digest's text as a parameter of its notification: one line per mentor,
    read in the reader's language."""
    if not content.rows:
        return message_param(gettext_lazy("No mentors in your team yet."))
    heading = message_param(
        gettext_lazy("Overall scores (0-100) for %(week)s, biggest changes first:"),
        {"week": content.week.label_param},
    )
    return lines_param([heading, "", *(_line(row) for row in content.changes)])


def team_digest_text(content: TeamDigestContent) -> str:
    """The digest's text in the active language: one line per mentor."""
    return param_render(team_digest_lines(content))


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
                content = team_digest_content(supervisor=supervisor, week=week)
                url = reverse("metrics:dashboard") + "?" + urlencode({"period": week.key})
                notifications_send(
                    messages=[
                        NotificationMessage(
                            user=supervisor,
                            kind=DIGEST_KIND,
                            title=gettext_lazy("Your team's week: %(week)s"),
                            body=gettext_lazy("%(lines)s"),
                            url=url,
                            params={
                                "week": week.label_param,
                                "lines": team_digest_lines(content),
                            },
                        )
                    ]
                )
        except IntegrityError:
            continue  # already sent for this week
        sent += 1
    return sent
