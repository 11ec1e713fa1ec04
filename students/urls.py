from django.urls import path

from . import views

app_name = "students"

urlpatterns = [
    path("students/", views.student_list, name="list"),
    path("students/<int:pk>/", views.student_file, name="file"),
    path("students/<int:pk>/notes/", views.mentor_note_create, name="note_create"),
    path("flags/", views.flag_list, name="flag_list"),
    path("flags/<int:pk>/acknowledge/", views.flag_acknowledge, name="flag_acknowledge"),
    path("flags/<int:pk>/outreach/", views.flag_outreach, name="flag_outreach"),
    path("flags/<int:pk>/verdict/", views.flag_verdict, name="flag_verdict"),
    path("incidents/", views.incident_list, name="incident_list"),
    path("incidents/new/", views.incident_record, name="incident_record"),
    path("incidents/<int:pk>/", views.incident_detail, name="incident_detail"),
    path("incidents/<int:pk>/resolve/", views.incident_resolve, name="incident_resolve"),
    path("incidents/<int:pk>/arbitrator/", views.incident_arbitrator, name="incident_arbitrator"),
    path("incidents/<int:pk>/reopen/", views.incident_reopen, name="incident_reopen"),
]
