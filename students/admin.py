from django.contrib import admin

from .models import Incident, MentorNote


@admin.register(MentorNote)
class MentorNoteAdmin(admin.ModelAdmin):
    list_display = ["student", "author", "created_at"]
    list_select_related = ["student", "author"]
    search_fields = ["student__email", "student__display_name", "body"]
    raw_id_fields = ["student", "author"]
    date_hierarchy = "created_at"


@admin.register(Incident)
class IncidentAdmin(admin.ModelAdmin):
    list_display = ["title", "status", "occurred_on", "reported_by", "arbitrator", "created_at"]
    list_filter = ["status", "occurred_on", "created_at"]
    list_select_related = ["reported_by", "arbitrator"]
    search_fields = [
        "title",
        "description",
        "resolution",
        "students__email",
        "students__display_name",
    ]
    raw_id_fields = ["students", "reported_by", "arbitrator", "resolved_by"]
    date_hierarchy = "created_at"
