"""Writes to the knowledge base: case discussions and improvement proposals. Each
write on someone's behalf asks the rule in ``selectors`` first (``may_reply_to_case``,
``may_resolve_case``, ``may_decide_proposal``) and raises ``NotAllowed`` when not."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from mentorship.access import NotAllowed
from mentorship.messages import choice_param
from mentorship.models import MentorProfile, Role, User
from mentorship.notifications import notification_send
from mentorship.selectors import students_visible_to
from projects.models import Programme, Project

from .models import CaseDiscussion, CaseReply, ImprovementProposal, ProposalStatus, ProposalSubject
from .selectors import (
    cases_visible_to,
    may_decide_proposal,
    may_reply_to_case,
    may_resolve_case,
    proposals_visible_to,
)

# --- Case discussions -----------------------------------------------------------------


def _case_supervisor(case: CaseDiscussion) -> User | None:
    profile = MentorProfile.objects.filter(user_id=case.author_id).select_related("supervisor")
    profile = profile.first()
    return profile.supervisor if profile else None


def case_open(
    *,
    author: User,
    audience: str,
    title: str,
    body: str,
    student: User | None = None,
) -> CaseDiscussion:
    """A mentor raises a hard case, optionally about one of their current students.
    Their supervisor is told; other mentors are not notified (they find it in the list)."""
    if author.role != Role.MENTOR:
        raise NotAllowed(_("Only mentors raise case discussions."))
    if student is not None and not students_visible_to(author).filter(pk=student.pk).exists():
        # A mentor sees their current students only: any other is hidden from them.
        raise NotAllowed(_("Choose one of your current students."), hidden=True)
    with transaction.atomic():
        case = CaseDiscussion(
            author=author,
            audience=audience,
            title=title.strip(),
            body=body.strip(),
            student=student,
        )
        case.full_clean()
        case.save()
        supervisor = _case_supervisor(case)
        if supervisor is not None and supervisor.is_active:
            notification_send(
                user=supervisor,
                kind="case_opened",
                title=gettext_lazy("%(author)s raised a case: %(title)s"),
                url=reverse("knowledge_base:case_detail", args=[case.pk]),
                params={"author": str(author), "title": case.title},
            )
    return case


def case_reply(*, case: CaseDiscussion, author: User, body: str) -> CaseReply:
    """Someone who may see the case answers in its thread; the case's author is told
    unless they wrote the reply. Replies by other mentors count as peer help."""
    if not may_reply_to_case(author, case=case):
        raise NotAllowed.unless_visible(
            _("You cannot reply to this case."), visible=cases_visible_to(author), pk=case.pk
        )
    with transaction.atomic():
        reply = CaseReply(case=case, author=author, body=body.strip())
        reply.full_clean()
        reply.save()
        if author.pk != case.author_id:
            notification_send(
                user=case.author,
                kind="case_replied",
                title=gettext_lazy("%(author)s replied to your case: %(title)s"),
                url=reverse("knowledge_base:case_detail", args=[case.pk]),
                params={"author": str(author), "title": case.title},
            )
    return reply


def case_resolve(*, case: CaseDiscussion, by: User) -> CaseDiscussion:
    """The author, their supervisor or staff (``may_resolve_case``) mark a case
    resolved; doing it twice changes nothing."""
    if not may_resolve_case(by, case=case):
        raise NotAllowed.unless_visible(
            _("Only the author, their supervisor or staff resolve a case."),
            visible=cases_visible_to(by),
            pk=case.pk,
        )
    with transaction.atomic():
        case = CaseDiscussion.objects.select_for_update().get(pk=case.pk)
        if case.resolved_at is None:
            case.resolved_at = timezone.now()
            case.resolved_by = by
            case.full_clean()
            case.save(update_fields=["resolved_at", "resolved_by"])
    return case


# --- Improvement proposals ------------------------------------------------------------


PROPOSAL_TRANSITIONS = {
    ProposalStatus.NEW: {ProposalStatus.UNDER_REVIEW},
    ProposalStatus.UNDER_REVIEW: {ProposalStatus.ACCEPTED, ProposalStatus.DECLINED},
    ProposalStatus.ACCEPTED: {ProposalStatus.DONE},
    ProposalStatus.DECLINED: set(),
    ProposalStatus.DONE: set(),
}


def proposal_create(
    *,
    author: User,
    subject: str,
    title: str,
    body: str,
    programme: Programme | None = None,
    project: Project | None = None,
) -> ImprovementProposal:
    """A mentor files a proposal about a programme, a project or the platform."""
    if author.role != Role.MENTOR:
        raise NotAllowed(_("Only mentors file improvement proposals."))
    if subject == ProposalSubject.PROGRAMME and programme is None:
        raise ValidationError({"programme": _("Choose the programme this is about.")})
    if subject == ProposalSubject.PROJECT and project is None:
        raise ValidationError({"project": _("Choose the project this is about.")})
    proposal = ImprovementProposal(
        author=author,
        subject=subject,
        title=title,
        body=body,
        programme=programme if subject == ProposalSubject.PROGRAMME else None,
        project=project if subject == ProposalSubject.PROJECT else None,
    )
    proposal.full_clean()
    proposal.save()
    return proposal


def proposal_update(
    *, proposal: ImprovementProposal, by: User, status: str, reply: str = ""
) -> ImprovementProposal:
    """Staff move a proposal on (new → under review → accepted or declined, accepted →
    done) with a reply; the author is told. Other moves are refused."""
    if not may_decide_proposal(by):
        raise NotAllowed.unless_visible(
            _("Only staff decide on proposals."),
            visible=proposals_visible_to(by),
            pk=proposal.pk,
        )
    with transaction.atomic():
        proposal = ImprovementProposal.objects.select_for_update().get(pk=proposal.pk)
        if status not in PROPOSAL_TRANSITIONS.get(proposal.status, set()):
            raise ValidationError(
                {
                    "status": _("A proposal cannot go from %(current)s to %(new)s.")
                    % {
                        "current": ProposalStatus(proposal.status).label,
                        "new": ProposalStatus(status).label
                        if status in ProposalStatus.values
                        else status,
                    }
                }
            )
        proposal.status = status
        if reply.strip():
            proposal.reply = reply.strip()
        if status in (ProposalStatus.ACCEPTED, ProposalStatus.DECLINED):
            proposal.decided_at = timezone.now()
        proposal.full_clean()
        proposal.save(update_fields=["status", "reply", "decided_at"])
        notification_send(
            user=proposal.author,
            kind="proposal",
            title=gettext_lazy("Your proposal “%(title)s” is now: %(status)s"),
            # The reply is what staff typed: a parameter, never the template.
            body=gettext_lazy("Reply: %(reply)s") if proposal.reply else "",
            url=reverse("knowledge_base:proposal", args=[proposal.pk]),
            params={
                "title": proposal.title,
                "status": choice_param(ImprovementProposal, "status", status),
                "reply": proposal.reply,
            },
        )
    return proposal
