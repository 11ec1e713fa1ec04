"""Root URL configuration: each app's pages and API by name, never by import (the
project package is the bottom layer). Every view needs a signed-in user (LoginRequiredMiddleware)
unless it is marked ``login_not_required``: sign-in pages, invitation links, health."""

from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from . import api, views

api_v1 = [
    path("me/", api.me, name="me"),
    path("", include("projects.api")),
    path("", include("students.api")),
    path("", include("knowledge_base.api")),
    path("", include("metrics.api")),
]

# The project package's own pages: people, invitations, notifications, health.
mentorship_patterns = [
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
    path("uploads/kept/<int:pk>/", views.kept_upload, name="kept_upload"),
]

# Django's error answers: under /api/ a URL that matches nothing answers 404 in the
# API's JSON shape (mentorship.api_errors.not_found); an uncaught database error
# answers 503, not 500 (mentorship.views.server_error).
handler404 = "mentorship.api_errors.not_found"
handler500 = "mentorship.views.server_error"

urlpatterns = [
    path("", include((mentorship_patterns, "mentorship"))),
    # Before the projects' pages: /programmes/analytics/ is metrics', not the page of a
    # programme whose slug is "analytics".
    path("", include("metrics.urls")),
    path("", include("projects.urls")),
    path("", include("students.urls")),
    path("", include("knowledge_base.urls")),
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
