from django.urls import path

from .views import assignments, availability, flags, incidents, sessions, students

app_name = "students"

urlpatterns = [
    path("students/", students.student_list, name="list"),
    path("students/<int:pk>/", students.student_file, name="file"),
    path("students/<int:pk>/notes/", students.mentor_note_create, name="note_create"),
    # Giving a student a mentor
    path("people/assign/", assignments.unassigned_student_list, name="assignment_unassigned"),
    path("people/assign/<int:pk>/", assignments.assignment_assign, name="assignment_assign"),
    # 1:1 mentoring sessions
    path("sessions/", sessions.session_list, name="session_list"),
    path("sessions/new/", sessions.session_schedule, name="session_schedule"),
    path("sessions/statement/", sessions.session_statement, name="session_statement"),
    path("sessions/<int:pk>/", sessions.session_detail, name="session_detail"),
    path("sessions/<int:pk>/log/", sessions.session_log, name="session_log"),
    path("sessions/<int:pk>/cancel/", sessions.session_cancel, name="session_cancel"),
    path("sessions/<int:pk>/rate/", sessions.session_rate, name="session_rate"),
    path("sessions/<int:pk>/call-link/", sessions.session_call_url, name="session_call_url"),
    # Booking: a mentor's weekly availability, a student booking a free time
    path("sessions/book/", availability.session_book, name="session_book"),
    path("sessions/availability/", availability.availability, name="session_availability"),
    path(
        "sessions/availability/slots/",
        availability.availability_slot_add,
        name="session_availability_slot_add",
    ),
    path(
        "sessions/availability/slots/<int:pk>/remove/",
        availability.availability_slot_remove,
        name="session_availability_slot_remove",
    ),
    path(
        "sessions/availability/blocks/",
        availability.availability_block_add,
        name="session_availability_block_add",
    ),
    path(
        "sessions/availability/blocks/<int:pk>/remove/",
        availability.availability_block_remove,
        name="session_availability_block_remove",
    ),
    # At-risk flags
    path("flags/", flags.flag_list, name="flag_list"),
    path("flags/<int:pk>/acknowledge/", flags.flag_acknowledge, name="flag_acknowledge"),
    path("flags/<int:pk>/outreach/", flags.flag_outreach, name="flag_outreach"),
    path("flags/<int:pk>/verdict/", flags.flag_verdict, name="flag_verdict"),
    # Incidents between students
    path("incidents/", incidents.incident_list, name="incident_list"),
    path("incidents/new/", incidents.incident_record, name="incident_record"),
    path("incidents/<int:pk>/", incidents.incident_detail, name="incident_detail"),
    path("incidents/<int:pk>/resolve/", incidents.incident_resolve, name="incident_resolve"),
    path(
        "incidents/<int:pk>/arbitrator/",
        incidents.incident_arbitrator,
        name="incident_arbitrator",
    ),
    path("incidents/<int:pk>/reopen/", incidents.incident_reopen, name="incident_reopen"),
]
