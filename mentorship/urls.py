"""Root URL configuration. Every view needs a signed-in user (LoginRequiredMiddleware)
unless it is marked ``login_not_required``: sign-in pages, invitation links, health."""

from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from projects.api import router as projects_api
from students.api import router as students_api

from . import api, views

api_v1 = [
    path("me/", api.me, name="me"),
    path("", include(projects_api.urls)),
    path("", include(students_api.urls)),
    path("", include(api.router.urls)),
]

urlpatterns = [
    path("", views.home, name="home"),
    path("profile/", views.profile, name="profile"),
    path("i18n/language/", views.language_switch, name="language_switch"),
    path("people/invitations/", views.invitation_list, name="invitation_list"),
    path(
        "people/invitations/<int:pk>/revoke/",
        views.invitation_revoke,
        name="invitation_revoke",
    ),
    path("invitations/<str:token>/", views.invitation_accept, name="invitation_accept"),
    path("healthz", views.healthz, name="healthz"),
    path("notifications/", views.notification_list, name="notifications"),
    path("notifications/read/", views.notifications_read, name="notifications_read"),
    # Mentoring sessions
    path("sessions/", views.session_list, name="session_list"),
    path("sessions/new/", views.session_schedule, name="session_schedule"),
    path("sessions/statement/", views.session_statement, name="session_statement"),
    path("sessions/<int:pk>/", views.session_detail, name="session_detail"),
    path("sessions/<int:pk>/log/", views.session_log, name="session_log"),
    path("sessions/<int:pk>/cancel/", views.session_cancel, name="session_cancel"),
    path("sessions/<int:pk>/rate/", views.session_rate, name="session_rate"),
    # Matching and assignment
    path("people/assign/", views.unassigned_student_list, name="assignment_unassigned"),
    path("people/assign/<int:pk>/", views.assignment_assign, name="assignment_assign"),
    # Case discussions
    path("cases/", views.case_list, name="case_list"),
    path("cases/new/", views.case_open, name="case_open"),
    path("cases/<int:pk>/", views.case_detail, name="case_detail"),
    path("cases/<int:pk>/reply/", views.case_reply, name="case_reply"),
    path("cases/<int:pk>/resolve/", views.case_resolve, name="case_resolve"),
    # Weekly reports
    path("reports/", views.weekly_report_list, name="weekly_report_list"),
    path("reports/draft/", views.weekly_report_draft_now, name="weekly_report_draft_now"),
    path("reports/<int:pk>/", views.weekly_report_detail, name="weekly_report_detail"),
    path("reports/<int:pk>/refresh/", views.weekly_report_refresh, name="weekly_report_refresh"),
    path("reports/<int:pk>/send/", views.weekly_report_send, name="weekly_report_send"),
    # Self-development
    path("development/", views.development_list, name="development_list"),
    path("development/add/", views.development_add, name="development_add"),
    path("development/<int:pk>/delete/", views.development_delete, name="development_delete"),
    path("development/<int:pk>/verify/", views.development_verify, name="development_verify"),
    path(
        "development/<int:pk>/unverify/",
        views.development_unverify,
        name="development_unverify",
    ),
    path("", include("projects.urls")),
    path("", include("students.urls")),
    path("accounts/", include("allauth.urls")),
    path("admin/", admin.site.urls),
    path("api/v1/", include((api_v1, "api"), namespace="api")),
    path("api/schema/", SpectacularAPIView.as_view(), name="api_schema"),
    path(
        "api/docs/",
        SpectacularSwaggerSplitView.as_view(url_name="api_schema", template_name="api_docs.html"),
        name="api_docs",
    ),
]
