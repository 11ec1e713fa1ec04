from django.contrib import admin

from .models import Programme, Project


class ProjectInline(admin.TabularInline):
    model = Project
    extra = 0
    fields = ["position", "title", "effort_hours", "target_days"]
    ordering = ["position"]


@admin.register(Programme)
class ProgrammeAdmin(admin.ModelAdmin):
    list_display = ["title", "slug", "is_active"]
    list_filter = ["is_active"]
    search_fields = ["title", "slug"]
    prepopulated_fields = {"slug": ["title"]}
    inlines = [ProjectInline]


@admin.register(Project)
class ProjectAdmin(admin.ModelAdmin):
    list_display = ["title", "programme", "position", "effort_hours", "target_days"]
    list_filter = ["programme"]
    search_fields = ["title", "brief"]
    list_select_related = ["programme"]
    ordering = ["programme", "position"]
