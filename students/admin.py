from django.contrib import admin

from .models import MentorNote


@admin.register(MentorNote)
class MentorNoteAdmin(admin.ModelAdmin):
    list_display = ["student", "author", "created_at"]
    list_select_related = ["student", "author"]
    search_fields = ["student__email", "student__display_name", "body"]
    raw_id_fields = ["student", "author"]
    date_hierarchy = "created_at"
