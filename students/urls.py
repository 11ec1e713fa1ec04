from django.urls import path

from . import views

app_name = "students"

urlpatterns = [
    path("students/", views.student_list, name="list"),
    path("students/<int:pk>/", views.student_file, name="file"),
    path("students/<int:pk>/notes/", views.mentor_note_create, name="note_create"),
]
