"""A programme's change log: what staff changed in its content, for its mentors
(who mark what they have read), their supervisors and staff."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_POST

from mentorship.models import Role

from .. import changes

PAGE_SIZE = 10


@require_GET
def programme_changes(request: HttpRequest, slug: str) -> HttpResponse:
    """The change sets of a programme, newest first, a page at a time, each with the
    before and after of every field it changed; the reader's unread ones marked."""
    programme = changes.programme_for_change_log(request.user, slug)
    change_sets = changes.programme_change_sets(programme=programme, reader=request.user)
    page = Paginator(change_sets, PAGE_SIZE).get_page(request.GET.get("page"))
    entries = [
        (change_set, changes.change_set_things(change_set)) for change_set in page.object_list
    ]
    user = request.user
    return render(
        request,
        "projects/programme_changes.html",
        {
            "programme": programme,
            "page": page,
            "entries": entries,
            # Only mentors are told of changes, so only they have any to mark read.
            "unread_count": changes.programme_changes_unread_count(user, programme=programme)
            if user.role == Role.MENTOR
            else 0,
        },
    )


def _back_to_log(request: HttpRequest, slug: str, *, anchor: str = "") -> HttpResponse:
    url = reverse("projects:programme_changes", kwargs={"slug": slug})
    page = request.POST.get("page", "")
    if page.isdigit() and page != "1":
        url += f"?page={page}"
    return redirect(url + anchor)


@require_POST
def change_set_read(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """The mentor has read one change set."""
    programme = changes.programme_for_change_log(request.user, slug)
    change_set = changes.programme_change_set_for_user(request.user, programme=programme, pk=pk)
    changes.programme_change_sets_mark_read(
        mentor=request.user, programme=programme, change_set_ids=[change_set.pk]
    )
    return _back_to_log(request, slug, anchor=f"#change-set-{change_set.pk}")


@require_POST
def changes_read_all(request: HttpRequest, slug: str) -> HttpResponse:
    """The mentor has read every change of the programme they were told of."""
    programme = changes.programme_for_change_log(request.user, slug)
    marked = changes.programme_change_sets_mark_read(mentor=request.user, programme=programme)
    if marked:
        messages.success(
            request,
            ngettext(
                "%(count)d change set marked read.",
                "%(count)d change sets marked read.",
                marked,
            )
            % {"count": marked},
        )
    else:
        messages.info(request, _("Nothing left to mark read."))
    return _back_to_log(request, slug)
