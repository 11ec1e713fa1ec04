"""Review consistency: whether a mentor reviews harder or softer than the rest of their
team, so a too harsh or too lenient reviewer stands out.

This module owns the comparison (``review_consistency``), the mentors a person may
compare (``consistency_mentors``) and the rule that marks a mentor.

Over the reviews written in a period [start, end), for each mentor of the team:

- their *approval rate*: reviews approved out of their reviews;
- beside it, the *team's rate on the same projects*, like with like: for each project
  the mentor reviewed, the approval rate of the rest of the team (the other mentors
  given) on that project, weighted by how many of that project's reviews the mentor
  wrote. A mentor who reviews mostly a hard project is compared with how the others
  review that hard project, not with the team's overall rate. Projects nobody else
  reviewed in the period cannot be compared and are left out of the comparison (the
  mentor's rate on the projects compared is then shown beside their overall rate);
- per rubric criterion of those projects: the share of the mentor's verdicts that said
  "met", beside the rest of the team's share on the same criterion.

A mentor is marked *harsher* when their approval rate on the projects compared is more
than ``THRESHOLD_POINTS`` (20) percentage points below the team's, *more lenient* when
it is more than 20 points above, and *in line* otherwise; only when both sides stand on
at least ``MIN_REVIEWS`` (5) reviews. With fewer, it is too few to tell; a mentor who
wrote no review in the period has no rate at all. The difference is computed exactly
(fractions), so exactly 20 points is still in line.

Three queries whatever the size of the team: the mentors, the reviews counted by mentor
and project, the criterion verdicts counted by mentor and criterion."""

import hashlib
from dataclasses import dataclass, field
from datetime import datetime
from fractions import Fraction

from django.core.cache import cache
from django.db.models import Count, Exists, OuterRef, Q, QuerySet, TextChoices
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from mentorship.models import Role, User
from mentorship.selectors import mentors_visible_to
from mentorship.translated import translated
from projects.models import CriterionVerdict, Review, Verdict

CONSISTENCY_ROLES = (Role.SUPERVISOR, Role.STAFF)

# A mentor stands out when their approval rate differs from the team's on the same
# projects by more than this many percentage points...
THRESHOLD_POINTS = 20
# ...and only when both rates stand on at least this many reviews. Below it a share is
# shown as "3 of 4", never as a percentage.
MIN_REVIEWS = 5


class ConsistencyMark(TextChoices):
    IN_LINE = "in_line", _("In line with the team")
    HARSHER = "harsher", _("Harsher than the team")
    LENIENT = "lenient", _("More lenient than the team")
    TOO_FEW = "too_few", _("Too few reviews to tell")
    NO_REVIEWS = "no_reviews", _("No reviews")


@dataclass(frozen=True)
class Share:
    """``part`` of ``whole`` (approved of reviewed, met of judged)."""

    part: int
    whole: int

    @property
    def rate(self) -> float | None:
        return self.part / self.whole if self.whole else None

    @property
    def percent(self) -> int | None:
        """The rate in whole percent, only once it stands on ``MIN_REVIEWS``."""
        if self.whole < MIN_REVIEWS:
            return None
        return round(100 * self.part / self.whole)


@dataclass(frozen=True)
class TeamRate:
    """The rest of the team's rate on the mentor's projects, weighted to the mentor's
    mix, and how many of the others' records it stands on."""

    exact: Fraction | None
    n: int

    @property
    def rate(self) -> float | None:
        return float(self.exact) if self.exact is not None else None

    @property
    def percent(self) -> int | None:
        if self.exact is None or self.n < MIN_REVIEWS:
            return None
        return round(100 * self.exact)


@dataclass(frozen=True)
class CriterionConsistency:
    criterion_id: int
    title: str
    position: int
    project_id: int
    project_title: str
    mentor: Share  # the mentor's verdicts on it that said "met"
    team: Share  # the rest of the team's

    @property
    def chart_ready(self) -> bool:
        """Whether the bars may be drawn: both sides stand on ``MIN_REVIEWS``."""
        return self.mentor.whole >= MIN_REVIEWS and self.team.whole >= MIN_REVIEWS

    @property
    def mentor_width(self) -> float:
        return round(100 * (self.mentor.rate or 0), 1)

    @property
    def team_x(self) -> float:
        return round(100 * (self.team.rate or 0), 1)


@dataclass
class MentorConsistency:
    mentor: User
    reviews: Share  # approved of all their reviews in the period
    compared: Share  # approved of their reviews of projects the others reviewed too
    team: TeamRate  # the others' rate on those projects, weighted like the mentor's
    mark: str
    criteria: list[CriterionConsistency] = field(default_factory=list)

    @property
    def difference(self) -> Fraction | None:
        """The mentor's rate on the projects compared minus the team's (a fraction of
        1; negative: harsher)."""
        if not self.compared.whole or self.team.exact is None:
            return None
        return Fraction(self.compared.part, self.compared.whole) - self.team.exact

    @property
    def difference_points(self) -> int | None:
        """The difference in whole percentage points, once a mark is decided."""
        if self.mark not in (
            ConsistencyMark.IN_LINE,
            ConsistencyMark.HARSHER,
            ConsistencyMark.LENIENT,
        ):
            return None
        return round(100 * self.difference)

    @property
    def difference_size(self) -> int | None:
        """How many points apart, without the sign (the page writes the sign itself)."""
        points = self.difference_points
        return abs(points) if points is not None else None

    @property
    def left_out(self) -> int:
        """Reviews of projects nobody else reviewed: not compared."""
        return self.reviews.whole - self.compared.whole

    @property
    def mark_label(self) -> str:
        return ConsistencyMark(self.mark).label

    @property
    def stands_out(self) -> bool:
        return self.mark in (ConsistencyMark.HARSHER, ConsistencyMark.LENIENT)


@dataclass
class ReviewConsistency:
    start: datetime
    end: datetime
    mentors: list[MentorConsistency]
    threshold_points: int = THRESHOLD_POINTS
    min_reviews: int = MIN_REVIEWS


def consistency_mark(*, compared: Share, team: TeamRate, reviews: int) -> str:
    """The rule: harsher or more lenient by more than ``THRESHOLD_POINTS`` points when
    both sides stand on ``MIN_REVIEWS`` reviews, in line within it, too few below."""
    if not reviews:
        return ConsistencyMark.NO_REVIEWS
    if compared.whole < MIN_REVIEWS or team.exact is None or team.n < MIN_REVIEWS:
        return ConsistencyMark.TOO_FEW
    difference = Fraction(compared.part, compared.whole) - team.exact
    threshold = Fraction(THRESHOLD_POINTS, 100)
    if difference < -threshold:
        return ConsistencyMark.HARSHER
    if difference > threshold:
        return ConsistencyMark.LENIENT
    return ConsistencyMark.IN_LINE


def review_consistency(*, mentor_ids, start: datetime, end: datetime) -> ReviewConsistency:
    """Each mentor's approval rate and criterion verdicts over the reviews they wrote
    in [``start``, ``end``), beside the rest of the given mentors' on the same projects
    and criteria, and whether they stand out (see the module's docstring). The mentors
    come by name; three queries."""
    mentor_ids = list(mentor_ids)
    result = ReviewConsistency(start=start, end=end, mentors=[])
    if not mentor_ids:
        return result
    mentors = list(User.objects.filter(pk__in=mentor_ids).order_by("display_name", "email"))
    reviews = Review.objects.filter(
        reviewer_id__in=mentor_ids, created_at__gte=start, created_at__lt=end
    )
    by_project = (
        reviews.order_by()
        .values("reviewer_id", "submission__project_id")
        .annotate(n=Count("pk"), approved=Count("pk", filter=Q(verdict=Verdict.APPROVED)))
    )
    by_criterion = (
        CriterionVerdict.objects.filter(
            review__reviewer_id__in=mentor_ids,
            review__created_at__gte=start,
            review__created_at__lt=end,
        )
        .order_by()
        .values(
            "review__reviewer_id",
            "criterion_id",
            "criterion__position",
            "criterion__project_id",
            # In the reader's language (the criterion's and project's own columns).
            criterion_title=translated("criterion__title"),
            project_title=translated("criterion__project__title"),
        )
        .annotate(n=Count("pk"), met=Count("pk", filter=Q(met=True)))
    )

    # (mentor, project) -> (reviews, approved), and each project's totals over all.
    counts: dict[int, dict[int, tuple[int, int]]] = {pk: {} for pk in mentor_ids}
    project_totals: dict[int, tuple[int, int]] = {}
    for row in by_project:
        project = row["submission__project_id"]
        counts[row["reviewer_id"]][project] = (row["n"], row["approved"])
        total_n, total_approved = project_totals.get(project, (0, 0))
        project_totals[project] = (total_n + row["n"], total_approved + row["approved"])

    criteria: dict[int, list[dict]] = {pk: [] for pk in mentor_ids}
    criterion_totals: dict[int, tuple[int, int]] = {}
    for row in by_criterion:
        criteria[row["review__reviewer_id"]].append(row)
        total_n, total_met = criterion_totals.get(row["criterion_id"], (0, 0))
        criterion_totals[row["criterion_id"]] = (total_n + row["n"], total_met + row["met"])

    for mentor in mentors:
        own = counts[mentor.pk]
        reviewed = sum(n for n, _approved in own.values())
        approved = sum(approved for _n, approved in own.values())
        compared_n = compared_approved = team_n = 0
        weighted = Fraction(0)
        for project, (n, project_approved) in own.items():
            total_n, total_approved = project_totals[project]
            others_n = total_n - n
            if not others_n:
                continue  # nobody else reviewed it: nothing to compare with
            compared_n += n
            compared_approved += project_approved
            team_n += others_n
            weighted += n * Fraction(total_approved - project_approved, others_n)
        compared = Share(compared_approved, compared_n)
        team = TeamRate(weighted / compared_n if compared_n else None, team_n)
        rows = sorted(
            criteria[mentor.pk],
            key=lambda row: (row["project_title"], row["criterion__position"]),
        )
        result.mentors.append(
            MentorConsistency(
                mentor=mentor,
                reviews=Share(approved, reviewed),
                compared=compared,
                team=team,
                mark=consistency_mark(compared=compared, team=team, reviews=reviewed),
                criteria=[
                    CriterionConsistency(
                        criterion_id=row["criterion_id"],
                        title=row["criterion_title"],
                        position=row["criterion__position"],
                        project_id=row["criterion__project_id"],
                        project_title=row["project_title"],
                        mentor=Share(row["met"], row["n"]),
                        team=Share(
                            criterion_totals[row["criterion_id"]][1] - row["met"],
                            criterion_totals[row["criterion_id"]][0] - row["n"],
                        ),
                    )
                    for row in rows
                ],
            )
        )
    return result


# How long the dashboard reuses a team's consistency: reviews of a closed period no
# longer change, and a new one of the current period shows within minutes.
CONSISTENCY_CACHE_SECONDS = 300


def consistency_cache_key(*, mentor_ids, start: datetime, end: datetime) -> str:
    """The key a team's consistency in a period is kept under (and its summary as the
    dashboard renders it, which changes with it), per language: the criteria and
    projects are named in the reader's."""
    ids = hashlib.sha256(",".join(map(str, sorted(mentor_ids))).encode()).hexdigest()[:32]
    return f"metrics:consistency:{ids}:{start.isoformat()}:{end.isoformat()}:{get_language()}"


def review_consistency_cached(*, mentor_ids, start: datetime, end: datetime) -> ReviewConsistency:
    """``review_consistency`` kept in the cache for ``CONSISTENCY_CACHE_SECONDS``: the
    dashboard shows it on every visit, and at a hundred thousand students its three
    queries take tens of milliseconds."""
    mentor_ids = sorted(mentor_ids)
    key = consistency_cache_key(mentor_ids=mentor_ids, start=start, end=end)
    found = cache.get(key)
    if found is None:
        found = review_consistency(mentor_ids=mentor_ids, start=start, end=end)
        cache.set(key, found, CONSISTENCY_CACHE_SECONDS)
    return found


def consistency_mentors(
    user: User, *, start: datetime, end: datetime, supervisor: User | None = None
) -> QuerySet[User]:
    """The mentors compared on a person's page: a supervisor's team, staff every
    mentor or one supervisor's team (``supervisor``). Those who left stay in while they
    wrote reviews in [``start``, ``end``), as those reviews are part of the team's rate.
    Nobody else compares mentors."""
    if not user.is_authenticated or not user.is_active or user.role not in CONSISTENCY_ROLES:
        return User.objects.none()
    mentors = mentors_visible_to(user)
    if supervisor is not None:
        mentors = mentors.filter(mentor_profile__supervisor=supervisor)
    reviewed = Review.objects.filter(
        reviewer=OuterRef("pk"), created_at__gte=start, created_at__lt=end
    )
    return mentors.filter(Q(is_active=True) | Exists(reviewed)).order_by("display_name", "email")
