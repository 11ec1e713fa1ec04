from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import Article, CaseDiscussion, CaseReply, ImprovementProposal

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


# --- Articles -------------------------------------------------------------------------


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
