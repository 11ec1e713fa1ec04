"""Reads of the knowledge base, and who may see what in it."""

from django.db.models import Count, F, IntegerField, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.http import Http404
from django.shortcuts import get_object_or_404

from mentorship.models import MentorProfile, Role, User

from .models import CASE_LIST_ORDER, CaseAudience, CaseDiscussion, CaseReply, ImprovementProposal

# --- Case discussions -----------------------------------------------------------------


def cases_visible_to(user: User) -> QuerySet[CaseDiscussion]:
    """Cases a person may see: the author; the author's supervisor; for cases raised to
    all mentors, every active mentor too; staff all. Students never, so a case about a
    student never reaches them."""
    cases = CaseDiscussion.objects.all()
    if not user.is_authenticated or not user.is_active:
        return cases.none()
    if user.role == Role.STAFF:
        return cases
    if user.role == Role.SUPERVISOR:
        return cases.filter(author__mentor_profile__supervisor=user)
    if user.role == Role.MENTOR:
        return cases.filter(Q(author=user) | Q(audience=CaseAudience.MENTORS))
    return cases.none()


def may_reply_to_case(user: User, *, case: CaseDiscussion) -> bool:
    """Whether this person may answer in the case's thread: anyone who may see it."""
    return cases_visible_to(user).filter(pk=case.pk).exists()


def may_resolve_case(user: User, *, case: CaseDiscussion) -> bool:
    """Whether this person may mark the case resolved: its author, their supervisor,
    staff."""
    if not user.is_authenticated or not user.is_active:
        return False
    if user.role == Role.STAFF or user.pk == case.author_id:
        return True
    return (
        user.role == Role.SUPERVISOR
        and MentorProfile.objects.filter(user_id=case.author_id, supervisor=user).exists()
    )


def case_for_user(user: User, pk: int) -> CaseDiscussion:
    """One case for this person, with its people loaded; 404 to outsiders."""
    return get_object_or_404(
        cases_visible_to(user).select_related("author", "student", "resolved_by"), pk=pk
    )


def cases_open_first(cases: QuerySet[CaseDiscussion]) -> QuerySet[CaseDiscussion]:
    """Open cases first, then resolved ones, newest first within each; people and the
    reply count loaded in the same query (the count as a subquery, so the page is taken
    before anything is counted, not after every visible case is joined to its replies
    and grouped)."""
    replies = (
        CaseReply.objects.filter(case_id=OuterRef("pk"))
        .order_by()
        .values("case_id")
        .annotate(count=Count("pk"))
        .values("count")
    )
    return (
        cases.select_related("author", "student")
        .annotate(reply_count=Coalesce(Subquery(replies, output_field=IntegerField()), 0))
        .order_by(*CASE_LIST_ORDER)
    )


def case_replies(*, case: CaseDiscussion) -> QuerySet[CaseReply]:
    return case.replies.select_related("author").order_by("created_at", "pk")


def peer_help_counts(*, mentor_ids, since=None, until=None) -> dict[int, int]:
    """Peer help: replies each mentor wrote on cases raised by other mentors (replies on
    one's own case do not count), since ``since`` and before ``until`` if given; one
    query. Mentors with none are absent."""
    replies = CaseReply.objects.filter(author_id__in=list(mentor_ids)).exclude(
        case__author_id=F("author_id")
    )
    if since is not None:
        replies = replies.filter(created_at__gte=since)
    if until is not None:
        replies = replies.filter(created_at__lt=until)
    rows = replies.values("author_id").annotate(count=Count("pk")).order_by()
    return {row["author_id"]: row["count"] for row in rows}


# --- Improvement proposals ------------------------------------------------------------


def proposals_visible_to(user: User) -> QuerySet[ImprovementProposal]:
    """A mentor sees their own; a supervisor their team's; staff all; students none."""
    proposals = ImprovementProposal.objects.select_related("author", "programme", "project")
    if not user.is_authenticated or not user.is_active:
        return proposals.none()
    if user.role == Role.STAFF:
        return proposals
    if user.role == Role.MENTOR:
        return proposals.filter(author=user)
    if user.role == Role.SUPERVISOR:
        return proposals.filter(author__mentor_profile__supervisor=user)
    return proposals.none()


def may_decide_proposal(user: User) -> bool:
    """Whether this person takes proposals to a decision: staff."""
    return user.is_authenticated and user.is_active and user.role == Role.STAFF


def proposal_for_user(user: User, pk: int) -> ImprovementProposal:
    try:
        return proposals_visible_to(user).get(pk=pk)
    except ImprovementProposal.DoesNotExist as error:
        raise Http404 from error
