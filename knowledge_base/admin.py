from django.contrib import admin
from django.db.models import Count
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from .models import (
    Answer,
    Article,
    ArticleVote,
    CaseDiscussion,
    CaseReply,
    Deflection,
    ImprovementProposal,
    Question,
    Topic,
)

# --- Case discussions -----------------------------------------------------------------


class CaseReplyInline(admin.TabularInline):
    model = CaseReply
    extra = 0
    fields = ["author", "body", "created_at"]
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(CaseDiscussion)
class CaseDiscussionAdmin(admin.ModelAdmin):
    """Read-only: mentors raise, answer and resolve cases in the portal, where the
    access rules and notifications live."""

    list_display = ["title", "author", "audience", "student", "created_at", "resolved_at"]
    list_filter = ["audience", "created_at"]
    search_fields = ["title", "author__email", "author__display_name"]
    date_hierarchy = "created_at"
    list_select_related = ["author", "student"]
    inlines = [CaseReplyInline]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


# --- Improvement proposals ------------------------------------------------------------


@admin.register(ImprovementProposal)
class ImprovementProposalAdmin(admin.ModelAdmin):
    list_display = ["title", "author", "subject", "status", "created_at"]
    list_filter = ["status", "subject"]
    list_select_related = ["author"]
    search_fields = ["title", "body", "author__email"]
    raw_id_fields = ["author", "programme", "project"]
    readonly_fields = ["created_at", "decided_at"]


# --- Topics, questions and articles ---------------------------------------------------


@admin.register(Topic)
class TopicAdmin(admin.ModelAdmin):
    """Staff name topics and map each to the projects that cover it: a topic students
    ask about with no project of their programme shows on the patterns page."""

    list_display = ["name", "slug", "project_count", "question_count"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}
    filter_horizontal = ["projects"]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(
                project_count=Count("projects", distinct=True),
                question_count=Count("questions", distinct=True),
            )
        )

    @admin.display(description=_("projects"), ordering="project_count")
    def project_count(self, obj):
        return obj.project_count

    @admin.display(description=_("questions"), ordering="question_count")
    def question_count(self, obj):
        return obj.question_count


class AnswerInline(admin.TabularInline):
    model = Answer
    extra = 0
    fields = ["author", "body", "is_follow_up", "created_at"]
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Question)
class QuestionAdmin(admin.ModelAdmin):
    """Questions are asked and answered in the portal, where the access rules and the
    notifications live; staff may correct the topics, the project or the visibility
    here."""

    list_display = [
        "title",
        "author",
        "programme",
        "project",
        "visibility",
        "status",
        "created_at",
    ]
    list_filter = ["status", "visibility", "language", "programme"]
    list_select_related = ["author", "programme", "project"]
    search_fields = ["title", "body", "author__email", "author__display_name"]
    date_hierarchy = "created_at"
    raw_id_fields = ["author", "project", "duplicate_of", "accepted_answer"]
    filter_horizontal = ["topics"]
    readonly_fields = [
        "author",
        "created_at",
        "waiting_since",
        "first_answered_at",
        "accepted_answer",
        "reminded_at",
    ]
    inlines = [AnswerInline]

    def has_add_permission(self, request):
        return False


@admin.register(Article)
class ArticleAdmin(SimpleHistoryAdmin):
    """Read-only, with every saved version: mentors and staff write, publish and
    archive articles in the portal, where the rules and the version's author live."""

    list_display = ["title", "status", "language", "published_at", "view_count"]
    list_filter = ["status", "language", "topics"]
    search_fields = ["title", "body"]
    date_hierarchy = "created_at"
    readonly_fields = ["view_count"]
    history_list_display = ["status"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(ArticleVote)
class ArticleVoteAdmin(admin.ModelAdmin):
    list_display = ["article", "user", "created_at"]
    list_select_related = ["article", "user"]
    raw_id_fields = ["article", "user"]
    search_fields = ["article__title", "user__email"]

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Deflection)
class DeflectionAdmin(admin.ModelAdmin):
    """Read-only: the questions the knowledge base answered before anyone had to."""

    list_display = ["student", "query", "article", "question", "programme", "created_at"]
    list_filter = ["programme"]
    list_select_related = ["student", "article", "question", "programme"]
    search_fields = ["query", "student__email"]
    date_hierarchy = "created_at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
