"""Knowledge-base articles ("cases"): who reads one (``articles_visible_to``), who may
edit and publish, and the writes.

Students read published articles of their programmes, and those written for the whole
school (no programme); mentors and supervisors every published article and those they
wrote; staff everything."""

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.shortcuts import get_object_or_404

from mentorship.models import Role, User

from .models import Article, ArticleStatus
from .questions import programmes_of


def articles_visible_to(user: User) -> QuerySet[Article]:
    """Articles this person may read (the module docstring says who)."""
    articles = Article.objects.all()
    if not user.is_authenticated or not user.is_active:
        return articles.none()
    if user.role == Role.STAFF:
        return articles
    published = Q(status=ArticleStatus.PUBLISHED)
    if user.role == Role.STUDENT:
        for_programme = Article.programmes.through.objects.filter(article_id=OuterRef("pk"))
        return articles.filter(
            published
            & (
                ~Exists(for_programme)
                | Exists(for_programme.filter(programme_id__in=programmes_of(user).values("pk")))
            )
        )
    mine = Article.authors.through.objects.filter(article_id=OuterRef("pk"), user_id=user.pk)
    return articles.filter(published | Exists(mine))


def article_for_user(user: User, pk: int) -> Article:
    """One article for this person; 404 to outsiders."""
    return get_object_or_404(articles_visible_to(user), pk=pk)
